"""/settings: the company, outgoing mail and the SMS gateway, for those with "Global settings" only; clear errors
(nothing saved), write-only secrets, stale forms refused; the default language and time zone apply."""
import pytest
from sqlalchemy import select

from tests.conftest import login
from tests.factories import make_customer_account, make_staff
from webapp.extensions import db
from webapp.models import AuditEntry, CompanySettings, OutboxMessage
from webapp.outbox import queue_templated_email
from webapp.settings.service import SETTINGS_ID

PAGES = ("/settings", "/settings/email", "/settings/sms")


def signed_in(app, account):
    client = app.test_client()
    assert login(client, account).status_code == 302
    return client


def stored() -> CompanySettings | None:
    db.session.expire_all()
    return db.session.get(CompanySettings, SETTINGS_ID)


def version() -> str:
    row = stored()
    return str(row.version if row else 1)


def company(**changes):
    data = {"company_name": "Acme Hosting", "company_address": "1 Main St\nSpringfield", "default_locale": "en",
            "timezone": "", "currency": "EUR", "version": version()}
    data.update(changes)
    return data


def smtp(**changes):
    data = {"smtp_host": "smtp.example.com", "smtp_port": "2525", "smtp_user": "mailer", "smtp_password": "",
            "smtp_security": "starttls", "mail_from": "billing@example.com", "version": version()}
    data.update(changes)
    return data


def sms(**changes):
    data = {"sms_gateway": "http", "sms_url": "https://sms.example.com/send", "sms_method": "POST",
            "sms_body_template": '{"to": "{phone}", "text": "{text}"}', "sms_authorization": "",
            "version": version()}
    data.update(changes)
    return data


@pytest.fixture
def settings_admin(app):
    return signed_in(app, make_staff("keeper", rights=["settings.edit"]))


# --- rights ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", PAGES)
def test_only_global_settings_opens_the_pages(app, path):
    keeper = signed_in(app, make_staff("keeper", rights=["settings.edit"]))
    assert keeper.get(path).status_code == 200
    other = signed_in(app, make_staff("other", rights=["clients.view", "staff.view", "departments.edit"]))
    assert other.get(path).status_code == 403
    assert other.post(path, data=company()).status_code == 403
    customer = signed_in(app, make_customer_account("cust"))
    response = customer.get(path)
    assert response.status_code == 403 and "This page is for staff only." in response.text
    assert app.test_client().get(path).status_code == 302
    assert other.post("/settings/email/test", data={"to": "a@example.com"}).status_code == 403
    assert stored() is None and db.session.scalar(select(OutboxMessage.id)) is None


def test_navigation_shows_settings_before_outbox(app, settings_admin):
    page = settings_admin.get("/settings").text
    assert page.index('href="/settings"') < page.index('href="/settings/outbox"')
    nobody = signed_in(app, make_staff("nobody"))
    assert 'href="/settings"' not in nobody.get("/").text


# --- the company ------------------------------------------------------------------------------------------------

def test_company_saved_on_first_save_then_edited(app, settings_admin, admin):
    page = settings_admin.get("/settings")
    assert "Company name" in page.text and "Default language" in page.text and "Currency" in page.text
    assert stored() is None
    response = settings_admin.post("/settings", data=company(currency="RUB", timezone="Europe/Berlin"))
    assert response.status_code == 302 and response.location == "/settings"
    row = stored()
    assert (row.company_name, row.company_address, row.currency, row.timezone) == \
        ("Acme Hosting", "1 Main St\nSpringfield", "RUB", "Europe/Berlin")
    assert row.version == 2 and row.updated_by_id is not None
    assert settings_admin.post("/settings", data=company(currency="USD", timezone="Europe/Berlin")).status_code == 302
    again = settings_admin.get("/settings")
    assert "The settings are saved." in again.text and stored().currency == "USD"
    assert 'value="Acme Hosting"' in again.text and "1 Main St\nSpringfield" in again.text
    actions = db.session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "settings.company")).all()
    assert actions == ["company_name, company_address, timezone, currency", "currency"]


