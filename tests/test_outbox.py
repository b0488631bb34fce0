"""The outbox: written in the change's transaction, sent by the worker after the commit, retried with backoff,
never lost and never sent twice; /settings/outbox lists what is not sent yet. Mail goes to a local aiosmtpd
server; tasks run through Huey (in-process here, a real consumer in the tests marked so)."""
import re
import smtplib
import threading
from datetime import timedelta

import pytest
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage
from sqlalchemy import func, select, update

from tests.conftest import login
from tests.factories import make_staff
from tests.mail import closed_port, wait_until
from tests.worker import queue_in, running_consumer
from webapp.extensions import db
from webapp.models import Account, OutboxMessage, OutboxStatus
from webapp.models.accounts import utcnow
from webapp.outbox import absolute_url, queue_email, queue_templated_email, render_email
from webapp.outbox.delivery import HELD, SmtpSettings, describe
from webapp.outbox.service import backoff
from webapp.outbox.tasks import deliver, sweep_outbox
from webapp.worker import huey, use_app


def queue(to="ann@example.com", subject="Ticket #7 answered", topic="ticket.reply", account_id=None):
    return queue_email(to=to, subject=subject, text="Plain text body\nhttp://example.test/t/7\n",
                       html="<p>HTML body <a href=\"http://example.test/t/7\">open</a></p>", topic=topic,
                       account_id=account_id)


