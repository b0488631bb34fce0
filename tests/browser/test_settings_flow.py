"""An administrator sets up the company on /settings: name and currency, outgoing mail through a local aiosmtpd
server with a test email that arrives there, and the SMS gateway (a local HTTP gateway that then receives an SMS);
screenshots of the three sections at 1366 and 390 px in both languages."""
import json

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.browser.conftest import log_in_as_admin, nav, query, shot
from tests.mail import SmtpServer, wait_until
from tests.sms_gateway import SmsGateway
from webapp.extensions import db
from webapp.models import Account, CompanySettings, OutboxMessage, OutboxStatus
from webapp.outbox.service import queue_sms
from webapp.settings.service import SETTINGS_ID

pytestmark = pytest.mark.browser


@pytest.fixture
def mail_server():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def sms_gateway():
    gateway = SmsGateway().start()
    yield gateway
    gateway.stop()


def admin_email(server) -> str:
    return query(server, lambda: db.session.scalar(select(Account.email).where(Account.login == "admin"))) or ""


def saved(page: Page) -> None:
    expect(page.get_by_role("status").or_(page.locator(".flash-success")).first).to_contain_text(
        "The settings are saved.")


def test_admin_sets_up_company_mail_and_sms(page: Page, live_server, mail_server, sms_gateway):
    log_in_as_admin(page)
    nav(page).get_by_role("link", name="Settings", exact=True).click()
    expect(page.get_by_role("heading", name="Settings")).to_be_visible()

    page.get_by_label("Company name").fill("Acme Hosting")
    page.get_by_label("Company address").fill("1 Main Street\nSpringfield")
    page.get_by_label("Currency").select_option("RUB")
    page.get_by_role("button", name="Save").click()
    saved(page)
    expect(page.get_by_label("Company name")).to_have_value("Acme Hosting")
    expect(page.get_by_label("Currency")).to_have_value("RUB")

    page.get_by_role("navigation", name="Settings sections").get_by_role("link", name="Email").click()
    expect(page.get_by_text("No SMTP server is configured")).to_be_visible()
    page.get_by_label("SMTP host").fill(mail_server.host)
    page.get_by_label("Port").fill(str(mail_server.port))
    page.get_by_label("Security").select_option("none")
    page.get_by_label("From address").fill("billing@acme.example.com")
    page.get_by_label("Password", exact=True).fill("smtp-secret-1")
    page.get_by_role("button", name="Save").click()
    saved(page)
    expect(page.get_by_label("Password", exact=True)).to_have_value("")  # write-only
    expect(page.get_by_text("A password is stored")).to_be_visible()
    expect(page.locator("#smtp-in-use")).to_contain_text(f"{mail_server.host}:{mail_server.port}")

    expect(page.get_by_label("Send to")).to_have_value(admin_email(live_server))  # one's own by default
    page.get_by_label("Send to").fill("ops@acme.example.com")
    page.get_by_role("button", name="Send test email").click()
    expect(page.locator(".flash-success")).to_contain_text("A test message to ops@acme.example.com is in the outbox.")
    assert wait_until(lambda: any(m["To"] == "ops@acme.example.com" for m in mail_server.messages))
    received = next(m for m in mail_server.messages if m["To"] == "ops@acme.example.com")
    assert received["From"] == "Acme Hosting <billing@acme.example.com>"


def test_admin_configures_the_sms_gateway(page: Page, live_server, sms_gateway):
    log_in_as_admin(page)
    page.goto("/settings/sms")
    page.get_by_label("SMS gateway").select_option("http")
    page.get_by_label("URL").fill("file:///etc/passwd")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".error-summary")).to_contain_text("Enter an http:// or https:// address")
    page.get_by_label("URL").fill(sms_gateway.url)
    page.get_by_label("Method").select_option("POST")
    page.get_by_label("Body template").fill('{"to": "{phone}", "text": "{text}", "from": "{sender}"}')
    page.get_by_label("Authorization header", exact=True).fill("Bearer gw-token-123")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".error-summary")).to_contain_text("Unknown placeholders: {sender}.")
    page.get_by_label("Body template").fill('{"to": "{phone}", "text": "{text}"}')
    page.get_by_label("Authorization header", exact=True).fill("Bearer gw-token-123")
    page.get_by_role("button", name="Save").click()
    saved(page)
    expect(page.get_by_text("A header is stored")).to_be_visible()
    assert "gw-token-123" not in page.content()

    def send():
        queue_sms(to="+442079460958", text="Task 7: set up hosting", topic="task.new")
        db.session.commit()
    query(live_server, send)
    assert wait_until(lambda: len(sms_gateway.requests) == 1)
    [received] = sms_gateway.requests
    assert received.headers["Authorization"] == "Bearer gw-token-123"
    assert json.loads(received.body) == {"to": "+442079460958", "text": "Task 7: set up hosting"}
    assert wait_until(lambda: query(live_server, lambda: db.session.query(OutboxMessage).filter_by(
        status=OutboxStatus.sent, topic="task.new").count()) == 1)


def test_screenshots_of_the_settings_in_both_languages(page: Page, live_server):
    def fill():
        row = db.session.get(CompanySettings, SETTINGS_ID)
        if row is None:
            row = CompanySettings(id=SETTINGS_ID, default_locale="en", currency="EUR", sms_enabled=False, version=1)
            db.session.add(row)
        row.company_name, row.company_address = "Acme Hosting", "1 Main Street\nSpringfield"
        row.sms_url, row.sms_method = "https://sms.example.com/send", "POST"
        row.sms_body_template, row.sms_enabled = '{"to": "{phone}", "text": "{text}"}', False
        db.session.commit()
        queue_sms(to="+442079460958", text="Task 8 for Acme Hosting:\nsuspend the service of Ann Lee.",
                  topic="task.new")
        db.session.commit()
    query(live_server, fill)
    log_in_as_admin(page)
    for language in ("en", "ru"):
        if language == "ru":
            page.get_by_role("button", name="RU").click()
        for path, name in (("/settings", "company"), ("/settings/email", "email"), ("/settings/sms", "sms"),
                           ("/settings/outbox", "outbox")):
            page.goto(path)
            for width in (1366, 390):
                page.set_viewport_size({"width": width, "height": 900})
                shot(page, f"settings-{name}-{language}-{width}")
                assert page.evaluate("document.documentElement.scrollWidth") <= width, (path, width)
        page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_role("button", name="EN").click()
