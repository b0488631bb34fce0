"""Granting and revoking functions, for departments and staff members, within the delegation rules.

Nobody grants what they do not hold, nobody changes their own rights, and a toggle sets a state
(an insert that ignores a conflict, or a delete), never a read-then-flip. Functions flush, never commit.
Every refusal is a Refused with the reason; the services call these checks themselves, so any caller
(a page today, an API tomorrow) is held to the same rules.
"""
from sqlalchemy import delete, exists, select, union_all

from webapp.audit import record
from webapp.errors import Refused
from webapp.extensions import db
from webapp.i18n import gettext as _
from webapp.models import Account, Department, DepartmentRight, StaffRight, staff_departments
from webapp.rights import CATALOG, effective_rights, forget_rights, function, granted_rights
from webapp.rights.catalog import Section


def insert_ignoring_conflict(model, **values) -> bool:
    """Insert a row unless it exists already; True when a row was added."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - the project supports SQLite and PostgreSQL
        raise RuntimeError(f"unsupported database: {dialect}")
    key = next(iter(model.__table__.primary_key.columns))
    added = db.session.execute(insert(model).values(**values).on_conflict_do_nothing().returning(key))
    return added.first() is not None


def delete_where(model, *conditions) -> bool:
    """Delete the matching rows; True when any existed."""
    key = next(iter(model.__table__.primary_key.columns))
    return db.session.execute(delete(model).where(*conditions).returning(key)).first() is not None


def labels(function_ids) -> str:
    """“View clients”, “Send invoices”: function labels in catalog order, for messages."""
    ordered = [f for f in CATALOG if f in set(function_ids)]
    return ", ".join(f"“{function(f).label}”" for f in ordered)


# Delegation rules ---------------------------------------------------------------------------------

def may_grant(actor: Account, function_id: str) -> bool:
    """Whether the actor may grant or revoke a function: only one that they hold themselves."""
    return function_id in effective_rights(actor)


def check_grantable(actor: Account, function_ids) -> None:
    missing = [f for f in function_ids if not may_grant(actor, f)]
    if missing:
        raise Refused(_("You cannot grant or revoke %(rights)s: you do not hold it yourself.",
                        rights=labels(missing)))


def check_rights_editor(actor: Account) -> None:
    if "rights.edit" not in effective_rights(actor):
        raise Refused(_("You need the right %(rights)s to do this.", rights=labels(["rights.edit"])))


def department_rights(department: Department) -> set[str]:
    return set(db.session.scalars(
        select(DepartmentRight.function_id).where(DepartmentRight.department_id == department.id)
    ))


def rights_by_department() -> dict[int, set[str]]:
    """Every department's permissions, in one query (a form with 200 departments asks once, not 200 times)."""
    granted: dict[int, set[str]] = {}
    for department_id, function_id in db.session.execute(
            select(DepartmentRight.department_id, DepartmentRight.function_id)):
        granted.setdefault(department_id, set()).add(function_id)
    return granted


def membership_refusal(actor: Account, functions: set[str]) -> str | None:
    """Why the actor may not add someone to, or remove someone from, a department carrying these functions:
    that grants or revokes them, so the rules of granting apply (the right to edit permissions, and holding
    each function). None when they may."""
    rights = effective_rights(actor)
    if rights.full_access or not functions:
        return None
    if "rights.edit" not in rights.ids:
        return _("Its members get its functions: changing them needs the right %(rights)s.",
                 rights=labels(["rights.edit"]))
    if not functions <= rights.ids:
        return _("It carries rights that you do not hold.")
    return None


def manage_refusal(actor: Account, target: Account) -> str | None:
    """Why the actor may not manage the target (someone holding more than they do), or None."""
    if actor.id == target.id:
        return None
    actor_rights = effective_rights(actor)
    if actor_rights.full_access:
        return None
    target_rights = granted_rights(target)
    if target.builtin or target_rights.full_access:
        return _("You cannot manage %(name)s: they have full access privileges, and you do not.",
                 name=target.name)
    beyond = target_rights.ids - actor_rights.ids
    if beyond:
        return _("You cannot manage %(name)s: they hold rights that you do not: %(rights)s.",
                 name=target.name, rights=labels(beyond))
    return None


def check_manage_staff(actor: Account, target: Account) -> None:
    """Refuse to manage someone who holds more than the actor: that would hand the actor their rights."""
    refusal = manage_refusal(actor, target)
    if refusal:
        raise Refused(refusal)


