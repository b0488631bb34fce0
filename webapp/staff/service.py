"""Staff members: the list, creating and changing them within the delegation rules, disabling, deleting.

Functions take explicit arguments, flush and write the audit record, and never commit.
"""
from dataclasses import dataclass, field

from flask import abort
from markupsafe import Markup, escape
from sqlalchemy import delete, exists, func, select

from webapp.audit import record
from webapp.auth.sessions import end_all_sessions
from webapp.errors import Refused
from webapp.extensions import db
from webapp.forms import check_version
from webapp.grants import manage_refusal, membership_refusal, rights_by_department
from webapp.i18n import current_language
from webapp.i18n import gettext as _
from webapp.models import Account, AccountKind, Department, StaffRight, staff_departments
from webapp.models.accounts import utcnow
from webapp.rights import can, effective_rights, forget_rights
from webapp.support.service import release_tickets
from webapp.tasks.service import release_tasks
from webapp.text import fold


@dataclass
class StaffValues:
    """What the staff form submits, as plain values: password None means unchanged."""

    login: str
    name_en: str
    name_ru: str | None
    email: str
    phone: str | None
    full_access: bool
    department_ids: set[int]
    password: str | None = None
    avatar: bytes | None = None  # an 80×80 PNG from process_avatar
    remove_avatar: bool = False


@dataclass
class Locks:
    """Which parts of the form the actor may not change, each with the reason shown to them."""

    full_access: str | None = None
    departments: dict[int, str] = field(default_factory=dict)
    login: str | None = None
    credentials: str | None = None  # password and email: the built-in admin's are theirs alone
    password: str | None = None  # one's own password changes on My profile, which asks for the current one


# Reading -------------------------------------------------------------------------------------------

def staff_select():
    """Staff accounts only: a client's id on a staff URL finds nothing."""
    return select(Account).where(Account.kind == AccountKind.staff)


def get_staff_or_404(staff_id: int, *options) -> Account:
    """A staff account by id (a client's id is a 404 too), with optional loader options."""
    account = db.session.scalar(staff_select().options(*options).where(Account.id == staff_id))
    if account is None:
        abort(404, _("There is no such staff member; they may have been deleted in the meantime."))
    return account


STATUSES = ("active", "disabled")


LIST_COLUMNS = (Account.id, Account.login, Account.name_en, Account.name_ru, Account.email, Account.full_access,
                Account.active, Account.last_login_at, Account.avatar_version)


def list_staff(query: str = "", department_id: int | None = None, status: str | None = None):
    """Staff matching the query in login, names or email (one LIKE on the stored folded key, in any script),
    in a department, active or disabled; by login. The columns the list shows, as plain rows."""
    statement = select(*LIST_COLUMNS).where(Account.kind == AccountKind.staff).order_by(Account.login_key)
    key = fold(query)
    if key:
        statement = statement.where(Account.search_key.contains(key, autoescape=True))
    if department_id is not None:
        statement = statement.where(exists().where(staff_departments.c.account_id == Account.id,
                                                   staff_departments.c.department_id == department_id))
    if status in STATUSES:
        statement = statement.where(Account.active.is_(status == "active"))
    return statement


def department_badges(accounts) -> dict[int, Markup]:
    """Each account's departments as badges, escaped and joined here: one expression a row in the template."""
    return {account_id: Markup("".join(f'<span class="badge badge-dept">{escape(name)}</span>' for name in names))
            for account_id, names in department_names(accounts).items()}


def department_names(accounts) -> dict[int, list[str]]:
    """The localized names of each account's departments, in one light query (no ORM objects per row)."""
    ids = [account.id for account in accounts]
    names: dict[int, list[str]] = {account_id: [] for account_id in ids}
    if ids:
        russian = current_language() == "ru"  # once, not per badge
        column = func.coalesce(Department.name_ru, Department.name_en) if russian else Department.name_en
        rows = db.session.execute(
            select(staff_departments.c.account_id, column)
            .join(Department, Department.id == staff_departments.c.department_id)
            .where(staff_departments.c.account_id.in_(ids)).order_by(Department.name_key))
        for account_id, name in rows:
            names[account_id].append(name)
    return names


