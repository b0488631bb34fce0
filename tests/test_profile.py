"""My profile: one's own password, language, phone number and avatar; nothing else, each change audited."""
import io

from PIL import Image
from sqlalchemy import func, select

from tests.conftest import ADMIN_PASSWORD, login
from tests.factories import PASSWORD, make_customer_account, make_staff
from webapp.extensions import db
from webapp.models import AccountSession, AuditEntry


def logged_in(app, account):
    client = app.test_client()
    assert login(client, account).status_code == 302
    return client


def profile_data(account, **changes):
    data = {"locale": account.locale or "en", "phone": account.phone or "", "version": str(account.version),
            "current_password": "", "new_password": "", "timezone": account.timezone or ""}
    if account.ticket_emails:
        data["ticket_emails"] = "y"
    data.update(changes)
    return data


def audit_actions(account):
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.actor_id == account.id, AuditEntry.action.like("profile.%")).order_by(AuditEntry.id)))


def sessions_of(account):
    return db.session.scalar(select(func.count()).select_from(AccountSession)
                             .where(AccountSession.account_id == account.id))


def png():
    out = io.BytesIO()
    Image.new("RGB", (120, 90), (20, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def test_the_name_in_the_header_links_to_the_profile(app):
    staff = make_staff(name="Pat Doe")
    page = logged_in(app, staff).get("/").text
    assert '<a class="user-chip" href="/profile"' in page


def test_a_client_account_has_no_profile(app):
    customer = make_customer_account()
    client = logged_in(app, customer)
    assert 'href="/profile"' not in client.get("/").text
    assert client.get("/profile").status_code == 403


def test_the_profile_has_only_ones_own_fields(app):
    staff = make_staff()
    page = logged_in(app, staff).get("/profile").text
    for name in ("current_password", "new_password", "locale", "phone", "avatar"):
        assert f'name="{name}"' in page, name
    for name in ("departments", "full_access", "login", "email", "name_en"):
        assert f'name="{name}"' not in page, name
    assert "<script>" not in page and "style=" not in page


def test_a_new_password_ends_the_other_sessions_and_keeps_this_one(app):
    staff = make_staff()
    here, elsewhere = logged_in(app, staff), logged_in(app, staff)
    response = here.post("/profile", data=profile_data(staff, current_password=PASSWORD,
                                                       new_password="a-brand-new-password"))
    assert response.status_code == 302 and response.location == "/profile"
    assert here.get("/profile").status_code == 200
    assert elsewhere.get("/profile").status_code == 302
    assert sessions_of(staff) == 1
    db.session.expire_all()
    assert staff.check_password("a-brand-new-password")
    assert audit_actions(staff) == ["profile.password"]


def test_a_wrong_current_password_saves_nothing(app):
    staff = make_staff()
    here, elsewhere = logged_in(app, staff), logged_in(app, staff)
    response = here.post("/profile", data=profile_data(staff, current_password="not-my-password",
                                                       new_password="a-brand-new-password",
                                                       phone="+44 20 7946 0958"))
    assert response.status_code == 422
    assert "This is not your current password." in response.text
    db.session.expire_all()
    assert staff.check_password(PASSWORD) and staff.phone is None
    assert elsewhere.get("/profile").status_code == 200 and sessions_of(staff) == 2
    assert audit_actions(staff) == []


def test_a_new_password_needs_the_current_one_and_ten_characters(app):
    staff = make_staff()
    client = logged_in(app, staff)
    missing = client.post("/profile", data=profile_data(staff, new_password="a-brand-new-password"))
    assert missing.status_code == 422 and "Enter your current password" in missing.text
    short = client.post("/profile", data=profile_data(staff, current_password=PASSWORD, new_password="short"))
    assert short.status_code == 422 and "10 to 128 characters" in short.text
    db.session.expire_all()
    assert staff.check_password(PASSWORD)


def test_the_builtin_admin_changes_their_own_password_here(as_admin, admin):
    response = as_admin.post("/profile", data=profile_data(admin, current_password=ADMIN_PASSWORD,
                                                           new_password="the-admins-new-one"))
    assert response.status_code == 302
    db.session.expire_all()
    assert admin.check_password("the-admins-new-one")
    assert audit_actions(admin) == ["profile.password"]


def test_language_and_phone_are_saved_and_audited(app):
    staff = make_staff()
    client = logged_in(app, staff)
    response = client.post("/profile", data=profile_data(staff, locale="ru", phone="+44 20 7946 0958"))
    assert response.status_code == 302
    db.session.expire_all()
    assert staff.locale == "ru" and staff.phone == "+442079460958"
    assert '<html lang="ru">' in client.get("/profile").text
    assert audit_actions(staff) == ["profile.language", "profile.phone"]


def test_saving_an_untouched_form_changes_nothing(app):
    staff = make_staff()
    client = logged_in(app, staff)
    response = client.post("/profile", data=profile_data(staff))
    assert response.status_code == 302 and "Nothing has changed." in client.get("/profile").text
    db.session.expire_all()
    assert staff.locale is None and staff.version == 1 and audit_actions(staff) == []


def test_a_bad_phone_or_language_is_refused(app):
    staff = make_staff()
    client = logged_in(app, staff)
    bad_phone = client.post("/profile", data=profile_data(staff, phone="12345"))
    assert bad_phone.status_code == 422 and "international form" in bad_phone.text
    bad_language = client.post("/profile", data=profile_data(staff, locale="xx"))
    assert bad_language.status_code == 422
    db.session.expire_all()
    assert staff.phone is None and staff.locale is None


def test_an_avatar_is_uploaded_and_removed(app):
    staff = make_staff()
    client = logged_in(app, staff)
    response = client.post("/profile", data={**profile_data(staff), "avatar": (io.BytesIO(png()), "me.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.expire_all()
    assert staff.avatar.startswith(b"\x89PNG") and staff.avatar_version == 1
    assert "Remove avatar" in client.get("/profile").text
    removed = client.post("/profile", data=profile_data(staff, remove_avatar="y"))
    assert removed.status_code == 302
    db.session.expire_all()
    assert staff.avatar is None and staff.avatar_version == 2
    assert audit_actions(staff) == ["profile.avatar", "profile.avatar"]


def test_a_file_that_is_not_an_image_is_refused(app):
    staff = make_staff()
    client = logged_in(app, staff)
    response = client.post("/profile", data={**profile_data(staff), "avatar": (io.BytesIO(b"not an image"), "x.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "not a PNG, JPEG or GIF image" in response.text
    db.session.expire_all()
    assert staff.avatar is None


def test_a_form_from_an_older_version_is_refused(app, admin):
    staff = make_staff()
    client = logged_in(app, staff)
    stale = profile_data(staff)
    staff.touch(admin, staff.created_at)  # someone saved this person meanwhile
    db.session.commit()
    response = client.post("/profile", data={**stale, "phone": "+44 20 7946 0958"})
    assert response.status_code == 409
    db.session.expire_all()
    assert staff.phone is None


def test_time_zone_away_and_ticket_emails(app, client):
    from datetime import timedelta

    from tests.factories import make_customer_account, make_department
    from webapp.models import AssignmentMode, Ticket
    from webapp.models.accounts import utcnow
    from webapp.support import service

    desk = make_department("Desk", show_in_support=True, rights=["support.tickets"])
    desk.assignment = AssignmentMode.round_robin
    staff = make_staff("away-agent", departments=[desk])
    customer = make_customer_account()
    ticket = service.open_ticket(customer, desk.id, "Mine", "m", [])
    assert ticket.assignee_id == staff.id
    db.session.commit()
    login(client, staff)
    page = client.get("/profile").text
    assert "The server&#39;s time zone" in page or "The server's time zone" in page
    data = profile_data(staff, timezone="Asia/Tokyo", away="y")
    data.pop("ticket_emails")
    assert client.post("/profile", data=data).status_code == 302
    db.session.expire_all()
    staff = db.session.get(type(staff), staff.id)
    assert staff.timezone == "Asia/Tokyo" and staff.away and not staff.ticket_emails
    assert db.session.get(Ticket, ticket.id).assignee_id is None  # back to the department's queue
    assert "JST" in client.get("/profile").text or "Asia/Tokyo" in client.get("/profile").text
    past = (utcnow().date() - timedelta(days=1)).isoformat()
    response = client.post("/profile", data=profile_data(staff, away="y", away_until=past))
    assert response.status_code == 422 and "cannot be in the past" in response.text
    response = client.post("/profile", data=profile_data(staff, timezone="Mars/Base"))
    assert response.status_code == 422 and "Choose a time zone from the list." in response.text
