"""A staff member's effective rights with their sources, and the individual-right toggles."""
from flask import abort, redirect, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from webapp.departments.forms import wanted_state
from webapp.errors import refused
from webapp.extensions import db
from webapp.grants import GrantRefused, check_manage_staff, set_staff_function
from webapp.htmx import is_htmx, render
from webapp.i18n import gettext as _
from webapp.models import Account
from webapp.rights import CATALOG, SECTIONS, effective_rights, granted_rights, requires
from webapp.staff import bp
from webapp.staff.service import get_staff_or_404


def rights_context(staff: Account) -> dict:
    viewer = effective_rights(current_user)
    reason = None
    if staff.id == current_user.id:
        reason = _("You cannot change your own rights.")
    elif "rights.edit" not in viewer.ids:
        reason = _("You can view these rights but not change them.")
    else:
        try:
            check_manage_staff(current_user, staff)
        except GrantRefused as error:
            reason = str(error)
    return {"staff": staff, "rights": granted_rights(staff), "viewer_rights": viewer,
            "editable": reason is None, "readonly_reason": reason,
            "department_names": {d.id: d.name for d in staff.departments}}


@bp.route("/<int:staff_id>/rights")
@requires("staff.view")
def rights(staff_id: int):
    staff = get_staff_or_404(staff_id, selectinload(Account.departments))
    return render("staff/rights.html", sections=SECTIONS, **rights_context(staff))


@bp.route("/<int:staff_id>/rights/<function_id>", methods=["POST"])
@requires("staff.view", "rights.edit")
def toggle_right(staff_id: int, function_id: str):
    staff = get_staff_or_404(staff_id, selectinload(Account.departments))
    fn = CATALOG.get(function_id) or abort(404)
    on = wanted_state()
    try:
        set_staff_function(current_user, staff, fn.id, on)
    except GrantRefused as error:
        return refused(error)
    db.session.commit()
    if not is_htmx():
        return redirect(url_for(".rights", staff_id=staff.id))
    return render("staff/_right_row.html", fn=fn, **rights_context(staff))
