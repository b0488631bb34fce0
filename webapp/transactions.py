"""How a request's SQLite transaction begins: a POST takes the write lock at BEGIN (BEGIN IMMEDIATE), so it
never fails half-way on a lock; a POST that first does slow reading (a login's password hash) reads in a plain
transaction, then ends it and writes in an immediate one, so the hash never holds the lock others wait for.

once(): a record created once per filling of a form (webapp.forms.SubmissionField), however often it is sent."""
from flask import g, has_request_context
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

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


def once(model, key: str | None, create):
    """(record, True) when create() made the record now and it is committed; (the record made earlier, False)
    when a form with this key was sent before, even at the same moment by another request (the model's unique
    `submission_key` then refuses the second insert). With no key, create() runs."""
    def earlier():
        return db.session.scalar(select(model).where(model.submission_key == key)) if key else None

    found = earlier()
    if found is not None:
        return found, False
    try:
        record = create()
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        found = earlier()
        if found is None:
            raise
        return found, False
    return record, True