def department_choices() -> list[tuple[int, str]]:
    """(id, localized name) of every department, for the list's filter: one light query."""
    name = func.coalesce(Department.name_ru, Department.name_en) if current_language() == "ru" else Department.name_en
    return [tuple(row) for row in db.session.execute(select(Department.id, name).order_by(Department.name_key))]


def all_departments() -> list[Department]:
    return list(db.session.scalars(select(Department).order_by(Department.name_key)))


def has_avatar(account: Account) -> bool:
    return account.id is not None and bool(db.session.scalar(
        select(func.count()).select_from(Account).where(Account.id == account.id, Account.avatar.is_not(None))
    ))


def individual_rights_count(account: Account) -> int:
    return db.session.scalar(select(func.count()).select_from(StaffRight).where(StaffRight.account_id == account.id))


def login_taken(login: str, except_id: int | None = None) -> bool:
    """Whether another account (staff or client) already uses the login, compared case-insensitively."""
    statement = select(Account.id).where(Account.login_key == fold(login))
    if except_id is not None:
        statement = statement.where(Account.id != except_id)
    return db.session.scalar(statement) is not None


# Delegation rules ----------------------------------------------------------------------------------

def edit_refusal(actor: Account, target: Account | None) -> str | None:
    """Why the actor may not change the target (or create someone, for None), or None if they may."""
    if not can(actor, "staff.edit"):
        return _("You can see this staff member but not change them: you do not have the right “%(right)s”.",
                 right=_("Edit staff"))
    if target is None:
        return None
    return manage_refusal(actor, target)


def disable_refusal(actor: Account, target: Account) -> str | None:
    if target.id == actor.id:
        return _("You cannot disable yourself.")
    if target.builtin:
        return _("The built-in administrator cannot be disabled.")
    return edit_refusal(actor, target)


def delete_refusal(actor: Account, target: Account) -> str | None:
    if target.id == actor.id:
        return _("You cannot delete yourself.")
    if target.builtin:
        return _("The built-in administrator cannot be deleted.")
    return edit_refusal(actor, target)


def locks_for(actor: Account, target: Account | None, departments: list[Department]) -> Locks:
    """What the actor may not change on this form: own flags, full access without holding it, departments."""
    locks = Locks()
    own = target is not None and target.id == actor.id
    if own:
        locks.full_access = _("You cannot change your own full access privileges.")
    elif target is not None and target.builtin:
        locks.full_access = _("The built-in administrator always has full access.")
    elif not effective_rights(actor).full_access:
        locks.full_access = _("Only a staff member with full access can grant it.")
    if own:
        locks.password = _("Change your own password on My profile, where your current password is asked for.")
    if target is not None and target.builtin and not own:
        locks.login = _("Only the built-in administrator can change their own login.")
        locks.credentials = _("Only the built-in administrator can change their own password and email "
                              "(or the server's shell: flask admin-password).")
    granted = rights_by_department() if not own else {}
    for department in departments:
        reason = (_("You cannot change your own departments.") if own
                  else membership_refusal(actor, granted.get(department.id, set())))
        if reason:
            locks.departments[department.id] = reason
    return locks


def _check_changes(actor: Account, target: Account | None, values: StaffValues, locks: Locks,
                   current_ids: set[int]) -> None:
    """Refuse any change to a locked part of the form; the refusal names it."""
    current_full = bool(target and target.full_access)
    if values.full_access != current_full and locks.full_access:
        raise Refused(locks.full_access)
    if target is not None and target.builtin and not target.full_access == values.full_access:
        raise Refused(_("The built-in administrator always has full access."))
    if locks.login and values.login != target.login:
        raise Refused(locks.login)
    if locks.credentials and (values.password or (values.email or None) != (target.email or None)):
        raise Refused(locks.credentials)
    if locks.password and values.password:
        raise Refused(locks.password)
    for department_id in values.department_ids ^ current_ids:
        reason = locks.departments.get(department_id)
        if reason:
            raise Refused(_("You cannot change this department membership: %(reason)s", reason=reason))


