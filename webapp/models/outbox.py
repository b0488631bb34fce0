"""The outbox: messages written in the transaction of the change that causes them, sent later by the worker."""
import enum
from datetime import datetime

from sqlalchemy import DateTime, Enum, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.accounts import utcnow


class OutboxChannel(enum.Enum):
    email = "email"
    sms = "sms"


class OutboxStatus(enum.Enum):
    pending = "pending"  # waiting for its (next) attempt, or held: no SMTP server configured (see last_error)
    sending = "sending"  # claimed by a worker until next_attempt_at (then due again if that worker died)
    sent = "sent"
    failed = "failed"  # given up after the last attempt, or refused for good; "Retry" makes it pending again


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        # The worker's sweep: pending messages whose next attempt is due.
        Index("ix_outbox_messages_status_next_attempt_at", "status", "next_attempt_at"),
        # The outbox page: pending or failed messages, newest first.
        Index("ix_outbox_messages_status_id", "status", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[OutboxChannel] = mapped_column(
        Enum(OutboxChannel, name="outbox_channel", native_enum=False, length=16), default=OutboxChannel.email)
    recipient: Mapped[str] = mapped_column(String(254))  # an email address (a phone number for sms)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"), index=True)
    topic: Mapped[str] = mapped_column(String(64))  # what it is about, e.g. "ticket.new"
    subject: Mapped[str] = mapped_column(String(255))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    status: Mapped[OutboxStatus] = mapped_column(
        Enum(OutboxStatus, name="outbox_status", native_enum=False, length=16), default=OutboxStatus.pending)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    attachments = relationship("OutboxAttachment", cascade="all, delete-orphan", passive_deletes=True,
                               order_by="OutboxAttachment.id")

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.topic} {self.status.value}>"


class OutboxAttachment(db.Model):
    """A file sent with an email (an invoice's PDF), stored with its message until the message is purged."""

    __tablename__ = "outbox_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox_messages.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
