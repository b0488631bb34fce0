"""SMS through the HTTP gateway of /settings, to a local gateway started by the test: phone and text arrive as the
body template says, with the Authorization header; a gateway down is retried, a 4xx fails, no gateway holds the
SMS in the outbox, readable there. And the SMTP server of /settings wins over the environment's."""
import json
import logging
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from tests.conftest import login
from tests.mail import SmtpServer, closed_port
from tests.sms_gateway import SmsGateway
from webapp.extensions import db
from webapp.models import CompanySettings, OutboxChannel, OutboxMessage, OutboxStatus
from webapp.outbox import queue_email
from webapp.outbox.delivery import HELD, HELD_SMS, deliver_message
from webapp.outbox.service import queue_sms
from webapp.outbox.sms import SmsGateway as GatewaySettings
from webapp.outbox.sms import build_request, describe
from webapp.outbox.tasks import sweep_outbox
from webapp.settings.service import SETTINGS_ID

PHONE = "+442079460958"
TEXT = 'Task #7 "Order": set up hosting\nfor Ann & Co — 100% ✓'
TOKEN = "Bearer s3cr3t-t0ken-value"
JSON_TEMPLATE = '{"to": "{phone}", "message": {"text": "{text}"}}'


@pytest.fixture
def gateway():
    server = SmsGateway().start()
    yield server
    server.stop()


def settings_row() -> CompanySettings:
    row = db.session.get(CompanySettings, SETTINGS_ID)
    if row is None:
        row = CompanySettings(id=SETTINGS_ID, company_name="", company_address="", default_locale="en",
                              currency="EUR", sms_enabled=False, version=1)
        db.session.add(row)
    return row


def configure(url, method="POST", template=JSON_TEMPLATE, authorization=TOKEN, enabled=True, **other):
    row = settings_row()
    row.sms_enabled, row.sms_url, row.sms_method = enabled, url, method
    row.sms_body_template, row.sms_authorization = template, authorization
    for name, value in other.items():
        setattr(row, name, value)
    db.session.commit()


def send_one(text=TEXT, to=PHONE) -> int:
    message = queue_sms(to=to, text=text, topic="task.new")
    db.session.commit()  # the worker (in-process here) is told after the commit
    return message.id


def message(message_id) -> OutboxMessage:
    db.session.commit()
    return db.session.get(OutboxMessage, message_id)


def make_due():
    from tests.test_outbox import make_due as due
    due()


def test_json_post_carries_phone_text_and_authorization(app, gateway):
    configure(gateway.url)
    message_id = send_one()
    [received] = gateway.requests
    assert received.method == "POST" and received.path == "/send"
    assert received.headers["Authorization"] == TOKEN
    assert received.headers["Content-Type"].startswith("application/json")
    assert json.loads(received.body) == {"to": PHONE, "message": {"text": TEXT}}
    sent = message(message_id)
    assert sent.status is OutboxStatus.sent and sent.attempts == 1 and sent.last_error is None
    assert sent.channel is OutboxChannel.sms


def test_form_post_and_get_query_are_url_encoded(app, gateway):
    configure(gateway.url, template="to={phone}&text={text}&from=Acme", authorization=None)
    send_one()
    received = gateway.requests[-1]
    assert received.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert "Authorization" not in received.headers
    assert parse_qs(received.body.decode()) == {"to": [PHONE], "text": [TEXT], "from": ["Acme"]}

    configure(gateway.url + "?key=abc", method="GET", template="to={phone}&text={text}")
    send_one()
    received = gateway.requests[-1]
    assert received.method == "GET" and received.body == b""
    assert parse_qs(urlsplit(received.path).query) == {"key": ["abc"], "to": [PHONE], "text": [TEXT]}
    assert received.headers["Authorization"] == TOKEN