# Department permissions ----------------------------------------------------------------------------

def own_department_locked(actor: Account, department: Department) -> bool:
    """Whether the department is the actor's own and so closed to them (full access excepted)."""
    if effective_rights(actor).full_access:
        return False
    return db.session.scalar(select(exists().where(
        staff_departments.c.account_id == actor.id, staff_departments.c.department_id == department.id)))


def _check_department_change(actor: Account, department: Department) -> None:
    check_rights_editor(actor)
    if own_department_locked(actor, department):
        raise Refused(_("You cannot change the permissions of your own department."))


def set_department_function(actor: Account, department: Department, function_id: str, on: bool) -> bool:
    """Grant (on) or revoke (off) one function of a department; True when something changed."""
    function(function_id)
    _check_department_change(actor, department)
    check_grantable(actor, [function_id])
    if on:
        changed = insert_ignoring_conflict(DepartmentRight, department_id=department.id, function_id=function_id)
    else:
        changed = delete_where(DepartmentRight, DepartmentRight.department_id == department.id,
                               DepartmentRight.function_id == function_id)
    if changed:
        record(actor, "department.grant" if on else "department.revoke", department, function_id)
        forget_rights()
    return changed


def set_department_functions(actor: Account, department: Department, section: Section,
                             function_ids: list[str], on: bool) -> int:
    """Grant or revoke the given functions of one section (those the filter shows); all or nothing."""
    in_section = {f.id for f in section.functions}
    if not function_ids or not set(function_ids) <= in_section:
        raise Refused(_("Choose functions of this section."), 400)
    _check_department_change(actor, department)
    check_grantable(actor, function_ids)
    return sum(set_department_function(actor, department, f, on) for f in function_ids)


def losses_on_delete(department: Department) -> list[tuple[Account, list[str]]]:
    """Each member of the department with the functions they would lose if it were deleted (one query)."""
    members = department.members
    functions = department_rights(department)
    if not members or not functions:
        return [(member, []) for member in members]
    member_ids = [m.id for m in members]
    elsewhere = union_all(
        select(staff_departments.c.account_id, DepartmentRight.function_id)
        .join(DepartmentRight, DepartmentRight.department_id == staff_departments.c.department_id)
        .where(staff_departments.c.account_id.in_(member_ids),
               staff_departments.c.department_id != department.id),
        select(StaffRight.account_id, StaffRight.function_id).where(StaffRight.account_id.in_(member_ids)),
    )
    kept: dict[int, set[str]] = {}
    for account_id, function_id in db.session.execute(elsewhere):
        kept.setdefault(account_id, set()).add(function_id)
    ordered = [f for f in CATALOG if f in functions]
    return [(member, [] if member.full_access else [f for f in ordered if f not in kept.get(member.id, set())])
            for member in members]


def check_department_delete(actor: Account, department: Department) -> None:
    """Deleting a department revokes every function it carries from every member: the same rules as
    revoking them one by one (the right to edit permissions, holding each, not one's own department)."""
    functions = department_rights(department)
    if not functions:
        return
    _check_department_change(actor, department)
    check_grantable(actor, functions)


def delete_refusal(actor: Account, department: Department) -> str | None:
    try:
        check_department_delete(actor, department)
    except Refused as refusal:
        return str(refusal)
    return None


# Individual grants of staff members ----------------------------------------------------------------

def set_staff_function(actor: Account, target: Account, function_id: str, on: bool) -> bool:
    """Add (on) or remove (off) the individual grant of a function, and nothing else: what the person
    inherits from departments or full access is untouched and cannot be removed here."""
    function(function_id)
    if actor.id == target.id:
        raise Refused(_("You cannot change your own rights."))
    check_rights_editor(actor)
    check_grantable(actor, [function_id])
    check_manage_staff(actor, target)
    if on:
        changed = insert_ignoring_conflict(StaffRight, account_id=target.id, function_id=function_id)
    else:
        changed = delete_where(StaffRight, StaffRight.account_id == target.id,
                               StaffRight.function_id == function_id)
    if changed:
        record(actor, "staff.grant" if on else "staff.revoke", target, function_id)
        forget_rights(target.id)
    return changed


def individual_grants(account: Account) -> set[str]:
    """The functions granted to the person individually (stored grants, whether inherited too or not)."""
    return set(db.session.scalars(select(StaffRight.function_id).where(StaffRight.account_id == account.id)))


