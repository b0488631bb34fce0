"""Finding the client a payment or a charge is for: by login (50,000 clients do not fit a <select>), and the
suggestions shown while the login is typed."""
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Account, AccountKind
from webapp.text import fold

SUGGESTIONS = 10


def client_by_login(login: str | None) -> Account | None:
    """The client account with this login (compared as logins are: folded), or None."""
    key = fold(login or "")[:64]
    if not key:
        return None
    return db.session.scalar(select(Account).where(Account.kind == AccountKind.client, Account.login_key == key))


def client_suggestions(text: str) -> list:
    """Up to ten clients whose login, name or email contains the text, by login: plain rows."""
    key = fold(text)
    if len(key) < 2:
        return []
    return db.session.execute(
        select(Account.login, Account.name_en, Account.name_ru)
        .where(Account.kind == AccountKind.client, Account.search_key.contains(key, autoescape=True))
        .order_by(Account.kind, Account.login_key).limit(SUGGESTIONS)).all()


def client_condition(text: str, client_id: int | None, column):
    """The WHERE conditions of a list's client filter: an exact client (a link from the client's page) and/or a
    text that their login, name or email contains."""
    conditions = []
    if client_id is not None:
        conditions.append(column == client_id)
    key = fold(text)
    if key:
        conditions.append(column.in_(select(Account.id).where(
            Account.kind == AccountKind.client, Account.search_key.contains(key, autoescape=True))))
    return conditions
