"""How a request's SQLite transaction begins: a POST takes the write lock at BEGIN (BEGIN IMMEDIATE), so it
never fails half-way on a lock; a POST that first does slow reading (a login's password hash) reads in a plain
transaction, then ends it and writes in an immediate one, so the hash never holds the lock others wait for."""
from flask import g, has_request_context

from webapp.extensions import db


def reading_first() -> None:
    """This request reads before it writes: its next transaction begins without the write lock."""
    g._sqlite_deferred = True


def now_writing() -> None:
    """End the reading transaction; the next one takes the write lock at BEGIN again."""
    db.session.rollback()
    g._sqlite_deferred = False


def deferred() -> bool:
    return has_request_context() and bool(g.get("_sqlite_deferred"))


def writes_from_begin() -> bool:
    """SQLite: this request's transaction takes the write lock at BEGIN (a POST that does not read first), so
    another connection of the same request waiting for that lock would wait for itself."""
    from flask import request

    from webapp import READ_METHODS

    return (db.engine.dialect.name == "sqlite" and has_request_context() and request.method not in READ_METHODS
            and not deferred())