def test_json_values_cannot_break_out_of_their_strings():
    gateway = GatewaySettings(url="https://sms.example.com/send", method="POST",
                              body_template='{"to": "{phone}", "text": "{text}"}', authorization=None)
    hostile = '", "to": "+19999999999", "x": "\\\n\u2028'
    request = build_request(gateway, PHONE, hostile)
    assert json.loads(request.data) == {"to": PHONE, "text": hostile}


def test_a_gateway_name_resolving_to_a_link_local_address_is_refused_for_good(app, gateway, monkeypatch):
    """A stored URL (or a DNS name pointing at 169.254.169.254) never reaches the metadata service: the SMS fails
    at once, naming why, and nothing is sent."""
    import socket

    from webapp.outbox import sms as sms_module

    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if host == "metadata.example.com":
            return real("169.254.169.254", *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(sms_module.socket, "getaddrinfo", resolve)
    opened = []
    monkeypatch.setattr(sms_module._opener, "open", lambda *a, **k: opened.append(a))
    configure("http://metadata.example.com/latest/meta-data/")
    refused = message(send_one())
    assert refused.status is OutboxStatus.failed and "link-local" in refused.last_error
    assert opened == []


def test_a_gateway_down_is_retried_later_and_the_sms_is_not_lost(app, gateway, caplog):
    configure(f"http://127.0.0.1:{closed_port()}/send?api_key=k3y-in-url")
    with caplog.at_level(logging.WARNING):
        message_id = send_one()
    waiting = message(message_id)
    assert waiting.status is OutboxStatus.pending and waiting.attempts == 1
    assert "Connection refused" in waiting.last_error and "127.0.0.1" in waiting.last_error
    for secret in ("s3cr3t", "k3y-in-url", "/send"):
        assert secret not in waiting.last_error and secret not in caplog.text

    configure(gateway.url)  # the gateway is back
    sweep_outbox()  # not due yet (backoff)
    assert gateway.requests == []
    make_due()
    sweep_outbox()
    assert len(gateway.requests) == 1
    assert message(message_id).status is OutboxStatus.sent


@pytest.mark.parametrize("status, outcome", [(500, "retry"), (503, "retry"), (408, "retry"), (429, "retry"),
                                             (400, "failed"), (401, "failed"), (404, "failed"), (302, "failed")])
def test_the_gateways_answer_decides(app, gateway, status, outcome):
    configure(gateway.url)
    gateway.status = status
    message_id = send_one()
    assert len(gateway.requests) == 1  # a redirect is not followed (it would carry the Authorization header)
    result = message(message_id)
    expected = OutboxStatus.pending if outcome == "retry" else OutboxStatus.failed
    assert result.status is expected and f"HTTP {status}" in result.last_error
    if outcome == "retry":
        gateway.status = 200
        make_due()
        sweep_outbox()
        assert message(message_id).status is OutboxStatus.sent


def test_the_authorization_header_never_reaches_the_error_or_the_log(app, gateway, caplog):
    configure(gateway.url)
    gateway.status = 401
    gateway.answer = f"bad credentials: {TOKEN} / s3cr3t-t0ken-value".encode()
    with caplog.at_level(logging.DEBUG):
        message_id = send_one()
    failed = message(message_id)
    assert failed.status is OutboxStatus.failed and "HTTP 401" in failed.last_error and "***" in failed.last_error
    assert "s3cr3t" not in failed.last_error and "s3cr3t" not in caplog.text
    gateway_settings = GatewaySettings(url=gateway.url, method="POST", body_template="{phone}{text}",
                                       authorization=TOKEN)
    assert "s3cr3t" not in describe(RuntimeError(f"boom {TOKEN}"), gateway_settings)


def test_without_a_gateway_sms_are_held_readable_in_the_outbox_then_sent(app, gateway, admin):
    message_id = send_one()
    held = message(message_id)
    assert held.status is OutboxStatus.pending and held.attempts == 0 and held.last_error == HELD_SMS
    configure(gateway.url, enabled=False)  # configured but switched off: still held
    sweep_outbox()
    assert gateway.requests == [] and message(message_id).last_error == HELD_SMS

    client = app.test_client()
    login(client, admin)
    page = client.get("/settings/outbox").text
    assert "No SMS gateway configured" in page and "No SMS gateway is configured" in page
    assert PHONE in page and "Task #7 &#34;Order&#34;: set up hosting\nfor Ann &amp; Co" in page
    assert ">SMS<" in page

    configure(gateway.url)
    sweep_outbox()
    assert len(gateway.requests) == 1 and message(message_id).status is OutboxStatus.sent


def test_channels_are_held_and_sent_independently(app, gateway):
    configure(gateway.url)
    email = queue_email(to="ann@example.com", subject="S", text="T", html="<p>T</p>", topic="t")
    db.session.commit()
    sms_id = send_one()
    assert message(email.id).last_error == HELD and message(email.id).status is OutboxStatus.pending
    assert message(sms_id).status is OutboxStatus.sent
    assert deliver_message(email.id) == "held"


def test_smtp_of_the_settings_wins_over_the_environment(mail_app, smtp_server):
    company_server = SmtpServer().start()
    try:
        row = settings_row()
        row.company_name, row.smtp_host, row.smtp_port = "Acme Hosting", company_server.host, company_server.port
        row.smtp_security, row.mail_from = "none", "billing@acme.example.com"
        db.session.commit()
        queue_email(to="ann@example.com", subject="Via settings", text="T", html="<p>T</p>", topic="t")
        db.session.commit()
        [received] = company_server.inbox.wait_for(1)
        assert received["Subject"] == "Via settings"
        assert received["From"] == "Acme Hosting <billing@acme.example.com>"
        assert smtp_server.messages == []

        row = settings_row()
        row.smtp_host = None  # back to the environment
        db.session.commit()
        queue_email(to="bob@example.com", subject="Via environment", text="T", html="<p>T</p>", topic="t")
        db.session.commit()
        assert [m["Subject"] for m in smtp_server.inbox.wait_for(1)] == ["Via environment"]
    finally:
        company_server.stop()


def test_smtp_of_the_settings_works_without_any_in_the_environment(app):
    server = SmtpServer().start()
    try:
        row = settings_row()
        row.smtp_host, row.smtp_port, row.smtp_security = server.host, server.port, "none"
        db.session.commit()
        queued = queue_email(to="ann@example.com", subject="S", text="T", html="<p>T</p>", topic="t")
        db.session.commit()
        message_id = queued.id
        [received] = server.inbox.wait_for(1)
        assert received["From"] == "Provider console <noreply@example.test>"  # MAIL_FROM: none in the settings
        assert message(message_id).status is OutboxStatus.sent
    finally:
        server.stop()


def test_the_sms_list_runs_a_constant_number_of_queries(app, admin, count_queries):
    client = app.test_client()
    login(client, admin)

    def measure():
        with count_queries() as counter:
            assert client.get("/settings/outbox").status_code == 200
        return counter.n

    send_one()
    few = measure()
    for index in range(6):
        send_one(text=f"SMS {index}")
        queue_email(to=f"p{index}@example.com", subject="S", text="T", html="<p>T</p>", topic="t")
    db.session.commit()
    assert measure() == few
    assert db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.channel == OutboxChannel.sms).limit(1))


def test_a_failed_sms_retried_from_the_outbox_row_shows_its_text(app, gateway, admin):
    configure(gateway.url)
    gateway.status = 400
    message_id = send_one(text="Line one\nline two")
    assert message(message_id).status is OutboxStatus.failed
    client = app.test_client()
    login(client, admin)
    gateway.status = 200
    row = client.post(f"/settings/outbox/{message_id}/retry", headers={"HX-Request": "true"})
    assert row.status_code == 200 and row.text.lstrip().startswith(f'<tr id="outbox-{message_id}"')
    assert "Line one\nline two" in row.text and PHONE in row.text and ">SMS<" in row.text
    assert message(message_id).status is OutboxStatus.sent and len(gateway.requests) == 2
