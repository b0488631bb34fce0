"""What every page carries, kept across requests: the session's signed CSRF token (signed once a minute, not on
every page) and the pager under a list (written once per language, list, filter and position)."""
import time

import pytest
from itsdangerous import TimestampSigner

from tests.conftest import ADMIN_PASSWORD, csrf_token_of
from webapp import kept
from webapp.lists import Page, pager


@pytest.fixture
def checked(app):
    """CSRF checked, as in production (TestConfig turns it off)."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    app.config["WTF_CSRF_ENABLED"] = False


def logged_in(app, admin):
    client = app.test_client()
    page = client.get("/login")
    response = client.post("/login", data={"login": admin.login, "password": ADMIN_PASSWORD,
                                           "csrf_token": csrf_token_of(page.text)})
    assert response.status_code == 302
    return client


def switch_language(client, token: str):
    return client.post("/language", data={"lang": "en", "next": "/", "csrf_token": token})


def signing_at(monkeypatch, second: int) -> None:
    """Signatures carry their second: signed at different seconds, two tokens differ unless one was kept."""
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: second)


def test_a_session_is_given_the_same_signed_token_within_a_minute_and_it_is_accepted(checked, admin, monkeypatch):
    client = logged_in(checked, admin)
    now = int(time.time())
    signing_at(monkeypatch, now)
    first = csrf_token_of(client.get("/provider/staff/").text)
    signing_at(monkeypatch, now + 5)
    again = csrf_token_of(client.get("/provider/departments/").text)
    assert again == first
    assert switch_language(client, first).status_code == 302
    assert switch_language(client, first + "x").status_code == 400


def test_after_a_minute_the_token_is_signed_anew_and_both_are_accepted(checked, admin, monkeypatch):
    client = logged_in(checked, admin)
    first = csrf_token_of(client.get("/provider/staff/").text)
    later = kept.time.monotonic() + kept.SIGNED_FOR + 1
    monkeypatch.setattr(kept.time, "monotonic", lambda: later)
    signing_at(monkeypatch, int(time.time()) + 5)
    fresh = csrf_token_of(client.get("/provider/staff/").text)
    assert fresh != first
    assert switch_language(client, first).status_code == 302  # no time limit here: the session ends it
    assert switch_language(client, fresh).status_code == 302


def test_each_session_has_its_own_token_and_another_sessions_is_refused(checked, admin):
    one, other = logged_in(checked, admin), logged_in(checked, admin)
    mine, theirs = (csrf_token_of(c.get("/provider/staff/").text) for c in (one, other))
    assert mine != theirs
    assert switch_language(one, theirs).status_code == 400
    assert switch_language(one, mine).status_code == 302


def test_a_token_signed_with_another_key_is_never_handed_out(checked, admin):
    client = logged_in(checked, admin)
    before = csrf_token_of(client.get("/provider/staff/").text)
    checked.config["WTF_CSRF_SECRET_KEY"] = "another key, after a deploy that changed it"
    try:
        after = csrf_token_of(client.get("/provider/staff/").text)
        assert after != before
        assert switch_language(client, after).status_code == 302
        assert switch_language(client, before).status_code == 400
    finally:
        del checked.config["WTF_CSRF_SECRET_KEY"]


def test_with_a_time_limit_each_page_signs_its_own_token(checked, admin, monkeypatch):
    client = logged_in(checked, admin)
    checked.config["WTF_CSRF_TIME_LIMIT"] = 3600
    try:
        now = int(time.time())
        signing_at(monkeypatch, now)
        first = csrf_token_of(client.get("/provider/staff/").text)
        signing_at(monkeypatch, now + 5)
        second = csrf_token_of(client.get("/provider/staff/").text)
        assert first != second
        assert switch_language(client, second).status_code == 302
    finally:
        checked.config["WTF_CSRF_TIME_LIMIT"] = None


def test_forms_on_the_page_carry_the_same_token_as_its_meta(checked, admin):
    client = logged_in(checked, admin)
    client.get("/provider/staff/")
    html = client.get("/provider/departments/new").text
    token = csrf_token_of(html)
    assert f'name="csrf_token" type="hidden" value="{token}"' in html or f'value="{token}"' in html
    assert html.count(token) >= 3  # the meta, HTMX's header, the form's field


# --- the pager ----------------------------------------------------------------------------------------------

def bar(app, page: Page, language: str = "en", endpoint: str = "staff.index", mount: str = "",
        **arguments) -> str:
    with app.app_context(), app.test_request_context("/provider/staff/", headers={"Accept-Language": language},
                                                     base_url=f"http://localhost{mount}"):
        return str(pager(page, endpoint, **arguments))  # a request of its own (g included), as in production


def test_the_pager_links_keep_the_filter_and_say_where_one_is(app):
    html = bar(app, Page(items=[1], page=2, per_page=50, total=160), q="ann", department=3, status=None)
    assert 'href="/provider/staff?page=1&amp;q=ann&amp;department=3" rel="prev">← Previous</a>' in html
    assert 'href="/provider/staff?page=3&amp;q=ann&amp;department=3" rel="next">Next →</a>' in html
    assert "Page 2 of 4" in html and "status" not in html
    other = bar(app, Page(items=[1], page=2, per_page=50, total=160), q="bob")
    assert "q=bob" in other and "q=ann" not in other and "department" not in other


def test_the_pager_is_written_in_each_viewers_language(app):
    position = Page(items=[1], page=2, per_page=50, total=None, more=True)
    english, russian = bar(app, position, "en"), bar(app, position, "ru")
    assert "Page 2<" in english and "Next" in english
    assert "Страница 2<" in russian and "Next" not in russian and "Вперёд" in russian
    assert bar(app, position, "en") == english


def test_a_single_page_has_no_pager_and_the_last_no_next(app):
    assert bar(app, Page(items=[1], page=1, per_page=50, total=12)) == ""
    assert bar(app, Page(items=[1], page=1, per_page=50, total=None, more=False)) == ""
    last = bar(app, Page(items=[1], page=4, per_page=50, total=160))
    assert 'rel="prev"' in last and 'rel="next"' not in last and "Page 4 of 4" in last


def test_the_pager_is_kept_per_list_position_and_mount_point(app):
    second, third = (Page(items=[1], page=n, per_page=50, total=160) for n in (2, 3))
    assert "Page 2 of 4" in bar(app, second) and "Page 3 of 4" in bar(app, third)
    assert 'href="/provider/staff?page=4"' in bar(app, third)
    departments = bar(app, second, endpoint="departments.index")
    assert 'href="/provider/departments/?page=3"' in departments and "/provider/staff" not in departments
    mounted = bar(app, second, mount="/console")
    assert 'href="/console/provider/staff?page=3"' in mounted
    assert 'href="/provider/staff?page=3"' in bar(app, second)
