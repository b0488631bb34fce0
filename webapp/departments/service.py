"""Departments: finding them, creating, changing and deleting them; flushes and audits, never commits."""
from flask import abort
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from webapp.audit import record
from webapp.errors import Refused
from webapp.extensions import db
from webapp.forms import check_version
from webapp.grants import check_department_delete
from webapp.i18n import gettext as _
from webapp.models import Account, BusinessHours, ClientGroup, Department, staff_departments
from webapp.models.accounts import utcnow
from webapp.rights import can, forget_rights
from webapp.text import fold


def get_department_or_404(department_id: int, with_members: bool = False) -> Department:
    """A department by id, with its business hours (and members); 404 when there is none."""
    options = [joinedload(Department.business_hours)]
    if with_members:
        options.append(selectinload(Department.members))
    department = db.session.scalar(select(Department).options(*options).where(Department.id == department_id))
    if department is None:
        abort(404, _("There is no such department; it may have been deleted in the meantime."))
    return department


def list_departments(query: str):
    """Departments by name (English and Russian, any case, any script), with their business hours' names:
    the columns the list shows, as plain rows."""
    statement = (select(Department.id, Department.name_en, Department.name_ru, Department.show_in_support,
                        Department.task_locale, Department.business_hours_id,
                        BusinessHours.name_en.label("hours_en"), BusinessHours.name_ru.label("hours_ru"),
                        BusinessHours.timezone)
                 .join(BusinessHours, BusinessHours.id == Department.business_hours_id))
    key = fold(query)
    if key:
        statement = statement.where(or_(Department.name_key.contains(key, autoescape=True),
                                        Department.name_ru_key.contains(key, autoescape=True)))
    return statement.order_by(Department.name_key, Department.id)


def schedule_summaries(schedule_ids) -> dict[int, str]:
    """"Mon–Fri 09:00–18:00" for each schedule a page shows, computed once per schedule."""
    ids = sorted(set(schedule_ids))
    if not ids:
        return {}
    return {h.id: h.summary for h in db.session.scalars(select(BusinessHours).where(BusinessHours.id.in_(ids)))}


def member_counts(departments) -> dict[int, int]:
    ids = [d.id for d in departments]
    if not ids:
        return {}
    return dict(db.session.execute(
        select(staff_departments.c.department_id, func.count())
        .where(staff_departments.c.department_id.in_(ids)).group_by(staff_departments.c.department_id)
    ).all())


def _check_edit(actor: Account) -> None:
    if not can(actor, "departments.edit"):
        raise Refused(_("You need the right %(rights)s to do this.", rights="“" + _("Edit departments") + "”"))


def _groups(ids: set[int]) -> list[ClientGroup]:
    return list(db.session.scalars(select(ClientGroup).where(ClientGroup.id.in_(ids)))) if ids else []


def create_department(actor: Account, values: dict, client_group_ids: set[int] = frozenset()) -> Department:
    """A new department, with no rights: they are granted on its permissions page."""
    _check_edit(actor)
    department = Department(**values, updated_at=utcnow(), updated_by_id=actor.id)
    department.client_groups = _groups(set(client_group_ids))
    db.session.add(department)
    db.session.flush()
    record(actor, "department.create", department)
    return department


def update_department(actor: Account, department: Department, values: dict, version: int | None,
                      client_group_ids: set[int] | None = None) -> None:
    """Change a department saved from a form showing `version`; a newer version refuses the save (409)."""
    _check_edit(actor)
    check_version(department, version)
    changed = sorted(k for k, v in values.items() if getattr(department, k) != v)
    for key, value in values.items():
        setattr(department, key, value)
    if client_group_ids is not None and {g.id for g in department.client_groups} != set(client_group_ids):
        department.client_groups = _groups(set(client_group_ids))
        changed.append("client_groups")
    if changed:
        department.touch(actor, utcnow())
    db.session.flush()
    if changed:
        record(actor, "department.update", department, ", ".join(changed))


def all_departments() -> list[Department]:
    """Every department by its name in the viewer's language (a few hundred at most)."""
    return sorted(db.session.scalars(select(Department)), key=lambda d: d.name.casefold())


def ticket_count(department: Department) -> int:
    from webapp.models import Ticket

    return db.session.scalar(select(func.count()).select_from(Ticket).where(Ticket.department_id == department.id)) or 0


def _move_tickets_away(actor: Account, department: Department, target_id: int | None) -> None:
    """A department's tickets are never lost with it: they move to the department chosen in the same step."""
    from webapp.models import Ticket
    from webapp.support.service import move

    if not ticket_count(department):
        return
    target = db.session.get(Department, target_id) if target_id else None
    if target is None or target.id == department.id:
        raise Refused(_("The department still has tickets: choose the department they move to."), 422)
    for ticket in db.session.scalars(select(Ticket).where(Ticket.department_id == department.id)):
        move(actor, ticket, target.id)
    db.session.flush()


def _check_no_plans(department: Department) -> None:
    """Manual tariff plans name the department that provisions them: it cannot go before they have another."""
    from webapp.models import Tariff

    plans = list(db.session.scalars(select(Tariff).where(Tariff.department_id == department.id)
                                    .order_by(Tariff.name_key).limit(5)))
    if plans:
        raise Refused(_("Tariff plans are provisioned by this department (%(plans)s): give them another department "
                        "first.", plans=", ".join(f"“{plan.name}”" for plan in plans)), 409)


def _check_no_tasks(department: Department) -> None:
    """Tasks are the history of the department's manual work: a department that has any stays."""
    from webapp.models import Task

    if db.session.scalar(select(Task.id).where(Task.department_id == department.id).limit(1)) is not None:
        raise Refused(_("The department has tasks (manual work on clients' services): it cannot be deleted."), 409)


def delete_department(actor: Account, department: Department, move_tickets_to: int | None = None) -> None:
    """Delete a department: its members lose the rights it gave, on their next request. Refused unless
    the actor could revoke each of those rights one by one."""
    _check_edit(actor)
    check_department_delete(actor, department)
    _check_no_tasks(department)
    _check_no_plans(department)
    _move_tickets_away(actor, department, move_tickets_to)
    record(actor, "department.delete", department,
           f"members: {', '.join(m.login for m in department.members) or '-'}")
    db.session.delete(department)
    db.session.flush()
    forget_rights()