@pytest.mark.parametrize("changes, message", [
    ({"currency": "XYZ"}, "Choose a currency from the list"),
    ({"currency": ""}, "Choose a currency from the list"),
    ({"currency": "EURO"}, "Choose a currency from the list"),
    ({"timezone": "Mars/Olympus"}, "Choose a time zone from the list."),
    ({"default_locale": "de"}, "Not a valid choice"),
    ({"company_name": "x" * 201}, "At most 200 characters."),
    ({"company_name": "Acme\u202eevil"}, "control characters"),
])
def test_bad_company_values_are_refused_and_nothing_saved(settings_admin, changes, message):
    response = settings_admin.post("/settings", data=company(**changes))
    assert response.status_code == 422 and message in response.text
    assert "The form was not saved" in response.text
    assert stored() is None


def test_a_lower_case_currency_code_is_read_as_the_code(settings_admin):
    assert settings_admin.post("/settings", data=company(currency=" eur ")).status_code == 302
    assert stored().currency == "EUR"


def test_a_stale_form_is_refused(app, settings_admin):
    first = company()  # both opened the page at version 1
    assert settings_admin.post("/settings", data=company(company_name="First")).status_code == 302
    response = settings_admin.post("/settings", data=first | {"company_name": "Second"})
    assert response.status_code == 409 and "after you opened the form" in response.text
    assert stored().company_name == "First"
    stale_smtp = smtp(version="1")
    assert settings_admin.post("/settings/email", data=stale_smtp).status_code == 409
    assert settings_admin.post("/settings/sms", data=sms(version="1")).status_code == 409
    assert stored().smtp_host is None and stored().sms_url is None


# --- default language and time zone --------------------------------------------------------------------------

def test_default_language_for_the_login_page_and_emails(app, settings_admin):
    anonymous = app.test_client()
    assert "Log in" in anonymous.get("/login").text
    assert settings_admin.post("/settings", data=company(default_locale="ru")).status_code == 302
    assert "Вход" in anonymous.get("/login").text  # a browser that asks for no language
    assert "Вход" in anonymous.get("/login", headers={"Accept-Language": "de-DE"}).text
    assert "Log in" in anonymous.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"}).text  # it asked
    anonymous.post("/language", data={"lang": "en"})
    assert "Log in" in anonymous.get("/login").text  # a language chosen before login wins
    queued = queue_templated_email("ann@example.com", "outbox_test", None, "outbox.test", name="Ann",
                                   outbox_url="http://x.example.com/")
    assert queued.subject == "Тестовое сообщение из консоли провайдера"  # no language of its own: the default


def test_default_time_zone_for_viewers_without_their_own(app, settings_admin):
    viewer = make_staff("viewer", rights=["settings.edit"])
    zoned = make_staff("zoned", rights=["settings.edit"])
    zoned.timezone = "America/New_York"
    queue_templated_email("ann@example.com", "outbox_test", "en", "outbox.test", name="Ann", outbox_url="x")
    db.session.commit()
    assert settings_admin.post("/settings", data=company(timezone="Asia/Tokyo")).status_code == 302
    assert " JST</td>" in signed_in(app, viewer).get("/settings/outbox").text
    page = signed_in(app, zoned).get("/settings/outbox").text
    assert " JST</td>" not in page and (" EST</td>" in page or " EDT</td>" in page)
    assert "The company&#39;s time zone (Asia/Tokyo)" in signed_in(app, viewer).get("/profile").text


# --- outgoing mail ----------------------------------------------------------------------------------------------

def test_smtp_saved_password_write_only_kept_when_empty_and_cleared(settings_admin):
    assert settings_admin.post("/settings/email", data=smtp(smtp_password="pa55-w0rd-xyz")).status_code == 302
    row = stored()
    assert (row.smtp_host, row.smtp_port, row.smtp_user, row.smtp_password, row.smtp_security, row.mail_from) == \
        ("smtp.example.com", 2525, "mailer", "pa55-w0rd-xyz", "starttls", "billing@example.com")
    page = settings_admin.get("/settings/email").text
    assert "pa55-w0rd-xyz" not in page and "A password is stored" in page and "Clear the stored password" in page
    assert "smtp.example.com:2525" in page
    assert settings_admin.post("/settings/email", data=smtp(smtp_port="")).status_code == 302
    assert stored().smtp_password == "pa55-w0rd-xyz" and stored().smtp_port is None  # empty keeps it
    invalid = settings_admin.post("/settings/email", data=smtp(smtp_password="new-one-typed", mail_from="nope"))
    assert invalid.status_code == 422 and "new-one-typed" not in invalid.text
    assert settings_admin.post("/settings/email", data=smtp(clear_smtp_password="y")).status_code == 302
    assert stored().smtp_password is None
    details = db.session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "settings.email")).all()
    assert details and not any("pa55" in (detail or "") for detail in details)


