"""Changing one's own profile: each change audited; a new password ends the person's other sessions.

Flushes, never commits.
"""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from webapp.audit import record
from webapp.auth.sessions import end_other_sessions
from webapp.extensions import db
from webapp.forms import check_version
from webapp.models import Account
from webapp.models.accounts import utcnow


@dataclass
class ProfileValues:
    """What the profile form submits: locale and new_password None mean unchanged."""

    locale: str | None  # None: unchanged
    phone: str | None
    new_password: str | None = None
    avatar: bytes | None = None  # an 80×80 PNG from process_avatar
    remove_avatar: bool = False
    timezone: str | None = None  # None: the server's
    away: bool = False
    away_until: date | None = None
    ticket_emails: bool = True


def has_avatar(account: Account) -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(Account)
                                  .where(Account.id == account.id, Account.avatar.is_not(None))))


def update_profile(account: Account, values: ProfileValues, version: int | None,
                   session_token: str | None) -> list[str]:
    """Apply the person's own changes (refused with 409 if the form showed an older version); the audit
    actions written, one per change."""
    check_version(account, version)
    changes = []
    if values.new_password:
        account.set_password(values.new_password)
        end_other_sessions(account.id, session_token)  # a stolen session ends; this one goes on
        changes.append(("profile.password", None))
    if values.locale is not None and values.locale != account.locale:
        account.locale = values.locale
        changes.append(("profile.language", values.locale))
    if values.phone != account.phone:
        account.phone = values.phone
        changes.append(("profile.phone", None))
    if values.timezone != account.timezone:
        account.timezone = values.timezone
        changes.append(("profile.timezone", values.timezone or "server"))
    if (values.away, values.away_until) != (bool(account.away), account.away_until):
        went_away = values.away and not account.away
        account.away, account.away_until = values.away, values.away_until
        changes.append(("profile.away", f"until {values.away_until}" if values.away_until else
                        ("on" if values.away else "off")))
        if went_away:
            from webapp.support.service import release_tickets
            from webapp.tasks.service import release_tasks
            release_tickets(account)
            release_tasks(account)
    if values.ticket_emails != bool(account.ticket_emails):
        account.ticket_emails = values.ticket_emails
        changes.append(("profile.ticket_emails", "on" if values.ticket_emails else "off"))
    if values.avatar is not None or (values.remove_avatar and has_avatar(account)):
        account.avatar = values.avatar
        account.avatar_version = (account.avatar_version or 0) + 1
        changes.append(("profile.avatar", "removed" if values.avatar is None else "changed"))
    if changes:
        account.touch(account, utcnow())
        db.session.flush()
    for action, detail in changes:
        record(account, action, account, detail)
    return [action for action, _detail in changes]
