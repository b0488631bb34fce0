"""Clients and client groups: finding, creating, changing; each checks its own rules, flushes and audits."""
from dataclasses import dataclass

from flask import abort
from sqlalchemy import func, select

from webapp.audit import record
from webapp.auth.sessions import end_all_sessions
from webapp.errors import Refused
from webapp.extensions import db
from webapp.forms import check_version
from webapp.i18n import gettext as _
from webapp.models import Account, AccountKind, ClientGroup
from webapp.models.accounts import utcnow
from webapp.rights import can
from webapp.text import fold

LIST_COLUMNS = (Account.id, Account.login, Account.name_en, Account.email, Account.active, Account.locale,
                Account.last_login_at, ClientGroup.name_en.label("group_en"), ClientGroup.name_ru.label("group_ru"))


@dataclass
class ClientValues:
    """What the client form submits: password None means unchanged; group None means no group."""

    name: str
    email: str
    login: str
    locale: str
    timezone: str
    client_group_id: int | None
    active: bool
    password: str | None = None


def _check_edit(actor: Account) -> None:
    if not can(actor, "clients.edit"):
        raise Refused(_("You need the right %(rights)s to do this.", rights="“" + _("Edit clients") + "”"))


# Clients ------------------------------------------------------------------------------------------

def get_client_or_404(client_id: int) -> Account:
    """A client account by id; a staff member's id is a 404 too."""
    account = db.session.scalar(select(Account).where(Account.id == client_id, Account.kind == AccountKind.client))
    if account is None:
        abort(404, _("There is no such client; the account may have been deleted in the meantime."))
    return account


def list_clients(query: str = ""):
    """Clients matching the query in name, email or login (one LIKE on the folded key), by login: plain rows."""
    statement = (select(*LIST_COLUMNS).outerjoin(ClientGroup, ClientGroup.id == Account.client_group_id)
                 .where(Account.kind == AccountKind.client).order_by(Account.login_key))
    key = fold(query)
    if key:
        statement = statement.where(Account.search_key.contains(key, autoescape=True))
    return statement


def _apply(account: Account, values: ClientValues) -> None:
    account.name_en = values.name
    account.email = values.email
    account.login = values.login
    account.locale = values.locale
    account.timezone = values.timezone
    account.client_group_id = values.client_group_id
    account.active = values.active
    if values.password:
        account.set_password(values.password)


def create_client(actor: Account, values: ClientValues) -> Account:
    _check_edit(actor)
    if not values.password:
        raise ValueError("a new client needs a password")
    account = Account(kind=AccountKind.client, full_access=False, builtin=False, avatar_version=0,
                      updated_at=utcnow(), updated_by_id=actor.id)
    _apply(account, values)
    db.session.add(account)
    db.session.flush()
    record(actor, "client.create", account)
    return account


def update_client(actor: Account, client: Account, values: ClientValues, version: int | None) -> None:
    """Save a client from a form showing `version`; a new password or disabling ends their sessions."""
    _check_edit(actor)
    check_version(client, version)
    ends_sessions = bool(values.password) or (client.active and not values.active)
    _apply(client, values)
    client.touch(actor, utcnow())
    db.session.flush()
    if ends_sessions:
        end_all_sessions(client.id)
    record(actor, "client.update", client, "password changed" if values.password else None)


# Client groups ------------------------------------------------------------------------------------

def group_choices() -> list[ClientGroup]:
    return list(db.session.scalars(select(ClientGroup).order_by(ClientGroup.name_key)))


def groups_with_counts() -> list[tuple[ClientGroup, int]]:
    """Every group with its number of clients: two queries."""
    groups = group_choices()
    counts = dict(db.session.execute(
        select(Account.client_group_id, func.count()).where(Account.client_group_id.is_not(None))
        .group_by(Account.client_group_id)).all())
    return [(group, counts.get(group.id, 0)) for group in groups]


def get_group_or_404(group_id: int) -> ClientGroup:
    group = db.session.get(ClientGroup, group_id)
    if group is None:
        abort(404, _("There is no such client group; it may have been deleted in the meantime."))
    return group


def group_members(group: ClientGroup) -> int:
    return db.session.scalar(select(func.count()).select_from(Account).where(Account.client_group_id == group.id))


def create_group(actor: Account, name_en: str, name_ru: str | None) -> ClientGroup:
    _check_edit(actor)
    group = ClientGroup(name_en=name_en, name_ru=name_ru or None, updated_at=utcnow(), updated_by_id=actor.id)
    db.session.add(group)
    db.session.flush()
    record(actor, "client_group.create", group)
    return group


def update_group(actor: Account, group: ClientGroup, name_en: str, name_ru: str | None, version: int | None) -> None:
    _check_edit(actor)
    check_version(group, version)
    group.name_en, group.name_ru = name_en, name_ru or None
    group.touch(actor, utcnow())
    db.session.flush()
    record(actor, "client_group.update", group)


def departments_only_for(group: ClientGroup) -> list:
    """Departments in the support center visible to this group alone: without it they would be visible to
    every client (no group chosen means everyone)."""
    from webapp.models import Department

    return [d for d in db.session.scalars(select(Department).where(Department.client_groups.any(
        ClientGroup.id == group.id), Department.show_in_support.is_(True))) if len(d.client_groups) == 1]


def delete_group(actor: Account, group: ClientGroup) -> int:
    """Delete a group; its clients stay, in no group. Departments that only its clients could see leave the
    support center rather than open to everyone. Returns how many clients it had."""
    _check_edit(actor)
    members = group_members(group)
    hidden = departments_only_for(group)
    for department in hidden:
        department.show_in_support = False
        department.touch(actor, utcnow())
    record(actor, "client_group.delete", group, f"clients left without a group: {members}; hidden from the "
           f"support center: {', '.join(d.name_en for d in hidden) or '-'}")
    db.session.delete(group)
    db.session.flush()
    return members


