"""Fixtures: a fresh app and database per test, a client, a login helper, SQL query counting, and a local SMTP
server that keeps what it receives."""
import os

# Before webapp.worker is imported: the worker's tasks run in-process at once (tests that need a real consumer
# give the queue a storage of their own, see tests/worker.py).
os.environ.setdefault("HUEY_IMMEDIATE", "1")

import contextvars
import re
from contextlib import contextmanager

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event, select

from config import TestConfig
from tests.factories import PASSWORD
from webapp import create_app
from webapp.cli import seed_defaults
from webapp.extensions import db, limiter
from webapp.models import Account

ADMIN_PASSWORD = "admin-password-123"


class RequestClient(FlaskClient):
    """Each request runs as in a real worker: its own app context, `g` and database session.

    The test's own session is committed first (so the request sees the factories' rows) and
    expired after (so the test sees what the request wrote).
    """

    def open(self, *args, **kwargs):
        db.session.commit()
        response = contextvars.Context().run(super().open, *args, **kwargs)
        db.session.expire_all()
        return response


def database_url(tmp_path) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'test.sqlite3'}"


@contextmanager
def running_app(tmp_path, **settings):
    """A seeded app on a fresh database, with TestConfig plus `settings`; inside its app context."""
    config = type("Config", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url(tmp_path), **settings})
    app = create_app(config)
    app.test_client_class = RequestClient
    with app.app_context():
        limiter.reset()  # Redis storage is shared by every test app: each starts with no failures counted
        db.drop_all()
        db.create_all()
        seed_defaults(ADMIN_PASSWORD)
        db.session.commit()
        yield app
        db.session.remove()
        db.drop_all()


@pytest.fixture
def app(tmp_path):
    with running_app(tmp_path) as app:
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def admin(app):
    return db.session.scalar(select(Account).where(Account.login == "admin"))


def login(client, account_or_login, password=None):
    """Log in through the real form; returns the response."""
    login_name = getattr(account_or_login, "login", account_or_login)
    if password is None:
        password = ADMIN_PASSWORD if login_name == "admin" else PASSWORD
    return client.post("/login", data={"login": login_name, "password": password})


@pytest.fixture
def as_admin(client, admin):
    response = login(client, admin)
    assert response.status_code == 302, response.text
    return client


@pytest.fixture
def count_queries(app):
    """Count SQL statements run inside the block: `with count_queries() as counter: ...; counter.n`."""

    class Counter:
        n = 0
        statements: list

    @contextmanager
    def counting():
        counter = Counter()
        counter.statements = []

        def before(conn, cursor, statement, *args):
            if not re.match(r"\s*(BEGIN|COMMIT|ROLLBACK|PRAGMA|SAVEPOINT|RELEASE)", statement, re.I):
                counter.n += 1
                counter.statements.append(statement)

        engine = db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counting


def csrf_token_of(html: str) -> str:
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert match, "no csrf-token meta on the page"
    return match.group(1)


@pytest.fixture
def smtp_server():
    """A local SMTP server (aiosmtpd) that keeps what it receives: `smtp_server.messages`."""
    from tests.mail import SmtpServer

    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def mail_app(app, smtp_server):
    """The app sending through the local SMTP server."""
    app.config.update(SMTP_HOST=smtp_server.host, SMTP_PORT=smtp_server.port, SMTP_SECURITY="none")
    return app
