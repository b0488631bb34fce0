"""Sending what is in the outbox: claim a message (one worker only), send it (an email by SMTP, an SMS through
the HTTP gateway of the settings: webapp/outbox/sms.py), record the outcome.

Runs in the worker (webapp/outbox/tasks.py), inside an app context, committing its own short transactions:
the claim is committed before SMTP is spoken to, so no lock is held while the network is slow.
"""
import base64
import logging
import smtplib
import ssl
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parseaddr

from flask import current_app
from sqlalchemy import select, update

from webapp.extensions import db
from webapp.models import OutboxAttachment, OutboxChannel, OutboxMessage, OutboxStatus
from webapp.models.accounts import utcnow
from webapp.outbox import sms
from webapp.outbox.service import backoff

log = logging.getLogger(__name__)

HELD = "No SMTP server configured"  # last_error of an email held until SMTP is configured (shown translated)
HELD_SMS = sms.HELD_SMS  # last_error of an SMS held until an SMS gateway is configured
HELD_REASONS = {OutboxChannel.email: HELD, OutboxChannel.sms: HELD_SMS}
CLAIM = timedelta(minutes=10)  # a worker that died while sending: the message is due again after this
SWEEP_LIMIT = 1000  # messages enqueued by one sweep (the next sweep takes the rest)
ERROR_LENGTH = 500
SECURITY = {"none": 25, "starttls": 587, "ssl": 465}  # SMTP_SECURITY and its default port


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str
    user: str | None
    password: str | None
    timeout: int
    sender: str


def smtp_settings() -> SmtpSettings | None:
    """The SMTP server: the one on /settings when a host is set there (all of its fields then, the sender from
    MAIL_FROM if it has none), else SMTP_* from the configuration; None when neither names a host."""
    from webapp.settings.service import company_settings

    config = current_app.config
    company = company_settings()
    if company.smtp_host:
        security = company.smtp_security if company.smtp_security in SECURITY else "starttls"
        sender = formataddr((company.company_name, company.mail_from)) if company.mail_from and \
            company.company_name else company.mail_from or config["MAIL_FROM"]
        return SmtpSettings(host=company.smtp_host, port=company.smtp_port or SECURITY[security], security=security,
                            user=company.smtp_user or None, password=company.smtp_password or None,
                            timeout=int(config.get("SMTP_TIMEOUT") or 30), sender=sender)
    if not config.get("SMTP_HOST"):
        return None
    security = (config.get("SMTP_SECURITY") or "starttls").lower()
    if security not in SECURITY:
        raise ValueError(f"SMTP_SECURITY must be one of {', '.join(SECURITY)}, not {security!r}")
    return SmtpSettings(host=config["SMTP_HOST"], port=int(config.get("SMTP_PORT") or SECURITY[security]),
                        security=security, user=config.get("SMTP_USER"), password=config.get("SMTP_PASSWORD"),
                        timeout=int(config.get("SMTP_TIMEOUT") or 30), sender=config["MAIL_FROM"])


def transports() -> dict:
    """How each channel is sent now: SmtpSettings, SmsGateway, or None (its messages are held)."""
    return {OutboxChannel.email: smtp_settings(), OutboxChannel.sms: sms.gateway_settings()}


@dataclass(frozen=True)
class Claimed:
    """A claimed message, read in the claim's transaction."""

    id: int
    recipient: str
    subject: str
    text: str
    html: str | None
    attempts: int  # this one included
    attachments: tuple = ()  # (filename, content type, bytes) triples, read with the claim


