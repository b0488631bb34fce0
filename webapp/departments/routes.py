"""Department pages: list, create, edit, delete, and the permission toggles."""
from flask import abort, current_app, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from webapp.departments import bp
from webapp.departments.forms import DepartmentForm, wanted_state
from webapp.departments.service import create_department, delete_department, update_department
from webapp.errors import refused
from webapp.extensions import db
from webapp.grants import (
    GrantRefused,
    department_rights,
    own_department_locked,
    set_department_function,
    set_department_section,
)
from webapp.htmx import is_htmx, render
from webapp.i18n import gettext as _
from webapp.models import Department, staff_departments
from webapp.rights import CATALOG, SECTIONS, can, effective_rights, requires
from webapp.rights.catalog import SECTION_BY_ID
from webapp.urls import RowUrl


def load_department(department_id: int, with_members: bool = False) -> Department:
    options = [joinedload(Department.business_hours)]
    if with_members:
        options.append(selectinload(Department.members))
    department = db.session.scalar(select(Department).options(*options).where(Department.id == department_id))
    if department is None:
        abort(404)
    return department


@bp.route("/")
@requires("departments.view")
def index():
    pagination = db.paginate(
        select(Department).options(joinedload(Department.business_hours))
        .order_by(func.lower(Department.name_en), Department.id),
        per_page=current_app.config["DEPARTMENTS_PER_PAGE"], error_out=False,
    )
    ids = [d.id for d in pagination.items]
    members = dict(db.session.execute(
        select(staff_departments.c.department_id, func.count())
        .where(staff_departments.c.department_id.in_(ids)).group_by(staff_departments.c.department_id)
    ).all()) if ids else {}
    summaries = {h.id: h.summary for h in {d.business_hours for d in pagination.items}}  # once per schedule
    urls = {name: RowUrl(f"departments.{name}", "department_id") for name in ("edit", "permissions", "delete")}
    return render("departments/index.html", pagination=pagination, members=members, summaries=summaries,
                  urls=urls)


@bp.route("/new", methods=["GET", "POST"])
@requires("departments.view", "departments.edit")
def new():
    form = DepartmentForm()
    if form.validate_on_submit():
        department = create_department(current_user, form.values())
        db.session.commit()
        flash(_("Department “%(name)s” created. It has no rights yet: grant them below.",
                name=department.name), "success")
        return redirect(url_for(".permissions", department_id=department.id))
    return render("departments/form.html", form=form, department=None,
                  status=422 if form.errors else 200)


@bp.route("/<int:department_id>", methods=["GET", "POST"])
@requires("departments.view")
def edit(department_id: int):
    department = load_department(department_id, with_members=True)
    form = DepartmentForm(obj=department, department=department)
    if request.method == "POST":
        if not can(current_user, "departments.edit"):
            abort(403, _("You need the right “%(rights)s” to open this.", rights=CATALOG["departments.edit"].label))
        if form.validate_on_submit():
            update_department(current_user, department, form.values())
            db.session.commit()
            flash(_("Department “%(name)s” saved.", name=department.name), "success")
            return redirect(url_for(".index"))
    return render("departments/form.html", form=form, department=department,
                  status=422 if form.errors else 200)


@bp.route("/<int:department_id>/delete", methods=["GET", "POST"])
@requires("departments.view", "departments.edit")
def delete(department_id: int):
    department = load_department(department_id, with_members=True)
    if request.method == "POST":
        name = department.name
        delete_department(current_user, department)
        db.session.commit()
        flash(_("Department “%(name)s” deleted.", name=name), "success")
        return redirect(url_for(".index"))
    return render("departments/delete.html", department=department)


def permission_context(department: Department) -> dict:
    """What the permission rows need: the granted ids, and what the viewer may change."""
    rights = effective_rights(current_user)
    own_locked = own_department_locked(current_user, department)  # the rule set_department_* enforces
    return {"department": department, "granted": department_rights(department), "viewer_rights": rights,
            "editable": "rights.edit" in rights.ids and not own_locked, "own_department_locked": own_locked}


@bp.route("/<int:department_id>/permissions")
@requires("departments.view")
def permissions(department_id: int):
    department = load_department(department_id)
    return render("departments/permissions.html", sections=SECTIONS, **permission_context(department))


@bp.route("/<int:department_id>/permissions/<function_id>", methods=["POST"])
@requires("departments.view", "rights.edit")
def toggle_permission(department_id: int, function_id: str):
    department = load_department(department_id)
    fn = CATALOG.get(function_id) or abort(404)
    on = wanted_state()
    try:
        set_department_function(current_user, department, fn.id, on)
    except GrantRefused as error:
        return refused(error)
    db.session.commit()
    if not is_htmx():
        return redirect(url_for(".permissions", department_id=department.id))
    return render("departments/_permission_toggled.html", fn=fn, section=SECTION_BY_ID[fn.section],
                  **permission_context(department))


@bp.route("/<int:department_id>/permissions/section/<section_id>", methods=["POST"])
@requires("departments.view", "rights.edit")
def toggle_section(department_id: int, section_id: str):
    department = load_department(department_id)
    section = SECTION_BY_ID.get(section_id) or abort(404)
    on = wanted_state()
    try:
        set_department_section(current_user, department, section, on)
    except GrantRefused as error:
        return refused(error)
    db.session.commit()
    if not is_htmx():
        return redirect(url_for(".permissions", department_id=department.id))
    return render("departments/_permission_section.html", section=section, **permission_context(department))
