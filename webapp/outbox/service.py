"""Writing to the outbox: in the caller's transaction, told to the worker only once that transaction commits.

    subject, text, html = render_email("ticket_new", client.locale or "en", ticket=ticket,
                                       url=absolute_url("support.ticket", ticket_id=ticket.id))
    queue_email(to=client.email, subject=subject, text=text, html=html, topic="ticket.new", account_id=client.id)
    # or both at once: queue_templated_email(client.email, "ticket_new", client.locale, "ticket.new", ...)
    db.session.commit()   # the change and its message together; a rollback sends nothing
"""
import logging
from datetime import timedelta
from urllib.parse import urlsplit

from flask import abort, current_app, render_template
from sqlalchemy import case, event, func, select, update
from sqlalchemy.orm import Session

from webapp.extensions import db
from webapp.i18n import force_locale
from webapp.models import OutboxAttachment, OutboxChannel, OutboxMessage, OutboxStatus
from webapp.models.accounts import utcnow

log = logging.getLogger(__name__)

EMAIL_TEMPLATES = "email"
_NEW_IDS = "outbox_new_ids"  # in Session.info: messages written in the open transaction


def queue_email(*, to: str, subject: str, text: str, html: str, topic: str, account_id: int | None = None,
                attachments=()) -> OutboxMessage:
    """Add an email to the outbox in the current transaction (not committed here); once the transaction
    commits, the worker is told to send it. `attachments`: (filename, content type, bytes) triples."""
    message = OutboxMessage(channel=OutboxChannel.email, recipient=to.strip(), subject=_one_line(subject)[:255],
                            text_body=text, html_body=html, topic=topic, account_id=account_id,
                            status=OutboxStatus.pending, attempts=0, next_attempt_at=utcnow())
    message.attachments = [OutboxAttachment(filename=name, content_type=content_type, data=data)
                           for name, content_type, data in attachments]
    db.session.add(message)
    return message


def queue_sms(*, to: str, text: str, topic: str, account_id: int | None = None) -> OutboxMessage:
    """Add an SMS (to an E.164 number) to the outbox in the current transaction; sent through the settings'
    HTTP gateway, or held in the outbox, readable there, when no gateway is configured."""
    message = OutboxMessage(channel=OutboxChannel.sms, recipient=to.strip(), subject=_one_line(text)[:255],
                            text_body=text, html_body=None, topic=topic, account_id=account_id,
                            status=OutboxStatus.pending, attempts=0, next_attempt_at=utcnow())
    db.session.add(message)
    return message


def render_email(template: str, locale: str, **context) -> tuple[str, str, str]:
    """(subject, text, html) from templates/email/<template>.subject.txt, .txt and .html, in `locale`."""
    from webapp.settings.service import default_language

    locale = locale if locale in current_app.config["LANGUAGES"] else default_language()
    context.setdefault("base_url", current_app.config["BASE_URL"].rstrip("/"))
    with force_locale(locale):
        context["email_locale"] = locale
        subject = render_template(f"{EMAIL_TEMPLATES}/{template}.subject.txt", **context)
        text = render_template(f"{EMAIL_TEMPLATES}/{template}.txt", **context)
        html = render_template(f"{EMAIL_TEMPLATES}/{template}.html", **context)
    return _one_line(subject), text.strip() + "\n", html


def queue_templated_email(to: str, template: str, locale: str | None, topic: str, account_id: int | None = None,
                          attachments=(), **context) -> OutboxMessage:
    """render_email() then queue_email(): the message in the recipient's language."""
    subject, text, html = render_email(template, locale or "", **context)
    return queue_email(to=to, subject=subject, text=text, html=html, topic=topic, account_id=account_id,
                       attachments=attachments)