def deliver_message(message_id: int, now: datetime | None = None) -> str:
    """Send one due message once: 'sent', 'retry' (failed, tried again later), 'failed' (given up),
    'held' (no SMTP server, or no SMS gateway, configured) or 'skipped' (not due, gone, or claimed by another
    worker)."""
    now = now or utcnow()
    channel = db.session.scalar(select(OutboxMessage.channel).where(OutboxMessage.id == message_id))
    if channel is None:
        return "skipped"
    transport = transports()[channel]
    if transport is None:
        hold(now, [message_id], channel)
        return "held"
    claimed = _claim(message_id, now)
    if claimed is None:
        return "skipped"
    try:
        if channel is OutboxChannel.sms:
            sms.send_sms(transport, claimed.recipient, claimed.text)
        else:
            send(transport, claimed)
    except Exception as error:  # every failure is recorded on the message; nothing is raised to Huey
        return _record_failure(claimed, error, transport, utcnow())
    with _writing():
        db.session.execute(update(OutboxMessage).where(OutboxMessage.id == claimed.id)
                           .values(status=OutboxStatus.sent, sent_at=utcnow(), last_error=None))
    return "sent"


def due_ids(now: datetime | None = None, limit: int = SWEEP_LIMIT) -> list[int]:
    """Messages whose (next) attempt is due, oldest first; those of a channel that cannot be sent now (no SMTP
    server, no SMS gateway) are marked held instead."""
    now = now or utcnow()
    ready = []
    for channel, transport in transports().items():
        if transport is None:
            hold(now, channel=channel)
        else:
            ready.append(channel)
    if not ready:
        return []
    ids = db.session.scalars(select(OutboxMessage.id).where(*_due(now), OutboxMessage.channel.in_(ready))
                             .order_by(OutboxMessage.id).limit(limit)).all()
    db.session.rollback()  # end the read: the deliveries take their own transactions
    return list(ids)


def hold(now: datetime, ids: list[int] | None = None, channel: OutboxChannel = OutboxChannel.email) -> None:
    """Due messages of the channel stay pending, marked with the reason: no SMTP server (or SMS gateway)
    configured, which is not an error."""
    reason = HELD_REASONS[channel]
    conditions = [OutboxMessage.status == OutboxStatus.pending, OutboxMessage.next_attempt_at <= now,
                  OutboxMessage.channel == channel,
                  (OutboxMessage.last_error.is_(None)) | (OutboxMessage.last_error != reason)]
    if ids is not None:
        conditions.append(OutboxMessage.id.in_(ids))
    with _writing():
        db.session.execute(update(OutboxMessage).where(*conditions).values(last_error=reason))


def _due(now: datetime):
    # A message being sent is due again only once its claim ran out (its worker died).
    return (OutboxMessage.status.in_((OutboxStatus.pending, OutboxStatus.sending)),
            OutboxMessage.next_attempt_at <= now)


def _claim(message_id: int, now: datetime) -> Claimed | None:
    """Take the message for this worker: one conditional UPDATE, so of two racing workers one wins (SQLite:
    the write lock taken at BEGIN; PostgreSQL: the second UPDATE waits, then finds it no longer due)."""
    with _writing():
        result = db.session.execute(
            update(OutboxMessage).where(OutboxMessage.id == message_id, *_due(now))
            .values(status=OutboxStatus.sending, attempts=OutboxMessage.attempts + 1,
                    next_attempt_at=now + CLAIM))
        if result.rowcount != 1:
            return None
        row = db.session.execute(select(OutboxMessage.recipient, OutboxMessage.subject, OutboxMessage.text_body,
                                        OutboxMessage.html_body, OutboxMessage.attempts)
                                 .where(OutboxMessage.id == message_id)).one()
        files = db.session.execute(select(OutboxAttachment.filename, OutboxAttachment.content_type,
                                          OutboxAttachment.data)
                                   .where(OutboxAttachment.message_id == message_id)
                                   .order_by(OutboxAttachment.id)).all()
    return Claimed(message_id, row.recipient, row.subject, row.text_body, row.html_body, row.attempts,
                   tuple((f.filename, f.content_type, f.data) for f in files))


class Unbuildable(ValueError):
    """The message cannot be turned into an email (an address or subject the email headers refuse)."""


