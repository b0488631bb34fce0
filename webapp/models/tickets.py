"""Support tickets: a client's request to a department, its messages (replies and internal notes) and files.

A ticket waiting for staff (new, or waiting for staff after a client's reply) has a deadline: the department's
response target counted in its schedule's open hours from `awaiting_since`, the moment the awaited message
arrived. A staff reply stops the clock; while waiting for the client or closed there is no deadline.
"""
import enum
from datetime import datetime

from sqlalchemy import Boolean, DateTime, Enum, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.i18n import lazy_gettext as _l
from webapp.models.accounts import utcnow


class TicketStatus(enum.Enum):
    new = "new"
    waiting_staff = "waiting_staff"
    waiting_client = "waiting_client"
    closed = "closed"

    @property
    def label(self):
        return STATUS_LABELS[self]

    @property
    def awaits_staff(self) -> bool:
        return self in (TicketStatus.new, TicketStatus.waiting_staff)


STATUS_LABELS = {
    TicketStatus.new: _l("New"),
    TicketStatus.waiting_staff: _l("Waiting for staff"),
    TicketStatus.waiting_client: _l("Waiting for client"),
    TicketStatus.closed: _l("Closed"),
}


class MessageKind(enum.Enum):
    client = "client"  # written by the client
    reply = "reply"  # a staff reply: the client sees it
    note = "note"  # an internal note: the client never does
    event = "event"  # assigned, moved, closed, reopened: shown to staff only


class AssignmentMode(enum.Enum):
    off = "off"
    round_robin = "round_robin"
    fewest_open = "fewest_open"


ASSIGNMENT_LABELS = {
    AssignmentMode.off: _l("Off"),
    AssignmentMode.round_robin: _l("Round robin"),
    AssignmentMode.fewest_open: _l("Fewest open tickets"),
}


class Ticket(db.Model):
    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_client_activity", "client_id", "last_message_at"),
        # "Mine" and "unassigned" in the queue, per department without reading the tickets; fewest-open counts.
        Index("ix_tickets_assignee_status", "assignee_id", "status", "department_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="RESTRICT"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(String(200))
    subject_key: Mapped[str] = mapped_column(String(200))  # fold(subject): the queue's search
    status: Mapped[TicketStatus] = mapped_column(
        Enum(TicketStatus, name="ticket_status", native_enum=False, length=16), default=TicketStatus.new)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The newest message the client can see, and the newest of all: a reply form names the one it showed.
    last_message_id: Mapped[int | None] = mapped_column(Integer)
    awaiting_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    overdue_notified: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    first_response_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Business minutes from the ticket's arrival to the first staff reply, in the department's hours then.
    first_response_minutes: Mapped[int | None] = mapped_column(Integer)
    first_response_in_target: Mapped[bool | None] = mapped_column(Boolean)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    client = relationship("Account", foreign_keys=[client_id])
    department = relationship("Department")
    assignee = relationship("Account", foreign_keys=[assignee_id])
    messages = relationship("TicketMessage", back_populates="ticket", order_by="TicketMessage.id",
                            cascade="all, delete-orphan", passive_deletes=True)

    @property
    def number(self) -> str:
        return f"#{self.id}"


# The queue's order: deadlines first (overdue on top), then the latest activity. With these two indexes the
# database reads a page of the queue in order, for all departments or one, without sorting every open ticket.
QUEUE_ORDER = (Ticket.due_at.is_(None), Ticket.due_at, Ticket.last_message_at.desc(), Ticket.id.desc())
Index("ix_tickets_queue", *QUEUE_ORDER)
Index("ix_tickets_department_queue", Ticket.department_id, *QUEUE_ORDER)


class TicketMessage(db.Model):
    __tablename__ = "ticket_messages"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    kind: Mapped[MessageKind] = mapped_column(Enum(MessageKind, name="message_kind", native_enum=False, length=10))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    ticket = relationship("Ticket", back_populates="messages")
    author = relationship("Account")
    attachments = relationship("TicketAttachment", order_by="TicketAttachment.id", cascade="all, delete-orphan",
                               passive_deletes=True)

    @property
    def visible_to_client(self) -> bool:
        return self.kind in (MessageKind.client, MessageKind.reply)


class TicketAttachment(db.Model):
    """A file sent with a message, kept in the database: only the ticket's client and its department's staff
    download it, through a guarded view."""

    __tablename__ = "ticket_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("ticket_messages.id", ondelete="CASCADE"), index=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)


class CannedReply(db.Model):
    """A prepared answer: for everyone (no department, no owner), one department, or one person."""

    __tablename__ = "canned_replies"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    department = relationship("Department")
    owner = relationship("Account")
