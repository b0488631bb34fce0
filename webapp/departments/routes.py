"""Department pages: list, create, edit, delete, and the permission toggles."""
from flask import abort, current_app, flash, redirect, request, url_for
from flask_login import current_user

from webapp.departments import bp
from webapp.departments.forms import DepartmentForm
from webapp.departments.service import (
    all_departments,
    create_department,
    delete_department,
    get_department_or_404,
    list_departments,
    member_counts,
    schedule_summaries,
    ticket_count,
    update_department,
)
from webapp.errors import Refused
from webapp.extensions import db
from webapp.forms import Form, form_status, wanted_state
from webapp.grants import (
    delete_refusal,
    department_rights,
    losses_on_delete,
    own_department_locked,
    set_department_function,
    set_department_functions,
)
from webapp.htmx import is_htmx, render
from webapp.i18n import current_language
from webapp.i18n import gettext as _
from webapp.ids import parse_id
from webapp.lists import paginate_rows, search_text
from webapp.models import Department
from webapp.rights import CATALOG, SECTIONS, effective_rights, requires
from webapp.rights.catalog import SECTION_BY_ID
from webapp.urls import RowUrl


@bp.route("/")
@requires("departments.view")
def index():
    q = search_text()
    pagination = paginate_rows(list_departments(q), current_app.config["DEPARTMENTS_PER_PAGE"], Department.id)
    summaries = schedule_summaries(d.business_hours_id for d in pagination.items)
    urls = {name: RowUrl(f"departments.{name}", "department_id") for name in ("edit", "permissions", "delete")}
    return render("departments/index.html", pagination=pagination, members=member_counts(pagination.items),
                  summaries=summaries, urls=urls, q=q, russian=current_language() == "ru")


@bp.route("/new", methods=["GET", "POST"])
@requires("departments.view", "departments.edit")
def new():
    form = DepartmentForm()
    if form.validate_on_submit():
        department = create_department(current_user, form.values(), form.group_ids())
        db.session.commit()
        flash(_("Department “%(name)s” created. It has no rights yet: grant them below.",
                name=department.name), "success")
        return redirect(url_for(".permissions", department_id=department.id))
    return render("departments/form.html", form=form, department=None, status=form_status(form))


@bp.route("/<int:department_id>", methods=["GET", "POST"])
@requires("departments.view", post=("departments.edit",))
def edit(department_id: int):
    department = get_department_or_404(department_id, with_members=True)
    form = DepartmentForm(obj=department, department=department,
                          client_group_ids=[g.id for g in department.client_groups])
    if form.validate_on_submit():
        update_department(current_user, department, form.values(), form.version.data, form.group_ids())
        db.session.commit()
        flash(_("Department “%(name)s” saved.", name=department.name), "success")
        return redirect(url_for(".index"))
    return render("departments/form.html", form=form, department=department, status=form_status(form),
                  delete_refusal=delete_refusal(current_user, department))


@bp.route("/<int:department_id>/delete", methods=["GET", "POST"])
@requires("departments.view", "departments.edit")
def delete(department_id: int):
    department = get_department_or_404(department_id, with_members=True)
    form = Form()
    tickets = ticket_count(department)
    if form.validate_on_submit():
        name = department.name
        try:
            delete_department(current_user, department, parse_id(request.form.get("move_tickets_to") or ""))
        except Refused as refusal:
            if refusal.status != 422:
                raise
            db.session.rollback()
            return render("departments/delete.html", department=department, form=form, move_error=str(refusal),
                          losses=losses_on_delete(department), refusal=delete_refusal(current_user, department),
                          catalog=CATALOG, tickets=tickets,
                          targets=[d for d in all_departments() if d.id != department.id], status=422)
        db.session.commit()
        flash(_("Department “%(name)s” deleted.", name=name), "success")
        return redirect(url_for(".index"))
    return render("departments/delete.html", department=department, form=form,
                  losses=losses_on_delete(department), refusal=delete_refusal(current_user, department), catalog=CATALOG,
                  tickets=tickets, targets=[d for d in all_departments() if d.id != department.id] if tickets else [],
                  status=409 if request.method == "POST" else 200)


def permission_context(department: Department) -> dict:
    """What the permission rows need: the granted ids, and what the viewer may change."""
    rights = effective_rights(current_user)
    own_locked = own_department_locked(current_user, department)  # the rule set_department_* enforces
    return {"department": department, "granted": department_rights(department), "viewer_rights": rights,
            "editable": "rights.edit" in rights.ids and not own_locked, "own_department_locked": own_locked}


@bp.route("/<int:department_id>/permissions")
@requires("departments.view")
def permissions(department_id: int):
    department = get_department_or_404(department_id)
    return render("departments/permissions.html", sections=SECTIONS, **permission_context(department))


@bp.route("/<int:department_id>/permissions/<function_id>", methods=["POST"])
@requires("departments.view", "rights.edit")
def toggle_permission(department_id: int, function_id: str):
    department = get_department_or_404(department_id)
    fn = CATALOG.get(function_id) or abort(404)
    set_department_function(current_user, department, fn.id, wanted_state())
    db.session.commit()
    if not is_htmx():
        return redirect(url_for(".permissions", department_id=department.id))
    return render("departments/_permission_toggled.html", fn=fn, section=SECTION_BY_ID[fn.section],
                  **permission_context(department))


@bp.route("/<int:department_id>/permissions/section/<section_id>", methods=["POST"])
@requires("departments.view", "rights.edit")
def toggle_section(department_id: int, section_id: str):
    """Grant or revoke the functions of a section that the filter shows (all of them without a filter)."""
    department = get_department_or_404(department_id)
    section = SECTION_BY_ID.get(section_id) or abort(404)
    on = wanted_state()
    raw = request.form.get("functions")  # absent without JavaScript (no filter): the whole section
    shown = [f.id for f in section.functions] if raw is None else [f for f in raw.split(",") if f]
    set_department_functions(current_user, department, section, shown, on)
    db.session.commit()
    if not is_htmx():
        return redirect(url_for(".permissions", department_id=department.id))
    return render("departments/_permission_section.html", section=section, **permission_context(department))
