"""Login, logout, sessions (expiry, throttling, audit), `next`, language, CSRF, security headers, and
`flask admin-password` / `flask purge-sessions`."""
import os
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import ADMIN_PASSWORD, csrf_token_of, login
from tests.factories import PASSWORD, make_customer_account, make_staff
from webapp.extensions import db
from webapp.models import AccountSession, AuditEntry
from webapp.models.accounts import utcnow


def test_login_page_has_labelled_fields(client):
    page = client.get("/login").text
    assert '<label class="field-label" for="login">Login</label>' in page
    assert '<label class="field-label" for="password">Password</label>' in page


def test_login_is_case_insensitive_and_lands_on_dashboard(client, admin):
    response = client.post("/login", data={"login": "ADMIN", "password": ADMIN_PASSWORD})
    assert response.status_code == 302 and response.location == "/"
    assert "Welcome, Administrator" in client.get("/").text


@pytest.mark.parametrize("login_name,password", [("admin", "wrong-password"), ("nobody", "whatever-pass"),
                                                 ("", ""), ("admin", "")])
def test_bad_login_is_refused_with_a_message(client, admin, login_name, password):
    response = client.post("/login", data={"login": login_name, "password": password})
    assert response.status_code == 422
    assert client.get("/").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(AccountSession)) == 0


def test_disabled_staff_cannot_log_in(client):
    staff = make_staff(active=False)
    response = login(client, staff)
    assert response.status_code == 422
    assert "disabled" in response.text


def test_session_is_fresh_at_login(client, admin):
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    login(client, admin)
    with client.session_transaction() as session:
        assert "planted" not in session


def test_logout_ends_the_session_on_the_server(app, admin):
    first = app.test_client()
    login(first, admin)
    with first.session_transaction() as session:
        stolen = dict(session)
    assert first.post("/logout").status_code == 302
    assert first.get("/").status_code == 302
    replay = app.test_client()
    with replay.session_transaction() as session:
        session.update(stolen)
    assert replay.get("/").status_code == 302  # the copied cookie no longer works
    assert replay.get("/").location.startswith("/login")


def test_logout_is_post_only(as_admin):
    assert as_admin.get("/logout").status_code == 405
    assert as_admin.get("/").status_code == 200


