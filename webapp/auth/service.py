"""Logging in and out: the throttle, the audit trail and the server-side session. Flushes, never commits."""
from flask_login import current_user
from sqlalchemy import update

from webapp.audit import record
from webapp.auth import throttle
from webapp.auth.sessions import (
    end_server_session,
    find_account,
    password_matches,
    purge_expired_sessions,
    start_session,
)
from webapp.extensions import db
from webapp.models import Account
from webapp.models.accounts import utcnow
from webapp.transactions import now_writing, reading_first


def log_in(login: str, password: str, address: str | None) -> Account | None:
    """The account, logged in with a fresh session; or None, with the failure counted and recorded.

    Refused with 429 before the password is checked when this login or this address failed too often.
    The password is checked in a read transaction, so a slow hash never holds SQLite's write lock."""
    reading_first()
    with throttle.attempt(address):
        throttle.check_login_allowed(login, address)
        account = find_account(login)
        matches = password_matches(account, password)
        failed = account is None or not matches or not account.active
        if failed:
            throttle.count_failure(login, address)
    account_id = account.id if account is not None else None
    now_writing()
    account = db.session.get(Account, account_id) if account_id is not None else None
    if failed or account is None:
        # The login tried, never the password.
        detail = "unknown login" if account is None else "wrong password" if not matches else "account disabled"
        record(None, "auth.login_failed", account if account is not None else f"login:{login}", detail, address)
        return None
    throttle.forget_failures(login, address)
    purge_expired_sessions()
    start_session(account)
    # Not through the ORM: a login must not bump into the version check of a form someone is saving.
    db.session.execute(update(Account).where(Account.id == account.id).values(last_login_at=utcnow())
                       .execution_options(synchronize_session=False))
    record(account, "auth.login", account, address=address)
    return account


def log_out(address: str | None) -> None:
    """End the current session on the server and record it; the route forgets the cookie after the commit."""
    account = current_user._get_current_object()
    end_server_session(account)
    record(account, "auth.logout", account, address=address)