def absolute_url(endpoint: str, **values) -> str:
    """An absolute link on BASE_URL, with or without a request (the worker has none)."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http")
    return adapter.build(endpoint, values, force_external=True)


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --- telling the worker, after the commit -----------------------------------------------------------------

@event.listens_for(Session, "after_flush")
def _remember_new_messages(session, _flush_context):
    for instance in session.new:
        if isinstance(instance, OutboxMessage):
            session.info.setdefault(_NEW_IDS, []).append(instance.id)


@event.listens_for(Session, "after_soft_rollback")
def _forget_new_messages(session, previous_transaction):
    if previous_transaction.parent is None:  # the whole transaction: none of its messages exist
        session.info.pop(_NEW_IDS, None)


@event.listens_for(Session, "after_commit")
def _enqueue_committed_messages(session):
    ids = session.info.pop(_NEW_IDS, None)
    if ids:
        enqueue_delivery(ids)


def enqueue_delivery(ids) -> None:
    """Tell the worker; if the queue is unreachable nothing is lost: the every-minute sweep finds them."""
    from webapp.outbox.tasks import deliver

    for message_id in ids:
        try:
            deliver(message_id)
        except Exception:  # Redis down, the queue file locked...: the sweep sends it within a minute
            log.warning("Outbox message %s not enqueued; the sweep will send it", message_id, exc_info=True)


# --- the outbox page --------------------------------------------------------------------------------------

SHOWN = (OutboxStatus.pending, OutboxStatus.sending, OutboxStatus.failed)
RETRYABLE = (OutboxStatus.pending, OutboxStatus.failed)  # not one a worker is sending right now


def list_messages(status: OutboxStatus | None, q: str = ""):
    """Messages not sent yet: pending (with those being sent) or failed, or both, newest first; `q` searches
    the recipient, the subject (an SMS's text) and the topic. An SMS carries its whole text (sms_text)."""
    if status is OutboxStatus.pending:
        statuses = (OutboxStatus.pending, OutboxStatus.sending)
    elif status is OutboxStatus.failed:
        statuses = (OutboxStatus.failed,)
    else:
        statuses = SHOWN
    sms_text = case((OutboxMessage.channel == OutboxChannel.sms, OutboxMessage.text_body), else_=None)
    statement = (select(OutboxMessage.id, OutboxMessage.channel, OutboxMessage.recipient, OutboxMessage.subject,
                        sms_text.label("sms_text"), OutboxMessage.topic,
                        OutboxMessage.status, OutboxMessage.attempts, OutboxMessage.last_error,
                        OutboxMessage.next_attempt_at, OutboxMessage.created_at)
                 .where(OutboxMessage.status.in_(statuses)).order_by(OutboxMessage.id.desc()))
    if q:
        statement = statement.where(OutboxMessage.recipient.icontains(q, autoescape=True)
                                    | OutboxMessage.subject.icontains(q, autoescape=True)
                                    | OutboxMessage.topic.icontains(q, autoescape=True))
    return statement


def counts() -> dict[str, int]:
    """How many messages are pending, sending and failed, by the status's value."""
    rows = db.session.execute(select(OutboxMessage.status, func.count()).where(OutboxMessage.status.in_(SHOWN))
                              .group_by(OutboxMessage.status)).all()
    return {status.value: 0 for status in SHOWN} | {status.value: count for status, count in rows}


def get_message_or_404(message_id: int) -> OutboxMessage:
    """A message not sent yet; a sent one is not on the page and cannot be retried (404)."""
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.id == message_id,
                                                            OutboxMessage.status.in_(SHOWN)))
    if message is None:
        abort(404)
    return message


def retry(message: OutboxMessage) -> None:
    """Try again now: a failed message becomes pending; the worker is told after the commit. A message a worker
    is sending at this moment is left to it."""
    now = utcnow()
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message.id,
                                                   OutboxMessage.status.in_(RETRYABLE))
                       .values(status=OutboxStatus.pending, next_attempt_at=now,
                               attempts=_attempts_after_retry(OutboxMessage.attempts))
                       .execution_options(synchronize_session=False))
    db.session.info.setdefault(_NEW_IDS, []).append(message.id)
    db.session.flush()
    db.session.refresh(message)


def retry_failed() -> int:
    """Every failed message pending again, due now; returns how many."""
    ids = db.session.scalars(select(OutboxMessage.id).where(OutboxMessage.status == OutboxStatus.failed)).all()
    if ids:
        db.session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids),
                                                       OutboxMessage.status == OutboxStatus.failed)
                           .values(status=OutboxStatus.pending, next_attempt_at=utcnow(), attempts=0)
                           .execution_options(synchronize_session=False))
        db.session.info.setdefault(_NEW_IDS, []).extend(ids)
    return len(ids)


def _attempts_after_retry(attempts_column):
    """A failed message starts its count again (else its first new failure would be its last)."""
    return case((OutboxMessage.status == OutboxStatus.failed, 0), else_=attempts_column)


def queue_test_message(account, to: str | None = None) -> OutboxMessage:
    """A test message, in the account's language, to its own address or to `to`: does outgoing mail work?"""
    own = to is None or to.strip().casefold() == (account.email or "").strip().casefold()
    return queue_templated_email(account.email if to is None else to, "outbox_test", account.locale, "outbox.test",
                                 account_id=account.id if own else None, name=account.name if own else None,
                                 outbox_url=absolute_url("outbox.index"))


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes after the 1st, 2nd, 3rd ... failure, at most an hour."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))
