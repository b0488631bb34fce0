"""Granting and revoking functions, for departments and staff members, within the delegation rules.

Nobody grants what they do not hold, nobody changes their own rights, and a toggle sets a state
(an insert that ignores a conflict, or a delete), never a read-then-flip. Functions flush, never commit.
"""
from sqlalchemy import delete, exists, select

from webapp.audit import record
from webapp.extensions import db
from webapp.i18n import gettext as _
from webapp.models import Account, Department, DepartmentRight, StaffRight, staff_departments
from webapp.rights import effective_rights, forget_rights, function, granted_rights
from webapp.rights.catalog import Section


class GrantRefused(Exception):
    """A change the delegation rules refuse; the message says why. Nothing was changed."""

    status = 403


class InheritedRight(GrantRefused):
    """Switching off a right the staff member holds through a department or full access."""

    status = 409


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


# Delegation rules ---------------------------------------------------------------------------------

def may_grant(actor: Account, function_id: str) -> bool:
    """Whether the actor may grant or revoke a function: only one that they hold themselves."""
    return function_id in effective_rights(actor)


def check_grantable(actor: Account, function_ids) -> None:
    missing = [f for f in function_ids if not may_grant(actor, f)]
    if missing:
        labels = ", ".join(str(function(f).label) for f in missing)
        raise GrantRefused(_("You cannot grant or revoke “%(rights)s”: you do not hold it yourself.",
                             rights=labels))


def department_rights(department: Department) -> set[str]:
    return set(db.session.scalars(
        select(DepartmentRight.function_id).where(DepartmentRight.department_id == department.id)
    ))


def may_assign_department(actor: Account, department: Department) -> bool:
    """A department may be given only by someone who holds every right it carries."""
    rights = effective_rights(actor)
    return rights.full_access or department_rights(department) <= rights.ids


def check_manage_staff(actor: Account, target: Account) -> None:
    """Refuse to manage someone who holds more than the actor: that would hand the actor their rights."""
    if actor.id == target.id:
        return
    actor_rights = effective_rights(actor)
    if actor_rights.full_access:
        return
    target_rights = granted_rights(target)
    if target.builtin or target_rights.full_access or not target_rights.ids <= actor_rights.ids:
        raise GrantRefused(_("You cannot manage %(login)s: they hold rights that you do not.",
                             login=target.login))


# Department permissions ----------------------------------------------------------------------------

def own_department_locked(actor: Account, department: Department) -> bool:
    """Whether the department is the actor's own and so closed to them (full access excepted)."""
    if effective_rights(actor).full_access:
        return False
    return db.session.scalar(select(exists().where(
        staff_departments.c.account_id == actor.id, staff_departments.c.department_id == department.id)))


def _check_department_change(actor: Account, department: Department) -> None:
    if own_department_locked(actor, department):
        raise GrantRefused(_("You cannot change the permissions of your own department."))


def set_department_function(actor: Account, department: Department, function_id: str, on: bool) -> bool:
    """Grant (on) or revoke (off) one function of a department; True when something changed."""
    function(function_id)
    check_grantable(actor, [function_id])
    _check_department_change(actor, department)
    if on:
        changed = insert_ignoring_conflict(DepartmentRight, department_id=department.id, function_id=function_id)
    else:
        changed = delete_where(DepartmentRight, DepartmentRight.department_id == department.id,
                               DepartmentRight.function_id == function_id)
    if changed:
        record(actor, "department.grant" if on else "department.revoke", department, function_id)
        forget_rights()
    return changed


def set_department_section(actor: Account, department: Department, section: Section, on: bool) -> int:
    """Grant or revoke every function of a section at once; all or nothing. Returns how many changed."""
    ids = [f.id for f in section.functions]
    check_grantable(actor, ids)
    _check_department_change(actor, department)
    return sum(set_department_function(actor, department, f, on) for f in ids)


# Individual rights of staff members ----------------------------------------------------------------

def set_staff_function(actor: Account, target: Account, function_id: str, on: bool) -> bool:
    """Grant or revoke a function individually; an inherited right cannot be switched off."""
    function(function_id)
    if actor.id == target.id:
        raise GrantRefused(_("You cannot change your own rights."))
    check_grantable(actor, [function_id])
    check_manage_staff(actor, target)
    if on:
        changed = insert_ignoring_conflict(StaffRight, account_id=target.id, function_id=function_id)
    else:
        source = granted_rights(target).source(function_id)
        if source.inherited:
            raise InheritedRight(_("“%(right)s” is inherited from a department or full access and cannot "
                                   "be switched off here; change the department instead.",
                                   right=function(function_id).label))
        changed = delete_where(StaffRight, StaffRight.account_id == target.id,
                               StaffRight.function_id == function_id)
    if changed:
        record(actor, "staff.grant" if on else "staff.revoke", target, function_id)
        forget_rights(target.id)
    return changed
