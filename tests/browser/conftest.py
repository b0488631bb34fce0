"""Browser fixtures: a live server per test module on a seeded SQLite file, Debian's Chromium,
a guard against CSP violations and uncaught page errors, and helpers to log in and take screenshots."""
import os
import threading
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from config import BASE_DIR, TestConfig
from tests.factories import PASSWORD, make_department, make_staff
from webapp import create_app
from webapp.cli import seed_defaults
from webapp.extensions import db
from webapp.models import Department

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ADMIN_PASSWORD = "admin-password-123"
ARTIFACTS = BASE_DIR / "test-artifacts"
RU_CATALOG = BASE_DIR / "translations" / "ru" / "LC_MESSAGES" / "messages.mo"

expect.set_options(timeout=5_000)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM,
            "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 800}, "locale": "en-US"}


class LiveServer:
    """The app served by werkzeug in a daemon thread; `app` is for the test's own DB checks."""

    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """A fresh seeded database and server per test module, with real CSRF as in production."""
    db_file = tmp_path_factory.mktemp("live") / "console.sqlite3"
    config = type("BrowserConfig", (TestConfig,), {
        "WTF_CSRF_ENABLED": True,
        "QUEUE_REFRESH_SECONDS": 1,  # the ticket queue refreshes itself: quickly in tests
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}",
    })
    app = create_app(config)
    with app.app_context():
        db.create_all()
        seed_defaults(ADMIN_PASSWORD)
        db.session.commit()
        db.session.remove()
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def smtp_server(live_server):
    """A local SMTP server (aiosmtpd) the live server's worker sends to: `smtp_server.messages`."""
    from tests.mail import SmtpServer

    server = SmtpServer().start()
    live_server.app.config.update(SMTP_HOST=server.host, SMTP_PORT=server.port, SMTP_SECURITY="none")
    yield server
    live_server.app.config.update(SMTP_HOST=None)
    server.stop()


@pytest.fixture
def context(new_context, live_server):
    """A fresh browser context per test whose relative URLs resolve against the live server."""
    context = new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    return context


class PageProblems:
    """Console errors and uncaught exceptions seen on a page."""

    def __init__(self, page: Page):
        self.console_errors: list[str] = []
        self.uncaught: list[str] = []
        page.on("console", lambda msg: self.console_errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda error: self.uncaught.append(str(error)))

    def check(self):
        csp = [text for text in self.console_errors if "Content Security Policy" in text]
        assert not csp, f"CSP violations: {csp}"
        assert not self.uncaught, f"uncaught page errors: {self.uncaught}"


@pytest.fixture
def watch_page():
    """Watch any page (e.g. a second tab) for CSP violations and page errors; checked at teardown."""
    watched: list[PageProblems] = []

    def watch(page: Page) -> Page:
        watched.append(PageProblems(page))
        return page

    yield watch
    for problems in watched:
        problems.check()


@pytest.fixture
def page(context, watch_page) -> Page:
    """A fresh page per test, failing the test on a CSP violation or an uncaught page error."""
    return watch_page(context.new_page())


def shot(page: Page, name: str) -> Path:
    """A full-page screenshot to test-artifacts/NAME.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page: Page, login: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Login").fill(login)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def log_in_as_admin(page: Page) -> None:
    log_in(page, "admin", ADMIN_PASSWORD)


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()


def nav(page: Page, name: str = "Main"):
    """The sidebar: the main navigation (its accessible name is translated too)."""
    return page.get_by_role("navigation", name=name, exact=True)


def unique(prefix: str) -> str:
    """A name no other test in the module uses."""
    return f"{prefix} {uuid.uuid4().hex[:6]}"


def create_department(server: LiveServer, name: str, rights=(), **kwargs) -> int:
    """A department written straight to the live server's database; returns its id."""
    with server.app.app_context():
        department = make_department(name=name, rights=rights, **kwargs)
        db.session.commit()
        department_id = department.id
        db.session.remove()
    return department_id


def create_staff(server: LiveServer, login: str, password: str = PASSWORD, department_ids=(), **kwargs) -> int:
    """A staff member written straight to the live server's database; returns the id."""
    with server.app.app_context():
        departments = [db.session.get(Department, d) for d in department_ids]
        account = make_staff(login=login, password=password, departments=departments, **kwargs)
        db.session.commit()
        account_id = account.id
        db.session.remove()
    return account_id


def query(server: LiveServer, fn):
    """Run fn() in a fresh app context (its own DB session) on the live server's database."""
    with server.app.app_context():
        try:
            return fn()
        finally:
            db.session.remove()


def htmx_settled(page: Page) -> None:
    """Wait until htmx has finished every request and swap: new content is wired up only after settling."""
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added")).to_have_count(0)