def _apply(account: Account, values: StaffValues, departments: list[Department]) -> None:
    account.login = values.login
    account.name_en = values.name_en
    account.name_ru = values.name_ru or None
    account.email = values.email or None
    account.phone = values.phone or None
    account.full_access = values.full_access
    by_id = {d.id: d for d in departments}
    account.departments = [by_id[i] for i in sorted(values.department_ids) if i in by_id]
    if values.password:
        account.set_password(values.password)
    if values.avatar is not None:
        account.avatar = values.avatar
        account.avatar_version = (account.avatar_version or 0) + 1
    elif values.remove_avatar:
        account.avatar = None
        account.avatar_version = (account.avatar_version or 0) + 1


# Writing -------------------------------------------------------------------------------------------

def create_staff(actor: Account, values: StaffValues) -> Account:
    """A new staff member; refused if it would give them more than the actor may give."""
    if not values.password:
        raise ValueError("a new staff member needs a password")
    refusal = edit_refusal(actor, None)
    if refusal:
        raise Refused(refusal)
    departments = all_departments()
    _check_changes(actor, None, values, locks_for(actor, None, departments), set())
    account = Account(kind=AccountKind.staff, active=True, builtin=False, avatar_version=0,
                      updated_at=utcnow(), updated_by_id=actor.id)
    _apply(account, values, departments)
    db.session.add(account)
    db.session.flush()
    record(actor, "staff.create", account)
    return account


def update_staff(actor: Account, target: Account, values: StaffValues, version: int | None) -> None:
    """Change a staff member saved from a form showing `version` (an older one is refused with 409);
    a new password signs them out everywhere."""
    refusal = edit_refusal(actor, target)
    if refusal:
        raise Refused(refusal)
    check_version(target, version)
    departments = all_departments()
    current_ids = {d.id for d in target.departments}
    _check_changes(actor, target, values, locks_for(actor, target, departments), current_ids)
    _apply(target, values, departments)
    target.touch(actor, utcnow())
    db.session.flush()
    kept = None if not target.active else {d.id for d in target.departments}
    release_tickets(target, keep_departments=kept)
    release_tasks(target, keep_departments=kept)
    if values.password:
        end_all_sessions(target.id)  # someone else's: one's own changes on My profile (locks.password)
    record(actor, "staff.update", target, "password changed" if values.password else None)
    forget_rights(target.id)


def set_active(actor: Account, target: Account, active: bool) -> bool:
    """Enable or disable a staff member (sets the state); disabling signs them out. True when it changed."""
    refusal = edit_refusal(actor, target) if active else disable_refusal(actor, target)
    if refusal:
        raise Refused(refusal)
    changed = target.active != active
    target.active = active
    if changed:
        target.touch(actor, utcnow())
    if not active:
        end_all_sessions(target.id)
    db.session.flush()
    if not active:
        release_tickets(target)
        release_tasks(target)
    if changed:
        record(actor, "staff.enable" if active else "staff.disable", target)
        forget_rights(target.id)
    return changed


def delete_staff(actor: Account, target: Account) -> None:
    """Delete a staff member with their memberships, individual grants and sessions; the audit stays."""
    refusal = delete_refusal(actor, target)
    if refusal:
        raise Refused(refusal)
    record(actor, "staff.delete", target)
    target.departments = []
    db.session.flush()
    release_tickets(target)
    release_tasks(target)
    db.session.execute(delete(StaffRight).where(StaffRight.account_id == target.id))
    end_all_sessions(target.id)
    db.session.delete(target)
    db.session.flush()
    forget_rights(target.id)