def compose(settings: SmtpSettings, message: Claimed) -> EmailMessage:
    """The email: the text, with the HTML as an alternative, and the message's attachments."""
    try:
        email = EmailMessage()
        email["Subject"] = message.subject
        email["From"] = settings.sender
        email["To"] = message.recipient
        email["Date"] = format_datetime(utcnow())
        domain = parseaddr(settings.sender)[1].rpartition("@")[2] or None
        email["Message-ID"] = make_msgid(f"outbox.{message.id}", domain=domain)
        email["Auto-Submitted"] = "auto-generated"
        email.set_content(message.text)
        if message.html:
            email.add_alternative(message.html, subtype="html")
        for filename, content_type, data in message.attachments:  # the email becomes multipart/mixed
            maintype, _slash, subtype = (content_type or "").partition("/")
            if not maintype or not subtype:
                maintype, subtype = "application", "octet-stream"
            email.add_attachment(bytes(data), maintype=maintype, subtype=subtype, filename=filename)
    except ValueError as error:
        raise Unbuildable(str(error)) from error
    return email


def send(settings: SmtpSettings, message: Claimed) -> None:
    """One message over SMTP; TLS as configured; login when a user is set."""
    email = compose(settings, message)
    if settings.security == "ssl":
        smtp = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    with smtp:
        if settings.security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if settings.user:
            smtp.login(settings.user, settings.password or "")
        smtp.send_message(email)


def _record_failure(message: Claimed, error: Exception, transport, now: datetime) -> str:
    if isinstance(transport, sms.SmsGateway):
        give_up, text = sms.refused_for_good(error), sms.describe(error, transport)[:ERROR_LENGTH]
    else:
        give_up, text = _refused_for_good(error), describe(error, transport)
    give_up = give_up or message.attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]
    log.warning("Outbox message %s, attempt %s: %s", message.id, message.attempts, text)
    with _writing():
        db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message.id,
                                                       OutboxMessage.status == OutboxStatus.sending)
                           .values(status=OutboxStatus.failed if give_up else OutboxStatus.pending,
                                   next_attempt_at=now + backoff(message.attempts), last_error=text))
    return "failed" if give_up else "retry"


def _refused_for_good(error: Exception) -> bool:
    """Trying again would not help: the server refused the recipient with a permanent (5xx) answer, or the
    message cannot be built at all (an address or subject the email headers do not accept)."""
    if isinstance(error, Unbuildable):
        return True
    return isinstance(error, smtplib.SMTPRecipientsRefused) and bool(error.recipients) and all(
        500 <= code < 600 for code, _ in error.recipients.values())


def describe(error: Exception, settings: SmtpSettings) -> str:
    """A short account of the failure for the outbox page, never containing the SMTP password."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        detail = "; ".join(f"{address}: {code} {_text(reply)}" for address, (code, reply) in error.recipients.items())
    elif isinstance(error, smtplib.SMTPResponseException):
        detail = f"{error.smtp_code} {_text(error.smtp_error)}"
    elif isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException):
        detail = f"{error.strerror or error} ({settings.host}:{settings.port})"
    else:
        detail = str(error)
    text = " ".join(f"{type(error).__name__}: {detail}".split())
    for secret in _secrets(settings):
        text = text.replace(secret, "***")
    return text[:ERROR_LENGTH]


def _secrets(settings: SmtpSettings) -> list[str]:
    if not settings.password:
        return []
    user, password = settings.user or "", settings.password
    forms = [password, f"\0{user}\0{password}"]
    return [password] + [base64.b64encode(form.encode()).decode() for form in forms]


def _text(reply) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


@contextmanager
def _writing():
    """A short write transaction of the worker's own, committed at the end (on SQLite it takes the write lock
    at BEGIN, so it waits for other writers instead of failing half-way)."""
    db.session.rollback()
    db.session.connection(execution_options={"sqlite_immediate": True})
    try:
        yield
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
