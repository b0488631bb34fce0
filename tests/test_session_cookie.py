"""The session cookie checked once and kept (webapp.session_cookie): the same cookie again is not checked again,
but nothing it would refuse is accepted, and no request's change to its session reaches what is kept."""
import time

import pytest
from itsdangerous import URLSafeTimedSerializer

from tests.conftest import login
from webapp import session_cookie


def cookie_of(client) -> str:
    return client.get_cookie("session").value


def with_cookie(app, value: str):
    other = app.test_client()
    other.set_cookie("session", value)
    return other


def test_the_same_cookie_is_checked_once_and_still_opens_the_session(app, admin):
    client = app.test_client()
    assert login(client, admin).status_code == 302
    value = cookie_of(client)
    assert client.get("/provider/staff/").status_code == 200
    kept = app.session_interface._kept
    assert (value, app.secret_key) in kept

    def not_again(*_args, **_kwargs):
        raise AssertionError("the kept cookie was checked again")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(URLSafeTimedSerializer, "loads", not_again)
        for _ in range(2):
            assert with_cookie(app, value).get("/provider/staff/").status_code == 200


def test_an_altered_cookie_is_refused_and_not_kept(app, admin):
    client = app.test_client()
    assert login(client, admin).status_code == 302
    value = cookie_of(client)
    client.get("/provider/staff/")
    payload, stamp, signature = value.rsplit(".", 2)
    for forged in (f"{payload}.{stamp}.{signature[:-2]}xx", f"{payload}x.{stamp}.{signature}", value + "x"):
        response = with_cookie(app, forged).get("/provider/staff/")
        assert response.status_code == 302 and "/login" in response.location
        assert (forged, app.secret_key) not in app.session_interface._kept


def test_a_kept_cookie_ends_with_the_sessions_lifetime(app, admin, monkeypatch):
    client = app.test_client()
    assert login(client, admin).status_code == 302
    value = cookie_of(client)
    assert client.get("/provider/staff/").status_code == 200
    lifetime = app.permanent_session_lifetime.total_seconds()
    later = time.time() + lifetime + 60
    monkeypatch.setattr(session_cookie.time, "time", lambda: later)
    response = with_cookie(app, value).get("/provider/staff/")
    assert response.status_code == 302 and "/login" in response.location


def test_a_cookie_first_seen_late_in_its_life_still_ends_when_it_was_signed_to(app, admin, monkeypatch):
    client = app.test_client()
    assert login(client, admin).status_code == 302
    value = cookie_of(client)
    app.session_interface._kept.clear()  # this worker has not seen it yet
    signed = time.time()
    lifetime = app.permanent_session_lifetime.total_seconds()
    clock = {"now": signed + lifetime - 30}
    monkeypatch.setattr(session_cookie.time, "time", lambda: clock["now"])
    assert with_cookie(app, value).get("/provider/staff/").status_code == 200  # first seen, and kept
    assert (value, app.secret_key) in app.session_interface._kept
    clock["now"] = signed + lifetime + 30  # a minute after it was first seen: past its lifetime
    response = with_cookie(app, value).get("/provider/staff/")
    assert response.status_code == 302 and "/login" in response.location


def test_a_cookie_checked_under_another_secret_is_checked_again(app, admin):
    client = app.test_client()
    assert login(client, admin).status_code == 302
    value = cookie_of(client)
    assert client.get("/provider/staff/").status_code == 200
    secret = app.secret_key
    app.secret_key = "a new secret, the old one leaked"
    try:
        response = with_cookie(app, value).get("/provider/staff/")
        assert response.status_code == 302 and "/login" in response.location
    finally:
        app.secret_key = secret


def test_a_change_to_one_requests_session_does_not_reach_the_kept_cookie(app, admin):
    client = app.test_client()
    assert login(client, admin).status_code == 302
    value = cookie_of(client)
    assert 'lang="en"' in client.get("/provider/staff/").text
    other = with_cookie(app, value)
    session_was = dict(app.session_interface._kept[(value, app.secret_key)][1])
    assert other.post("/language", data={"lang": "ru", "next": "/"}).status_code == 302  # sets lang in its session
    assert app.session_interface._kept[(value, app.secret_key)][1] == session_was
    admin.locale = None  # the language from the session decides, not the account's
    from webapp.extensions import db
    db.session.commit()
    assert 'lang="en"' in with_cookie(app, value).get("/provider/staff/").text


def test_a_session_with_flashed_messages_is_not_kept(app, admin):
    client = app.test_client()
    assert login(client, admin).status_code == 302
    response = client.post("/provider/departments/new", data={"name_en": "Billing", "business_hours_id": "1",
                                                              "task_locale": "en"})
    assert response.status_code == 302
    value = cookie_of(client)  # holds the flash
    first = client.get(response.location).text
    assert "Billing" in first and "flash" in first
    assert (value, app.secret_key) not in app.session_interface._kept
    again = with_cookie(app, value).get(response.location).text
    assert 'class="flash' in again  # the cookie as sent still holds it: shown, as Flask shows it
