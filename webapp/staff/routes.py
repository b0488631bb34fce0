"""Staff pages: list, create, edit, disable/enable, delete, avatars and individual rights."""
from flask import abort, current_app, flash, make_response, redirect, request, url_for
from flask_login import current_user
from sqlalchemy.orm import undefer
from wtforms import SelectChoice

from webapp.errors import Refused
from webapp.extensions import db
from webapp.forms import Form, form_status, select_options
from webapp.htmx import render
from webapp.i18n import current_language
from webapp.i18n import gettext as _
from webapp.ids import parse_id
from webapp.lists import paginate_rows, search_text
from webapp.models import Account
from webapp.rights import can, requires
from webapp.staff import bp, service
from webapp.staff.avatars import initials_svg
from webapp.staff.forms import StaffForm, initial_data
from webapp.urls import RowUrl


@bp.route("", strict_slashes=False)
@requires("staff.view")
def index():
    q = search_text()
    department_id = parse_id(request.args.get("department"))
    status = request.args.get("status") if request.args.get("status") in service.STATUSES else None
    pagination = paginate_rows(service.list_staff(q, department_id, status), current_app.config["STAFF_PER_PAGE"],
                               Account.id, count=not q)  # a search is not counted: see paginate_rows
    urls = {name: RowUrl(f"staff.{name}", "staff_id") for name in ("edit", "rights", "avatar")}
    past_the_end = pagination.page > 1 and not pagination.items  # only a search, which is not counted
    return render("staff/index.html", pagination=pagination, q=q, department_id=department_id, status_filter=status,
                  department_options=select_options(service.department_choices(), department_id), urls=urls,
                  russian=current_language() == "ru", badges=service.department_badges(pagination.items),
                  status=404 if past_the_end else 200)


@bp.route("/new", methods=["GET", "POST"])
@requires("staff.view", "staff.edit")
def new():
    form, departments = _form(None)
    if form.validate_on_submit():
        try:
            account = service.create_staff(current_user, form.values())
        except Refused as refusal:
            db.session.rollback()
            return _form_page(form, None, departments, refusal.status, refusal=str(refusal))
        db.session.commit()
        flash(_("Staff member %(name)s created.", name=account.name), "success")
        return redirect(url_for("staff.edit", staff_id=account.id))
    return _form_page(form, None, departments, form_status(form))


@bp.route("/<int:staff_id>", methods=["GET", "POST"])
@requires("staff.view", post=("staff.edit",))
def edit(staff_id: int):
    """The staff member's form: read-only without the right to edit, or to manage this person."""
    target = service.get_staff_or_404(staff_id)
    if request.method == "POST":
        refusal = service.edit_refusal(current_user, target)
        if refusal:
            abort(403, refusal)
    form, departments = _form(target)
    if form.validate_on_submit():
        try:
            service.update_staff(current_user, target, form.values(), form.version.data)
        except Refused as refusal:
            db.session.rollback()
            return _form_page(form, target, departments, refusal.status, refusal=str(refusal))
        db.session.commit()
        flash(_("Staff member %(name)s saved.", name=target.name), "success")
        return redirect(url_for("staff.edit", staff_id=target.id))
    return _form_page(form, target, departments, form_status(form))


@bp.route("/<int:staff_id>/disable", methods=["POST"])
@requires("staff.view", "staff.edit")
def disable(staff_id: int):
    return _set_active(staff_id, False)


@bp.route("/<int:staff_id>/enable", methods=["POST"])
@requires("staff.view", "staff.edit")
def enable(staff_id: int):
    return _set_active(staff_id, True)


@bp.route("/<int:staff_id>/delete", methods=["GET", "POST"])
@requires("staff.view", "staff.edit")
def delete(staff_id: int):
    """A confirmation page; the POST deletes."""
    target = service.get_staff_or_404(staff_id)
    refusal = service.delete_refusal(current_user, target)
    if refusal:
        abort(403, refusal)
    form = Form()
    if not form.validate_on_submit():
        return render("staff/delete.html", target=target, form=form,
                      rights_count=service.individual_rights_count(target))
    name = target.name
    service.delete_staff(current_user, target)
    db.session.commit()
    flash(_("Staff member %(name)s deleted.", name=name), "success")
    return redirect(url_for("staff.index"))


def _set_active(staff_id: int, active: bool):
    target = service.get_staff_or_404(staff_id)
    service.set_active(current_user, target, active)
    db.session.commit()
    if active:
        flash(_("%(name)s is enabled.", name=target.name), "success")
    else:
        flash(_("%(name)s is disabled and has been logged out.", name=target.name), "success")
    return redirect(url_for("staff.edit", staff_id=target.id))


def _form(target: Account | None):
    """The form bound to this request, with a checkbox per department."""
    departments = service.all_departments()
    form = StaffForm(target=target, data=initial_data(target) if target is not None else None)
    form.departments.choices = [SelectChoice(d.id, d.name) for d in departments]
    return form, departments


def _form_page(form: StaffForm, target: Account | None, departments, status: int, refusal: str | None = None):
    return render(
        "staff/form.html", status=status, form=form, target=target, refusal=refusal,
        locks=service.locks_for(current_user, target, departments),
        readonly_reason=service.edit_refusal(current_user, target),
        disable_refusal=target and service.disable_refusal(current_user, target),
        delete_refusal=target and service.delete_refusal(current_user, target),
        has_avatar=target is not None and service.has_avatar(target),
    )


@bp.route("/<int:staff_id>/avatar")
@requires()
def avatar(staff_id: int):
    """A staff member's avatar: one's own, or anyone's with the right to view staff."""
    if staff_id != current_user.id and not can(current_user, "staff.view"):
        abort(403)
    account = service.get_staff_or_404(staff_id, undefer(Account.avatar))
    if account.avatar:
        response = make_response(account.avatar)
        response.mimetype = "image/png"
    else:
        response = make_response(initials_svg(account.initials, account.login))
        response.mimetype = "image/svg+xml"
    response.headers["Cache-Control"] = "private, max-age=86400"
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response