@pytest.mark.parametrize("target,expected", [
    ("/provider/departments/", "/provider/departments/"),
    ("//evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("https://evil.example/", "/"),
    ("javascript:alert(1)", "/"),
    ("/%0d%0aLocation:evil", "/%0d%0aLocation:evil"),
])
def test_next_accepts_local_paths_only(client, admin, target, expected):
    response = client.post("/login", data={"login": "admin", "password": ADMIN_PASSWORD, "next": target})
    assert response.location == expected


def test_anonymous_is_sent_to_login_with_next(client):
    response = client.get("/provider/departments/?page=2")
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")


def test_htmx_anonymous_gets_hx_redirect(client):
    response = client.post("/provider/departments/1/permissions/clients.view", data={"state": "on"},
                           headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"].startswith("/login")


def test_client_account_gets_403_on_staff_pages(client):
    customer = make_customer_account()
    assert login(client, customer).status_code == 302
    for url in ["/provider/departments/", "/provider/staff/", "/provider/business-hours/", "/clients"]:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "for staff only" in response.text


def test_forbidden_page_is_in_the_layout_and_fragment_for_htmx(client):
    staff = make_staff(rights=[])
    login(client, staff)
    page = client.get("/provider/departments/")
    assert page.status_code == 403 and "<nav" in page.text and "View departments" in page.text
    fragment = client.get("/provider/departments/", headers={"HX-Request": "true"})
    assert fragment.status_code == 403 and "<html" not in fragment.text and "error-fragment" in fragment.text


def test_language_is_stored_per_user(client, admin):
    login(client, admin)
    assert client.post("/language", data={"lang": "ru", "next": "/"}).status_code == 302
    assert "Добро пожаловать" in client.get("/").text
    client.post("/logout")
    other = client.application.test_client()
    login(other, admin)
    assert "Добро пожаловать" in other.get("/").text


def test_language_falls_back_to_accept_language(client):
    assert "Вход" in client.get("/login", headers={"Accept-Language": "ru-RU,ru;q=0.9"}).text
    assert "Log in" in client.get("/login", headers={"Accept-Language": "de-DE"}).text


def test_unknown_language_is_refused(client):
    assert client.post("/language", data={"lang": "xx"}).status_code == 400


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.fixture
def csrf_app(tmp_path):
    from tests.conftest import running_app

    with running_app(tmp_path, WTF_CSRF_ENABLED=True) as app:
        yield app


def test_csrf_is_required_on_every_post_htmx_included(csrf_app):
    client = csrf_app.test_client()
    assert client.post("/login", data={"login": "admin", "password": ADMIN_PASSWORD}).status_code == 400
    token = csrf_token_of(client.get("/login").text)
    response = client.post("/login", data={"login": "admin", "password": ADMIN_PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    token = csrf_token_of(client.get("/").text)
    url = "/provider/departments/1/permissions/settings.edit"
    refused = client.post(url, data={"state": "on"}, headers={"HX-Request": "true"})
    assert refused.status_code == 400 and "stale" in refused.text
    accepted = client.post(url, data={"state": "on"}, headers={"HX-Request": "true", "X-CSRFToken": token})
    assert accepted.status_code == 200 and 'aria-checked="true"' in accepted.text
    assert 'hx-headers=\'{"X-CSRFToken": "' in client.get("/").text


def test_password_is_hashed(admin):
    assert ADMIN_PASSWORD not in admin.password_hash and admin.check_password(ADMIN_PASSWORD)
    assert PASSWORD  # factories share one known password


# Login page wording --------------------------------------------------------------------------------

def test_failed_login_reads_as_a_failed_login(client, admin):
    page = client.post("/login", data={"login": "admin", "password": "wrong-password"}).text
    assert "Login failed:" in page and "The form was not saved" not in page
    assert "Wrong login or password" in page  # the field error stays


# Session expiry ------------------------------------------------------------------------------------

def session_token(client) -> str:
    with client.session_transaction() as session:
        return session["_user_id"]


def session_row(client) -> AccountSession | None:
    db.session.expire_all()
    return db.session.get(AccountSession, AccountSession.hash_token(session_token(client)))


def age_session(client, idle=timedelta(0), age=timedelta(0)) -> AccountSession:
    """Freeze time the other way round: move the session's timestamps into the past."""
    row = session_row(client)
    now = utcnow()
    row.created_at = now - max(idle, age)
    row.last_seen_at = now - idle
    db.session.commit()
    return row


def test_an_idle_session_expires_and_is_deleted(as_admin):
    token_hash = AccountSession.hash_token(session_token(as_admin))
    age_session(as_admin, idle=timedelta(minutes=31))
    response = as_admin.get("/")
    assert response.status_code == 302 and response.location.startswith("/login")
    assert db.session.get(AccountSession, token_hash) is None


def test_an_active_session_within_the_idle_limit_goes_on(as_admin):
    age_session(as_admin, idle=timedelta(minutes=29), age=timedelta(hours=11))
    assert as_admin.get("/").status_code == 200


def test_a_session_ends_after_its_absolute_lifetime_however_active(as_admin):
    token_hash = AccountSession.hash_token(session_token(as_admin))
    age_session(as_admin, idle=timedelta(seconds=5), age=timedelta(hours=12, minutes=1))
    assert as_admin.get("/").status_code == 302
    assert db.session.get(AccountSession, token_hash) is None


def test_session_limits_come_from_the_configuration(tmp_path):
    from tests.conftest import running_app

    with running_app(tmp_path, SESSION_IDLE_MINUTES=5, SESSION_MAX_HOURS=1) as app:
        admin_client = app.test_client()
        login(admin_client, "admin")
        age_session(admin_client, idle=timedelta(minutes=6))
        assert admin_client.get("/").status_code == 302
        login(admin_client, "admin")
        age_session(admin_client, idle=timedelta(minutes=1), age=timedelta(minutes=61))
        assert admin_client.get("/").status_code == 302


def test_session_limits_are_read_from_the_environment():
    import subprocess
    import sys

    import config

    code = "import config; print(config.Config.SESSION_IDLE_MINUTES, config.Config.SESSION_MAX_HOURS, " \
           "config.Config.PERMANENT_SESSION_LIFETIME, config.Config.RATELIMIT_STORAGE_URI)"
    env = {"PATH": os.environ.get("PATH", ""), "SESSION_IDLE_MINUTES": "7", "SESSION_MAX_HOURS": "2",
           "RATELIMIT_STORAGE_URI": "redis://cache:6379"}
    output = subprocess.run([sys.executable, "-c", code], cwd=config.BASE_DIR, env=env, check=True,
                            capture_output=True, text=True).stdout.split()
    assert output == ["7", "2", "7200", "redis://cache:6379"]
    defaults = subprocess.run([sys.executable, "-c", code], cwd=config.BASE_DIR, check=True, capture_output=True,
                              text=True, env={"PATH": os.environ.get("PATH", "")}).stdout.split()
    assert defaults == ["30", "12", "43200", "memory://"]


def test_last_seen_is_written_at_most_once_a_minute(as_admin, count_queries):
    recent = age_session(as_admin, idle=timedelta(seconds=30)).last_seen_at
    with count_queries() as counter:
        assert as_admin.get("/").status_code == 200
    assert not any(s.lstrip().upper().startswith("UPDATE") for s in counter.statements)
    assert session_row(as_admin).last_seen_at == recent
    stale = age_session(as_admin, idle=timedelta(minutes=2)).last_seen_at
    assert as_admin.get("/").status_code == 200
    seen = session_row(as_admin).last_seen_at
    assert seen > stale and utcnow().replace(tzinfo=None) - seen.replace(tzinfo=None) < timedelta(seconds=30)


def test_flask_purge_sessions_deletes_expired_rows(app, admin):
    staff = make_staff()
    now = utcnow()
    rows = {
        "fresh": AccountSession(token_hash="a" * 64, account_id=admin.id, created_at=now, last_seen_at=now),
        "idle": AccountSession(token_hash="b" * 64, account_id=admin.id, created_at=now - timedelta(hours=1),
                               last_seen_at=now - timedelta(minutes=31)),
        "old": AccountSession(token_hash="c" * 64, account_id=staff.id, created_at=now - timedelta(hours=13),
                              last_seen_at=now - timedelta(minutes=1)),
    }
    db.session.add_all(rows.values())
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["purge-sessions"])
    assert result.exit_code == 0 and "Deleted 2" in result.output
    db.session.expire_all()
    assert set(db.session.scalars(select(AccountSession.token_hash))) == {"a" * 64}


def test_logging_in_purges_expired_sessions(client, admin):
    staff = make_staff()
    old = utcnow() - timedelta(days=2)
    db.session.add(AccountSession(token_hash="d" * 64, account_id=staff.id, created_at=old, last_seen_at=old))
    db.session.commit()
    assert login(client, admin).status_code == 302
    assert db.session.get(AccountSession, "d" * 64) is None
    assert db.session.scalar(select(func.count()).select_from(AccountSession)) == 1


def test_a_new_login_in_the_same_browser_ends_the_previous_session(client, admin):
    login(client, admin)
    previous = AccountSession.hash_token(session_token(client))
    staff = make_staff()
    assert login(client, staff).status_code == 302
    assert db.session.get(AccountSession, previous) is None
    assert db.session.scalar(select(func.count()).select_from(AccountSession)) == 1
    assert "Welcome, " + staff.name in client.get("/").text


def test_login_records_the_time(client, admin):
    assert admin.last_login_at is None
    login(client, admin)
    db.session.expire_all()
    assert admin.last_login_at is not None


# Throttling of failed logins -----------------------------------------------------------------------

def fail_login(client, login_name="admin", address="127.0.0.1"):
    return client.post("/login", data={"login": login_name, "password": "not-the-password"},
                       environ_base={"REMOTE_ADDR": address})


def test_five_failures_lock_that_login_from_that_address(client, admin):
    for _ in range(5):
        assert fail_login(client).status_code == 422
    locked = client.post("/login", data={"login": "Admin", "password": ADMIN_PASSWORD})  # folded, right password
    assert locked.status_code == 429
    assert "Try again in 15 minutes" in locked.text
    assert 14 * 60 < int(locked.headers["Retry-After"]) <= 15 * 60
    assert db.session.scalar(select(func.count()).select_from(AccountSession)) == 0


def test_a_locked_login_does_not_lock_others_or_other_addresses(client, admin):
    staff = make_staff()
    for _ in range(5):
        fail_login(client)
    assert fail_login(client).status_code == 429
    assert login(client, staff).status_code == 302  # another login from the same address
    other = client.application.test_client()
    response = other.post("/login", data={"login": "admin", "password": ADMIN_PASSWORD},
                          environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert response.status_code == 302  # the same login from another address


def test_only_failures_count(client, admin):
    for _ in range(8):
        assert login(client, admin).status_code == 302
    for _ in range(4):
        fail_login(client)
    assert login(client, admin).status_code == 302  # a success forgets this login's failures from here
    for _ in range(4):
        fail_login(client)
    assert login(client, admin).status_code == 302


def test_fifty_failures_lock_the_address_whatever_the_logins(client, admin):
    for n in range(50):
        assert fail_login(client, f"guess{n}", "10.0.0.9").status_code == 422
    locked = client.post("/login", data={"login": "admin", "password": ADMIN_PASSWORD},
                         environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert locked.status_code == 429 and "Retry-After" in locked.headers
    assert login(client, admin).status_code == 302  # another address


def test_failures_do_not_leak_between_apps(tmp_path, app):
    from tests.conftest import running_app

    for _ in range(5):
        fail_login(app.test_client())
    assert fail_login(app.test_client()).status_code == 429
    (tmp_path / "second").mkdir()
    with running_app(tmp_path / "second") as second:
        assert fail_login(second.test_client()).status_code == 422


# Audit of logins and logouts -----------------------------------------------------------------------

def audit(action):
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def test_logins_failures_and_logouts_are_audited_with_the_address(client, admin):
    fail_login(client, "admin", "10.1.1.1")
    fail_login(client, "nobody-here", "10.1.1.2")
    client.post("/login", data={"login": "admin", "password": ADMIN_PASSWORD}, environ_base={"REMOTE_ADDR": "10.1.1.3"})
    client.post("/logout", environ_base={"REMOTE_ADDR": "10.1.1.4"})
    failed = audit("auth.login_failed")
    assert [(e.actor_id, e.target, e.detail, e.address) for e in failed] == [
        (None, f"account:{admin.id}:admin", "wrong password", "10.1.1.1"),
        (None, "login:nobody-here", "unknown login", "10.1.1.2"),
    ]
    [entry] = audit("auth.login")
    assert (entry.actor_id, entry.target, entry.address) == (admin.id, f"account:{admin.id}:admin", "10.1.1.3")
    [entry] = audit("auth.logout")
    assert (entry.actor_id, entry.address) == (admin.id, "10.1.1.4")
    everything = " ".join(f"{e.target} {e.detail}" for e in db.session.scalars(select(AuditEntry)))
    assert "not-the-password" not in everything and ADMIN_PASSWORD not in everything


def test_a_disabled_account_failing_is_audited(client):
    staff = make_staff(active=False)
    login(client, staff)
    [entry] = audit("auth.login_failed")
    assert entry.detail == "account disabled"


# Logout ---------------------------------------------------------------------------------------------

def test_a_client_account_can_log_out(client):
    customer = make_customer_account()
    assert login(client, customer).status_code == 302
    response = client.post("/logout")
    assert response.status_code == 302 and response.location == "/login"
    assert db.session.scalar(select(func.count()).select_from(AccountSession)) == 0
    assert [e.actor_id for e in audit("auth.logout")] == [customer.id]


def test_logout_is_all_or_nothing_when_the_database_fails(app, as_admin, monkeypatch):
    from flask import has_request_context, request
    from sqlalchemy.exc import OperationalError

    real_commit = db.session.commit

    def commit():
        if has_request_context() and request.endpoint == "auth.logout":
            raise OperationalError("COMMIT", {}, Exception("database is locked"))
        return real_commit()

    monkeypatch.setattr(db.session, "commit", commit)
    before = session_token(as_admin)
    response = as_admin.post("/logout")
    assert response.status_code == 503 and "Retry-After" in response.headers
    assert session_token(as_admin) == before  # the cookie is untouched
    monkeypatch.undo()
    assert as_admin.get("/").status_code == 200  # still logged in, on the server too
    assert session_row(as_admin) is not None


# flask admin-password ------------------------------------------------------------------------------

def test_admin_password_from_the_environment_ends_the_admins_sessions(app, as_admin, admin):
    result = app.test_cli_runner().invoke(args=["admin-password"], env={"ADMIN_PASSWORD": "brand-new-secret-1"})
    assert result.exit_code == 0, result.output
    assert "brand-new-secret-1" not in result.output
    db.session.expire_all()
    assert admin.check_password("brand-new-secret-1") and not admin.check_password(ADMIN_PASSWORD)
    assert as_admin.get("/").status_code == 302  # the admin's sessions ended
    [entry] = audit("admin.password")
    assert entry.actor_id is None and entry.target == f"account:{admin.id}:admin"


def test_admin_password_is_prompted_twice(app, admin):
    result = app.test_cli_runner().invoke(args=["admin-password"], env={"ADMIN_PASSWORD": None},
                                          input="typed-in-secret-2\ntyped-in-secret-2\n")
    assert result.exit_code == 0, result.output
    assert "typed-in-secret-2" not in result.output  # hidden input
    db.session.expire_all()
    assert admin.check_password("typed-in-secret-2")


def test_admin_password_refuses_a_short_one(app, admin):
    result = app.test_cli_runner().invoke(args=["admin-password"], env={"ADMIN_PASSWORD": "short"})
    assert result.exit_code != 0 and "10 to 128" in result.output
    db.session.expire_all()
    assert admin.check_password(ADMIN_PASSWORD) and not audit("admin.password")


def test_session_bookkeeping_never_fails_a_page_when_another_worker_writes(app, as_admin):
    """The last-seen write of a GET runs in its own short transaction: with the write lock held elsewhere
    (another worker saving), the page still answers 200 and the write is simply left for a later request."""
    import sqlite3

    from webapp.extensions import db as database

    if database.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's write lock")
    stale = age_session(as_admin, idle=timedelta(minutes=2)).last_seen_at
    database.session.commit()
    database.engine.dispose()
    app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["timeout"] = 0.2
    holder = sqlite3.connect(database.engine.url.database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        assert as_admin.get("/").status_code == 200
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert session_row(as_admin).last_seen_at == stale  # skipped, not failed
    assert as_admin.get("/").status_code == 200
    assert session_row(as_admin).last_seen_at > stale


def test_failures_are_counted_in_the_configured_storage(app, client, admin):
    """Under `make test`'s Redis pass, the counts live in Redis (shared by every process and host)."""
    import os

    from webapp.extensions import limiter

    uri = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    assert app.config["RATELIMIT_STORAGE_URI"] == uri
    storage = type(limiter.storage).__name__
    assert ("Redis" in storage) if uri.startswith("redis") else ("Memory" in storage), storage
    for _ in range(5):
        fail_login(client)
    assert fail_login(client).status_code == 429
    if uri.startswith("redis"):
        import redis

        assert redis.Redis.from_url(uri).keys("*login-failures*")


def test_parallel_failures_cannot_pass_the_limit(app, admin):
    """Twenty wrong passwords at once from one address: five are checked, the rest wait (429)."""
    import threading

    from flask.testing import FlaskClient

    clients = [app.test_client() for _ in range(20)]
    barrier = threading.Barrier(20)
    statuses = []

    def attempt(client):
        barrier.wait()
        statuses.append(FlaskClient.open(client, "/login", method="POST",
                                         data={"login": "admin", "password": "not-the-password"}).status_code)

    threads = [threading.Thread(target=attempt, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [422] * 5 + [429] * 15, statuses


def test_a_post_after_a_minute_does_not_wait_for_its_own_lock(as_admin):
    """SQLite: a POST holds the write lock from its first query (BEGIN IMMEDIATE); the last-seen write on a
    connection of its own waited for that very lock (the busy timeout, 5 s) and was skipped, so every POST
    after a quiet minute stalled. It is written in the request's transaction instead."""
    import time

    stale = age_session(as_admin, idle=timedelta(minutes=2)).last_seen_at
    started = time.monotonic()
    assert as_admin.post("/language", data={"lang": "en"}).status_code == 302
    assert time.monotonic() - started < 2
    assert session_row(as_admin).last_seen_at > stale
