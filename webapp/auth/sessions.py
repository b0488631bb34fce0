"""Server-side login sessions, the user loader, safe `next` paths and the locale of a request."""
import secrets
from functools import cache
from urllib.parse import urlsplit

from flask import current_app, has_request_context, request, session
from flask_login import current_user, login_user, logout_user
from sqlalchemy import delete, select
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.extensions import db, login_manager
from webapp.models import Account, AccountSession
from webapp.models.accounts import password_hash_method
from webapp.text import fold


@cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash(secrets.token_hex(16), method=method)



@login_manager.user_loader
def load_account(token: str) -> Account | None:
    """The active account whose server-side session matches the cookie: one query."""
    account = db.session.scalar(
        select(Account)
        .join(AccountSession, AccountSession.account_id == Account.id)
        .where(AccountSession.token_hash == AccountSession.hash_token(token), Account.active.is_(True))
    )
    if account is not None:
        account.session_token = token
    return account


def authenticate(login: str, password: str) -> Account | None:
    account = db.session.scalar(select(Account).where(Account.login_key == fold(login)))
    if account is None:
        # The same work as a real check, so an unknown login is not told apart by the time it takes.
        check_password_hash(_dummy_hash(password_hash_method()), password)
        return None
    if not account.check_password(password) or not account.active:
        return None
    return account


def start_session(account: Account) -> None:
    """A fresh session: nothing from before login survives, and the server holds the token."""
    lang = session.get("lang")
    session.clear()
    token = secrets.token_urlsafe(32)
    db.session.add(AccountSession(token_hash=AccountSession.hash_token(token), account_id=account.id))
    if account.locale is None and lang:
        account.locale = lang
    account.session_token = token
    login_user(account)
    session.permanent = True


def end_session() -> None:
    if current_user.is_authenticated and current_user.session_token:
        db.session.execute(
            delete(AccountSession).where(
                AccountSession.token_hash == AccountSession.hash_token(current_user.session_token)
            )
        )
    logout_user()
    session.clear()


def end_all_sessions(account_id: int) -> None:
    """Sign an account out everywhere: when it is disabled, deleted or its password changes."""
    db.session.execute(delete(AccountSession).where(AccountSession.account_id == account_id))


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


def select_locale() -> str:
    """The user's stored language, else the one chosen before login, else the browser's."""
    languages = list(current_app.config["LANGUAGES"])
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    from webapp.errors import database_down

    if not database_down() and current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("lang") in languages:
        return session["lang"]
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
