"""A staff member's rights with their sources, and the switches of their individual grants."""
from flask import abort, redirect, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from webapp.extensions import db
from webapp.forms import wanted_state
from webapp.grants import individual_grants, manage_refusal, set_staff_function
from webapp.htmx import is_htmx, render
from webapp.i18n import gettext as _
from webapp.models import Account
from webapp.rights import CATALOG, SECTIONS, effective_rights, granted_rights, requires
from webapp.staff import bp
from webapp.staff.service import get_staff_or_404


def rights_context(staff: Account) -> dict:
    viewer = effective_rights(current_user)
    if staff.id == current_user.id:
        reason = _("You cannot change your own rights.")
    elif "rights.edit" not in viewer.ids:
        reason = _("You can view these rights but not change them.")
    else:
        reason = manage_refusal(current_user, staff)
    return {"staff": staff, "rights": granted_rights(staff), "individual": individual_grants(staff),
            "viewer_rights": viewer, "editable": reason is None, "readonly_reason": reason,
            "department_names": {d.id: d.name for d in staff.departments}}


@bp.route("/<int:staff_id>/rights")
@requires("staff.view")
def rights(staff_id: int):
    staff = get_staff_or_404(staff_id, selectinload(Account.departments))
    return render("staff/rights.html", sections=SECTIONS, **rights_context(staff))


@bp.route("/<int:staff_id>/rights/<function_id>", methods=["POST"])
@requires("staff.view", "rights.edit")
def toggle_right(staff_id: int, function_id: str):
    """Set the individual grant only; what the person inherits stays, and the answer shows it."""
    staff = get_staff_or_404(staff_id, selectinload(Account.departments))
    fn = CATALOG.get(function_id) or abort(404)
    set_staff_function(current_user, staff, fn.id, wanted_state())
    db.session.commit()
    if not is_htmx():
        return redirect(url_for(".rights", staff_id=staff.id))
    return render("staff/_right_row.html", fn=fn, **rights_context(staff))
