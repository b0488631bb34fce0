"""Server-side login sessions, the user loader, safe `next` paths and the locale of a request."""
import secrets
from datetime import datetime, timedelta
from functools import cache
from urllib.parse import urlsplit

from babel import Locale
from flask import current_app, has_request_context, request, session
from flask_login import current_user, login_user, logout_user
from sqlalchemy import bindparam, delete, or_, select, update
from sqlalchemy.exc import OperationalError
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.extensions import db, login_manager
from webapp.models import Account, AccountSession
from webapp.models.accounts import password_hash_method, utcnow
from webapp.moments import as_utc
from webapp.text import fold
from webapp.transactions import writes_from_begin


@cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash(secrets.token_hex(16), method=method)


SEEN_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often, not on every request


def _idle_limit() -> timedelta:
    return timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])


def _lifetime() -> timedelta:
    return timedelta(hours=current_app.config["SESSION_MAX_HOURS"])


def session_expired(created_at: datetime, last_seen_at: datetime, now: datetime) -> bool:
    """Idle for too long, or logged in for too long."""
    return now - as_utc(last_seen_at) > _idle_limit() or now - as_utc(created_at) > _lifetime()


def _by_token(token: str):
    return AccountSession.token_hash == AccountSession.hash_token(token)


def _write_now(statement) -> None:
    """A write of the loader's own (expiry, last seen) in a short transaction of its own, on its own
    connection: it must not turn the request's read transaction into a write (on SQLite that fails at once
    when another worker wrote meanwhile), and it is not the person's change, so an error page later must not
    say that their change was saved. Best effort: if the database is busy, the next request tries again.
    A SQLite POST holds the write lock already: there the write joins the request's transaction (another
    connection would wait for that lock until the busy timeout, 5 s, and give up)."""
    if writes_from_begin():
        db.session.execute(statement)
        return
    try:
        with db.engine.connect().execution_options(sqlite_immediate=True) as connection, connection.begin():
            connection.execute(statement)
    except OperationalError:
        current_app.logger.info("Session bookkeeping skipped: the database is busy")


@cache
def _loader_statement():
    """Built once (every request runs it; building it cost as much as running it)."""
    return (select(Account, AccountSession.created_at, AccountSession.last_seen_at)
            .join(AccountSession, AccountSession.account_id == Account.id)
            .where(AccountSession.token_hash == bindparam("token_hash"), Account.active.is_(True)))


@login_manager.user_loader
def load_account(token: str) -> Account | None:
    """The active account whose unexpired server-side session matches the cookie: one query, and a write
    at most once a minute (last seen) or when the session has expired (deleted)."""
    row = db.session.execute(_loader_statement(), {"token_hash": AccountSession.hash_token(token)}).first()
    if row is None:
        return None
    account, created_at, last_seen_at = row
    now = utcnow()
    if session_expired(created_at, last_seen_at, now):
        _write_now(delete(AccountSession).where(_by_token(token)))
        return None
    if now - as_utc(last_seen_at) >= SEEN_EVERY:
        _write_now(update(AccountSession).where(_by_token(token)).values(last_seen_at=now))
    account.session_token = token
    return account


def find_account(login: str) -> Account | None:
    return db.session.scalar(select(Account).where(Account.login_key == fold(login)))


def password_matches(account: Account | None, password: str) -> bool:
    """Whether the password is the account's; for no account, the same work, so that an unknown login is
    not told apart by the time it takes."""
    if account is None:
        check_password_hash(_dummy_hash(password_hash_method()), password)
        return False
    return account.check_password(password)


def start_session(account: Account) -> None:
    """A fresh session: nothing from before login survives (a session this browser held ends on the server
    too), and the server holds the token."""
    if current_user.is_authenticated and current_user.session_token:
        db.session.execute(delete(AccountSession).where(_by_token(current_user.session_token)))
    lang = session.get("lang")
    session.clear()
    token = secrets.token_urlsafe(32)
    db.session.add(AccountSession(token_hash=AccountSession.hash_token(token), account_id=account.id))
    if account.locale is None and lang:
        account.locale = lang
    account.session_token = token
    login_user(account)
    session.permanent = True


def end_server_session(account: Account) -> None:
    """Delete the session this request authenticated with; the cookie is forgotten only after the commit."""
    if account.session_token:
        db.session.execute(delete(AccountSession).where(_by_token(account.session_token)))


def forget_login() -> None:
    """Forget the login in this browser: call after the server-side session is gone for good."""
    logout_user()
    session.clear()


def end_all_sessions(account_id: int) -> None:
    """Sign an account out everywhere: when it is disabled, deleted or its password changes."""
    db.session.execute(delete(AccountSession).where(AccountSession.account_id == account_id))


def end_other_sessions(account_id: int, keep_token: str | None) -> None:
    """Sign an account out everywhere except the session with this token (the person changing things)."""
    statement = delete(AccountSession).where(AccountSession.account_id == account_id)
    if keep_token:
        statement = statement.where(AccountSession.token_hash != AccountSession.hash_token(keep_token))
    db.session.execute(statement)


def purge_expired_sessions() -> int:
    """Delete every expired session; the number deleted."""
    now = utcnow()
    result = db.session.execute(delete(AccountSession).where(or_(
        AccountSession.last_seen_at < now - _idle_limit(),
        AccountSession.created_at < now - _lifetime(),
    )).execution_options(synchronize_session=False))
    return result.rowcount or 0


def safe_next(target: str | None) -> str | None:
    """A local path to go on to after login, or None: no scheme, no host, no `//` or `/\\` tricks."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(ch in target for ch in "\\\r\n\t") or any(ord(ch) < 32 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def select_locale() -> Locale:
    """The user's stored language, else the one chosen before login, else the browser's, else the default
    language of the settings."""
    config = current_app.config
    if not has_request_context():
        return _locale(config["BABEL_DEFAULT_LOCALE"])
    from webapp.errors import database_down

    languages, down = config["LANGUAGES"], database_down()
    user = None if down else current_user._get_current_object()
    if user is not None and user.is_authenticated and user.locale in languages:
        return _locale(user.locale)
    chosen = session.get("lang")
    if chosen in languages:
        return _locale(chosen)
    browser = request.accept_languages.best_match(list(languages))
    if browser or down:
        return _locale(browser or config["BABEL_DEFAULT_LOCALE"])
    from webapp.settings.service import default_language

    return _locale(default_language())


@cache
def _locale(language: str) -> Locale:
    """Babel's locale of one of our languages, parsed once (Flask-Babel takes a Locale as it is)."""
    return Locale.parse(language)