@pytest.mark.parametrize("changes, message", [
    ({"mail_from": "not-an-address"}, "This is not a valid email address."),
    ({"mail_from": ""}, "Enter the address messages are sent from."),
    ({"smtp_port": "70000"}, "A port is a number from 1 to 65535."),
    ({"smtp_port": "abc"}, "Not a valid integer value."),
    ({"smtp_host": "smtp://mail.example.com"}, "host name or IP address only"),
    ({"smtp_host": "mail example.com"}, "host name or IP address only"),
    ({"smtp_host": "169.254.169.254"}, "link-local or cloud metadata"),
    ({"smtp_host": "metadata.google.internal"}, "link-local or cloud metadata"),
    ({"smtp_security": "tls13"}, "Not a valid choice"),
])
def test_bad_smtp_values_are_refused(settings_admin, changes, message):
    response = settings_admin.post("/settings/email", data=smtp(**changes))
    assert response.status_code == 422 and message in response.text
    assert stored() is None


def test_send_test_email_to_a_typed_address_through_the_outbox(app, settings_admin):
    page = settings_admin.get("/settings/email").text
    assert "Send test email" in page and "No SMTP server is configured" in page
    response = settings_admin.post("/settings/email/test", data={"to": "Ann.Lee@Example.com"})
    assert response.status_code == 302 and response.location == "/settings/email"
    assert "held until an SMTP server is configured" in settings_admin.get("/settings/email").text
    [message] = db.session.scalars(select(OutboxMessage)).all()
    assert message.recipient == "Ann.Lee@example.com" and message.topic == "outbox.test"
    assert "Hello," in message.text_body and message.account_id is None
    bad = settings_admin.post("/settings/email/test", data={"to": "nobody"})
    assert bad.status_code == 422 and "This is not a valid email address." in bad.text
    assert len(db.session.scalars(select(OutboxMessage)).all()) == 1


def test_test_email_arrives_through_the_smtp_of_the_settings(app, settings_admin, smtp_server):
    data = smtp(smtp_host=smtp_server.host, smtp_port=str(smtp_server.port), smtp_security="none", smtp_user="")
    assert settings_admin.post("/settings/email", data=data).status_code == 302
    assert settings_admin.post("/settings/email/test", data={"to": "ann@example.com"}).status_code == 302
    [received] = smtp_server.inbox.wait_for(1)
    assert received["To"] == "ann@example.com" and received["From"] == "billing@example.com"


# --- the SMS gateway --------------------------------------------------------------------------------------------

def test_sms_gateway_saved_with_a_write_only_authorization_header(settings_admin):
    assert settings_admin.get("/settings/sms").status_code == 200
    response = settings_admin.post("/settings/sms", data=sms(sms_authorization="Bearer t0ken-abc"))
    assert response.status_code == 302
    row = stored()
    assert row.sms_enabled and row.sms_url == "https://sms.example.com/send" and row.sms_method == "POST"
    assert row.sms_authorization == "Bearer t0ken-abc"
    page = settings_admin.get("/settings/sms").text
    assert "t0ken-abc" not in page and "A header is stored" in page
    assert settings_admin.post("/settings/sms", data=sms(sms_method="GET",
                                                         sms_body_template="to={phone}&msg={text}")).status_code == 302
    assert stored().sms_authorization == "Bearer t0ken-abc" and stored().sms_method == "GET"
    assert settings_admin.post("/settings/sms", data=sms(clear_sms_authorization="y")).status_code == 302
    assert stored().sms_authorization is None
    # Switched off: the stored gateway stays for later, unused.
    assert settings_admin.post("/settings/sms", data=sms(sms_gateway="none")).status_code == 302
    assert not stored().sms_enabled and stored().sms_url == "https://sms.example.com/send"