def messages() -> list[OutboxMessage]:
    db.session.commit()  # end the test's own transaction: read what the worker committed meanwhile
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def make_due(*ids) -> None:
    """As if the backoff had passed."""
    condition = OutboxMessage.id.in_(ids) if ids else OutboxMessage.id > 0
    db.session.execute(update(OutboxMessage).where(condition).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()


# --- queue, commit, deliver ------------------------------------------------------------------------------

def test_a_committed_message_arrives_with_text_and_html(mail_app, smtp_server, admin):
    queue_templated_email("ann@example.com", "outbox_test", "en", "outbox.test", account_id=admin.id,
                          name="Ann", outbox_url=absolute_url("outbox.index"))
    assert smtp_server.messages == []  # nothing leaves before the commit
    db.session.commit()
    [received] = smtp_server.inbox.wait_for(1)
    assert received["To"] == "ann@example.com"
    assert received["From"] == "Provider console <noreply@example.test>"
    assert received["Subject"] == "Test message from the provider console"
    assert received["Auto-Submitted"] == "auto-generated" and received["Message-ID"]
    text = received.get_body(("plain",)).get_content()
    html = received.get_body(("html",)).get_content()
    assert "Hello, Ann," in text and "http://console.example.test/settings/outbox" in text
    assert 'href="http://console.example.test/settings/outbox"' in html and '<html lang="en">' in html
    [message] = messages()
    assert message.status is OutboxStatus.sent and message.sent_at is not None
    assert message.attempts == 1 and message.last_error is None and message.account_id == admin.id
    assert message.topic == "outbox.test" and message.html_body and message.text_body


def test_a_rolled_back_change_sends_nothing(mail_app, smtp_server):
    queue()
    db.session.flush()
    db.session.rollback()
    queue(to="bob@example.com")
    db.session.commit()
    assert [m["To"] for m in smtp_server.inbox.wait_for(1)] == ["bob@example.com"]
    assert [m.recipient for m in messages()] == ["bob@example.com"]


def test_a_rolled_back_change_enqueues_nothing_either(app, tmp_path):
    with queue_in(SqliteStorage("console", filename=str(tmp_path / "queue.sqlite3"))):
        queue()
        db.session.rollback()
        assert huey.pending_count() == 0
        queue()
        db.session.commit()
        assert huey.pending_count() == 1


def test_emails_are_rendered_in_the_recipients_language(app):
    subject, text, html = render_email("outbox_test", "ru", name="Аня", outbox_url="http://x.test/o")
    assert '<html lang="ru">' in html and "Консоль провайдера" in html and "Аня" in text
    subject_en, _, html_en = render_email("outbox_test", "xx", name="Ann", outbox_url="http://x.test/o")
    assert '<html lang="en">' in html_en and "Provider console" in html_en
    assert "\n" not in subject and subject_en == "Test message from the provider console"


def test_links_are_absolute_on_base_url_without_a_request(app):
    assert absolute_url("outbox.index", status="failed") == "http://console.example.test/settings/outbox?status=failed"
    app.config["BASE_URL"] = "https://billing.example.com/console"
    assert absolute_url("outbox.index") == "https://billing.example.com/console/settings/outbox"


# --- SMTP down, backoff, nothing lost -----------------------------------------------------------------------

def test_smtp_down_keeps_the_message_with_backoff_then_the_sweep_delivers_it_once(mail_app, smtp_server):
    mail_app.config.update(SMTP_PORT=closed_port(), SMTP_USER="mailer", SMTP_PASSWORD="s3cret-pw")
    before = utcnow()
    message = queue()
    db.session.flush()
    message_id = message.id
    db.session.commit()
    [message] = messages()
    assert message.id == message_id and message.status is OutboxStatus.pending and message.attempts == 1
    assert "Connection refused" in message.last_error and "s3cret" not in message.last_error
    waited = aware(message.next_attempt_at) - before
    assert timedelta(seconds=55) < waited < timedelta(seconds=70)  # the first retry after a minute

    sweep_outbox()  # not due yet: not tried again
    assert messages()[0].attempts == 1
    make_due()
    sweep_outbox()
    [message] = messages()
    assert message.attempts == 2 and message.status is OutboxStatus.pending
    assert timedelta(seconds=115) < aware(message.next_attempt_at) - utcnow() < timedelta(seconds=125)

    mail_app.config.update(SMTP_PORT=smtp_server.port, SMTP_USER=None, SMTP_PASSWORD=None)
    make_due()
    sweep_outbox()
    assert len(smtp_server.inbox.wait_for(1)) == 1
    sweep_outbox()
    make_due()
    sweep_outbox()
    deliver(message.id)
    assert len(smtp_server.messages) == 1
    [message] = messages()
    assert message.status is OutboxStatus.sent and message.attempts == 3 and message.last_error is None


def test_it_gives_up_after_the_last_attempt_and_retry_starts_again(mail_app, smtp_server):
    mail_app.config.update(SMTP_PORT=closed_port(), OUTBOX_MAX_ATTEMPTS=3)
    queue()
    db.session.commit()
    for _ in range(4):
        make_due()
        sweep_outbox()
    [message] = messages()
    assert message.status is OutboxStatus.failed and message.attempts == 3
    make_due()
    sweep_outbox()
    assert messages()[0].attempts == 3  # a failed message is not tried by itself any more


def test_backoff_doubles_up_to_an_hour():
    assert [backoff(n).total_seconds() / 60 for n in range(1, 10)] == [1, 2, 4, 8, 16, 32, 60, 60, 60]


def test_a_recipient_refused_for_good_fails_at_once(mail_app, smtp_server):
    class Refusing(type(smtp_server.inbox)):
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            return "550 5.1.1 No such mailbox"

    from tests.mail import SmtpServer

    refusing = SmtpServer()
    refusing.inbox = Refusing()
    refusing._controller.handler = refusing.inbox
    refusing.start()
    try:
        mail_app.config["SMTP_PORT"] = refusing.port
        queue(to="nobody@example.com")
        db.session.commit()
    finally:
        refusing.stop()
    [message] = messages()
    assert message.status is OutboxStatus.failed and message.attempts == 1
    assert "550" in message.last_error and "No such mailbox" in message.last_error


def test_the_error_never_shows_the_password():
    settings = SmtpSettings("smtp.example.com", 587, "starttls", "mailer", "s3cret-pw", 5, "x@example.com")
    error = smtplib.SMTPAuthenticationError(535, b"5.7.8 rejected mailer/s3cret-pw AG1haWxlcgBzM2NyZXQtcHc=")
    text = describe(error, settings)
    assert text.startswith("SMTPAuthenticationError: 535 5.7.8 rejected")
    assert "s3cret" not in text and "AG1haWxlcgBzM2NyZXQtcHc=" not in text and "***" in text
    assert len(describe(smtplib.SMTPException("x" * 2000), settings)) == 500


def test_a_lost_enqueue_loses_nothing(mail_app, smtp_server):
    """The queue is unreachable at commit time (Redis down): the change commits, the sweep sends it later."""
    with queue_in(RedisStorage("console", url=f"redis://127.0.0.1:{closed_port()}/0")):
        queue()
        db.session.commit()  # enqueueing fails after the commit; logged, not raised
    assert smtp_server.messages == []
    [message] = messages()
    assert message.status is OutboxStatus.pending and message.attempts == 0
    sweep_outbox()
    assert len(smtp_server.inbox.wait_for(1)) == 1 and messages()[0].status is OutboxStatus.sent


# --- no SMTP server configured ------------------------------------------------------------------------------

def test_without_smtp_host_messages_are_held_not_failed(app, smtp_server):
    queue()
    db.session.commit()
    sweep_outbox()
    [message] = messages()
    assert message.status is OutboxStatus.pending and message.attempts == 0 and message.last_error == HELD
    app.config.update(SMTP_HOST=smtp_server.host, SMTP_PORT=smtp_server.port)
    sweep_outbox()  # configured now: the held message goes
    assert len(smtp_server.inbox.wait_for(1)) == 1
    assert messages()[0].status is OutboxStatus.sent


# --- races ------------------------------------------------------------------------------------------------

def test_concurrent_deliveries_of_one_message_send_it_once(mail_app, smtp_server):
    with queue_in(MemoryStorage("console")):  # enqueued but not run: the racing workers below run it
        created = [queue(to=f"r{i}@example.com") for i in range(3)]
        db.session.flush()
        ids = [message.id for message in created]
        db.session.commit()
    use_app(mail_app)
    barrier = threading.Barrier(6)
    outcomes = []

    def work(message_id):
        barrier.wait()
        outcomes.append(deliver.call_local(message_id))

    try:
        threads = [threading.Thread(target=work, args=(message_id,)) for message_id in ids for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        use_app(None)
    assert sorted(outcomes) == ["sent"] * 3 + ["skipped"] * 3
    assert sorted(m["To"] for m in smtp_server.inbox.wait_for(3)) == ["r0@example.com", "r1@example.com",
                                                                      "r2@example.com"]
    assert len(smtp_server.messages) == 3
    assert {m.status for m in messages()} == {OutboxStatus.sent} and {m.attempts for m in messages()} == {1}


def test_a_real_consumer_delivers_through_sqlite_huey(mail_app, smtp_server, tmp_path):
    with queue_in(SqliteStorage("console", filename=str(tmp_path / "queue.sqlite3"))):
        for i in range(3):
            queue(to=f"c{i}@example.com")
        db.session.commit()
        assert huey.pending_count() == 3 and smtp_server.messages == []  # waiting for a worker
        with running_consumer(mail_app, workers=2):
            assert len(smtp_server.inbox.wait_for(3)) == 3
            assert wait_until(lambda: {m.status for m in messages()} == {OutboxStatus.sent})
            deliver(messages()[0].id)  # a late duplicate of a task: the claim refuses it
            assert wait_until(lambda: huey.pending_count() == 0)
    assert sorted(m["To"] for m in smtp_server.messages) == ["c0@example.com", "c1@example.com", "c2@example.com"]


def test_the_sweep_is_a_periodic_task_and_others_can_add_theirs():
    from webapp.worker import crontab, periodic_task

    due = huey.read_periodic(utcnow().replace(tzinfo=None))  # what the consumer's scheduler enqueues now
    assert any(task.name == "sweep_outbox" for task in due)  # every minute
    registered = huey._registry._registry
    assert any(name.endswith("sweep_outbox") for name in registered)
    assert any(name.endswith("deliver") for name in registered)
    assert callable(periodic_task(crontab(minute="*/5"))) and callable(crontab)


# --- /settings/outbox ----------------------------------------------------------------------------------------

def outbox_messages(n, status=OutboxStatus.pending, **values):
    with queue_in(MemoryStorage("console")):
        created = [queue(to=f"m{i}@example.com", subject=f"Subject {i}") for i in range(n)]
        db.session.flush()
        for message in created:
            message.status = status
            for key, value in values.items():
                setattr(message, key, value)
        db.session.commit()
    return created


def rows(response) -> int:
    return len(re.findall(r'<tr id="outbox-\d+"', response.text))


def test_the_page_lists_pending_and_failed_not_sent(as_admin):
    outbox_messages(2, OutboxStatus.pending, last_error=HELD)
    outbox_messages(1, OutboxStatus.failed, attempts=10, last_error="SMTPServerDisconnected: gone")
    sent = outbox_messages(1, OutboxStatus.sent)[0]
    page = as_admin.get("/settings/outbox")
    assert page.status_code == 200
    assert rows(page) == 3 and f'id="outbox-{sent.id}"' not in page.text
    assert "No SMTP server configured" in page.text and "Held" in page.text
    assert "SMTPServerDisconnected: gone" in page.text and "Retry all failed" in page.text
    assert "UTC" in page.text and "No SMTP server is configured" in page.text
    failed = as_admin.get("/settings/outbox", query_string={"status": "failed"})
    assert rows(failed) == 1 and "gone" in failed.text
    assert rows(as_admin.get("/settings/outbox", query_string={"q": "M0@"})) == 2  # the sent m0 not among them


def test_the_page_is_paginated_and_has_an_empty_state(as_admin):
    assert "Nothing is waiting" in as_admin.get("/settings/outbox").text
    assert "No message has failed" in as_admin.get("/settings/outbox?status=failed").text
    outbox_messages(7)
    first = as_admin.get("/settings/outbox")
    assert rows(first) == 5 and "Page 1 of 2" in first.text
    second = as_admin.get("/settings/outbox", query_string={"page": 2})
    assert rows(second) == 2 and "Subject 0" in second.text  # newest first


def test_retry_makes_a_failed_message_pending_and_sends_it(app, as_admin, smtp_server):
    [message] = outbox_messages(1, OutboxStatus.failed, attempts=10, last_error="boom")
    app.config.update(SMTP_HOST=smtp_server.host, SMTP_PORT=smtp_server.port, SMTP_SECURITY="none")
    response = as_admin.post(f"/settings/outbox/{message.id}/retry", data={"status": "failed", "page": "1"})
    assert response.status_code == 302 and response.location == "/settings/outbox?status=failed"
    assert len(smtp_server.inbox.wait_for(1)) == 1  # the worker was told after the commit
    db.session.refresh(message)
    assert message.status is OutboxStatus.sent and message.attempts == 1


def test_retry_with_htmx_answers_the_row(app, as_admin):
    [message] = outbox_messages(1, OutboxStatus.failed, attempts=10, last_error="boom")
    with queue_in(MemoryStorage("console")):
        response = as_admin.post(f"/settings/outbox/{message.id}/retry", headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.text.lstrip().startswith(f'<tr id="outbox-{message.id}"')
    assert "Pending" in response.text and "<html" not in response.text
    db.session.refresh(message)
    assert message.status is OutboxStatus.pending and message.attempts == 0


def test_retry_all_failed(app, as_admin):
    outbox_messages(3, OutboxStatus.failed, attempts=10, last_error="boom")
    outbox_messages(1, OutboxStatus.pending)
    with queue_in(MemoryStorage("console")):
        response = as_admin.post("/settings/outbox/retry-failed", headers={"HX-Request": "true"})
        assert response.status_code == 200 and "3 failed messages will be sent again now." in response.text
        assert 'id="outbox-table"' in response.text and "<html" not in response.text
        assert huey.pending_count() == 3
    assert {m.status for m in messages()} == {OutboxStatus.pending}
    response = as_admin.post("/settings/outbox/retry-failed")
    assert response.status_code == 302


def test_forged_or_sent_ids_are_404(as_admin):
    sent = outbox_messages(1, OutboxStatus.sent)[0]
    for message_id in (sent.id, 999999):
        for headers in ({}, {"HX-Request": "true"}):
            response = as_admin.post(f"/settings/outbox/{message_id}/retry", headers=headers)
            assert response.status_code == 404
    assert messages()[0].status is OutboxStatus.sent


def test_the_page_needs_settings_edit(app, client):
    [message] = outbox_messages(1, OutboxStatus.failed, attempts=10, last_error="boom")
    viewer = make_staff("viewer", rights=["staff.view", "clients.view"])
    db.session.commit()
    assert login(client, viewer).status_code == 302
    assert client.get("/settings/outbox").status_code == 403
    assert client.post(f"/settings/outbox/{message.id}/retry").status_code == 403
    assert client.post("/settings/outbox/retry-failed").status_code == 403
    assert "/settings/outbox" not in client.get("/").text  # no navigation entry either
    assert messages()[0].status is OutboxStatus.failed
    editor = make_staff("editor", rights=["settings.edit"])
    db.session.commit()
    other = app.test_client()
    assert login(other, editor).status_code == 302
    assert other.get("/settings/outbox").status_code == 200 and "/settings/outbox" in other.get("/").text


def test_the_test_message_goes_to_ones_own_address(app, as_admin, admin, smtp_server):
    app.config.update(SMTP_HOST=smtp_server.host, SMTP_PORT=smtp_server.port, SMTP_SECURITY="none")
    db.session.get(Account, admin.id).email = email = "admin@example.com"
    db.session.commit()
    response = as_admin.post("/settings/outbox/test-message")
    assert response.status_code == 302
    [received] = smtp_server.inbox.wait_for(1)
    assert received["To"] == email and "Administrator" in received.get_body(("plain",)).get_content()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
    db.session.get(Account, admin.id).email = None
    db.session.commit()
    response = as_admin.post("/settings/outbox/test-message")
    assert response.status_code == 409 and "no email address" in response.text


def aware(moment):
    from datetime import timezone

    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def _no_leftover_app():
    yield
    use_app(None)


def test_a_message_that_cannot_be_an_email_fails_at_once(mail_app, smtp_server):
    queue(to="ann@example.com\nBcc: everyone@example.com")
    db.session.commit()
    [message] = messages()
    assert message.status is OutboxStatus.failed and message.attempts == 1
    assert message.last_error.startswith("Unbuildable:") and smtp_server.messages == []
