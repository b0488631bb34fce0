"""Login, logout, sessions, `next`, language, CSRF and security headers."""
import pytest
from sqlalchemy import func, select

from tests.conftest import ADMIN_PASSWORD, csrf_token_of, login
from tests.factories import PASSWORD, make_customer_account, make_staff
from webapp.extensions import db
from webapp.models import AccountSession


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
    for url in ["/", "/provider/departments/", "/provider/staff/", "/provider/business-hours/"]:
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