@pytest.mark.parametrize("changes, message", [
    ({"sms_url": "file:///etc/passwd"}, "Enter an http:// or https:// address"),
    ({"sms_url": "javascript:alert(1)"}, "Enter an http:// or https:// address"),
    ({"sms_url": "ftp://sms.example.com/"}, "Enter an http:// or https:// address"),
    ({"sms_url": "https://"}, "Enter an http:// or https:// address"),
    ({"sms_url": "https://user:pw@sms.example.com/"}, "Put credentials in the Authorization header"),
    ({"sms_url": "https://sms.example.com/{phone}"}, "Placeholders go into the body template"),
    # Link-local addresses (cloud metadata at 169.254.169.254) are never a gateway: a settings editor must not
    # turn the worker into a reader of the instance's credentials.
    ({"sms_url": "http://169.254.169.254/latest/meta-data/"}, "link-local or cloud metadata"),
    ({"sms_url": "http://[fe80::1]/send"}, "link-local or cloud metadata"),
    ({"sms_url": "http://[::ffff:169.254.169.254]/"}, "link-local or cloud metadata"),
    ({"sms_url": "http://2852039166/"}, "link-local or cloud metadata"),
    ({"sms_url": "http://0xa9.0xfe.0xa9.0xfe/"}, "link-local or cloud metadata"),
    ({"sms_url": "http://metadata.google.internal/computeMetadata/v1/"}, "link-local or cloud metadata"),
    ({"sms_url": "http://[fd00:ec2::254]/"}, "link-local or cloud metadata"),
    ({"sms_url": ""}, "Enter the gateway&#39;s URL."),
    ({"sms_body_template": "to={phone}&text={text}&from={sender}"}, "Unknown placeholders: {sender}."),
    ({"sms_body_template": "to={phone}"}, "The template must contain {text}."),
    ({"sms_body_template": ""}, "Enter the body template"),
    ({"sms_body_template": '{"to": {phone}, "text": "{text}"}'}, "not valid JSON once filled in"),
    ({"sms_method": "GET", "sms_body_template": '{"to": "{phone}", "text": "{text}"}'}, "For GET the template"),
    ({"sms_method": "DELETE"}, "Not a valid choice"),
    ({"sms_gateway": "smpp"}, "Not a valid choice"),
])
def test_bad_sms_values_are_refused(settings_admin, changes, message):
    response = settings_admin.post("/settings/sms", data=sms(**changes))
    assert response.status_code == 422 and message in response.text
    assert stored() is None


def test_a_gateway_on_this_host_or_the_local_network_is_allowed(settings_admin):
    for url in ("http://127.0.0.1:8080/send", "http://10.0.0.5/send", "http://sms-relay.internal:9000/send"):
        assert settings_admin.post("/settings/sms", data=sms(sms_url=url)).status_code == 302, url


def test_unknown_placeholders_are_refused_even_without_a_gateway(settings_admin):
    response = settings_admin.post("/settings/sms", data=sms(sms_gateway="none", sms_url="",
                                                             sms_body_template="{phone} {name}"))
    assert response.status_code == 422 and "Unknown placeholders: {name}." in response.text
    assert settings_admin.post("/settings/sms", data=sms(sms_gateway="none", sms_url="",
                                                         sms_body_template="")).status_code == 302


def test_the_defaults_are_kept_per_worker_and_a_save_clears_them(app):
    """With SETTINGS_CACHE_SECONDS, pages read the settings' language, zone and currency once per few seconds;
    a save through the service clears the copy at once."""
    from flask import g

    from webapp.models import CompanySettings
    from webapp.settings import service as settings_service

    app.config["SETTINGS_CACHE_SECONDS"] = 60
    try:
        with app.test_request_context():
            assert settings_service.default_currency() == "EUR"
        g.pop("_company_settings", None)  # the fixture's app context outlives these requests: as a new request
        db.session.add(CompanySettings(id=1, company_name="", company_address="", default_locale="en",
                                       currency="USD", sms_enabled=False))
        db.session.commit()
        with app.test_request_context():
            assert settings_service.default_currency() == "EUR"  # kept: written behind the service's back
        admin = make_staff("settings-admin", full_access=True)
        g.pop("_company_settings", None)
        with app.test_request_context():
            version = settings_service.company_settings().version
            settings_service.save_settings(admin, "company", {"currency": "GBP"}, version)
            db.session.commit()
        g.pop("_company_settings", None)
        with app.test_request_context():
            assert settings_service.default_currency() == "GBP"
    finally:
        app.config["SETTINGS_CACHE_SECONDS"] = 0
        settings_service.forget_defaults()
