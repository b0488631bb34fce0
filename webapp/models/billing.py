"""Billing: tariff plans, clients' services and their history, charges (expenses), payments and invoices.

Money is Decimal in Numeric(14, 2) columns (SQLite stores REAL: sums are read through a Numeric cast, which
rounds back to cents). A client's balance is confirmed payments less charges that are not cancelled.
"""
import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.accounts import utcnow
from webapp.models.localized import NamedInTwoLanguages
from webapp.models.versioned import Versioned

MONEY = Numeric(14, 2)


def _enum(cls, name: str, length: int = 16) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=length)


class BillingPeriod(enum.Enum):
    month = "month"
    year = "year"


class Provisioning(enum.Enum):
    automatic = "automatic"  # the service starts as soon as it is ordered
    manual = "manual"  # a task tells the plan's department to set it up, suspend, resume or close it


class Tariff(NamedInTwoLanguages, Versioned, db.Model):
    """A tariff plan: what a client can order, at what price per period, and who provisions it."""

    __tablename__ = "tariffs"
    __table_args__ = (Index("ix_tariffs_archived_name", "archived", "name_key"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    price: Mapped[Decimal] = mapped_column(MONEY)
    period: Mapped[BillingPeriod] = mapped_column(_enum(BillingPeriod, "billing_period", 8))
    provisioning: Mapped[Provisioning] = mapped_column(_enum(Provisioning, "provisioning"))
    # The department that handles a manual plan's tasks (required for manual plans).
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="RESTRICT"), index=True)
    archived: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    department = relationship("Department")

    def __repr__(self) -> str:
        return f"<Tariff {self.name_en}>"


class ServiceStatus(enum.Enum):
    pending = "pending"  # ordered on a manual plan, waiting for its task
    active = "active"
    suspended = "suspended"
    closed = "closed"


class ServiceOperation(enum.Enum):
    """A manual operation a service waits for (a task tells the department to do it)."""

    order = "order"  # set the service up
    suspend = "suspend"
    resume = "resume"
    close = "close"


class Service(db.Model):
    """A client's service on a tariff plan."""

    __tablename__ = "services"
    __table_args__ = (
        Index("ix_services_status_id", "status", "id"),
        Index("ix_services_client_id", "client_id", "id"),
        Index("ix_services_tariff_id", "tariff_id", "id"),
        # The renewal job: active services whose paid period ends.
        Index("ix_services_status_paid_until", "status", "paid_until"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    tariff_id: Mapped[int] = mapped_column(ForeignKey("tariffs.id", ondelete="RESTRICT"))
    status: Mapped[ServiceStatus] = mapped_column(_enum(ServiceStatus, "service_status"))
    # The manual operation a task was created for and not yet done (None when nothing waits).
    pending_operation: Mapped[ServiceOperation | None] = mapped_column(_enum(ServiceOperation, "service_operation"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    paid_until: Mapped[date | None] = mapped_column(Date)  # the end (exclusive) of the last charged period
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    client = relationship("Account", foreign_keys=[client_id])
    tariff = relationship("Tariff")

    def __repr__(self) -> str:
        return f"<Service {self.id} {self.status.value}>"


class ServiceEvent(db.Model):
    """A service's history: what happened, who did it (None: the system), why, and when."""

    __tablename__ = "service_events"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(32))  # ordered, activated, suspend_requested, suspended, ...
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    actor = relationship("Account")


class Charge(db.Model):
    """An expense: money charged to a client's account (a service's period, or added by staff)."""

    __tablename__ = "charges"
    __table_args__ = (
        Index("ix_charges_client_id", "client_id", "id"),
        Index("ix_charges_created_at", "created_at"),
        # Charges not yet on an invoice, per client.
        Index("ix_charges_client_invoice", "client_id", "invoice_id"),
        Index("ux_charges_submission_key", "submission_key", unique=True),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id", ondelete="SET NULL"), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    description: Mapped[str] = mapped_column(String(255))
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    # The invoice that bills this charge, if any.
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id", ondelete="SET NULL"))
    # The form that added it (webapp.forms.SubmissionField): the same form sent twice adds one charge.
    submission_key: Mapped[str | None] = mapped_column(String(32))

    client = relationship("Account", foreign_keys=[client_id])
    service = relationship("Service")


class PaymentStatus(enum.Enum):
    pending = "pending"  # recorded, not yet confirmed (does not count in the balance)
    confirmed = "confirmed"
    cancelled = "cancelled"


class PaymentMethod(enum.Enum):
    bank_transfer = "bank_transfer"
    card = "card"
    cash = "cash"
    other = "other"


class Payment(db.Model):
    """Money received from a client."""

    __tablename__ = "payments"
    __table_args__ = (
        Index("ix_payments_client_id", "client_id", "id"),
        Index("ix_payments_status_id", "status", "id"),
        Index("ix_payments_received_on", "received_on"),
        Index("ux_payments_submission_key", "submission_key", unique=True),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    method: Mapped[PaymentMethod] = mapped_column(_enum(PaymentMethod, "payment_method"))
    received_on: Mapped[date] = mapped_column(Date)
    status: Mapped[PaymentStatus] = mapped_column(_enum(PaymentStatus, "payment_status"))
    note: Mapped[str | None] = mapped_column(String(255))
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    # The form that recorded it (webapp.forms.SubmissionField): the same form sent twice records one payment.
    submission_key: Mapped[str | None] = mapped_column(String(32))

    client = relationship("Account", foreign_keys=[client_id])


class InvoiceStatus(enum.Enum):
    draft = "draft"  # no number yet
    sent = "sent"  # issued: numbered and sent to the client
    paid = "paid"
    cancelled = "cancelled"


class Invoice(db.Model):
    """An invoice to a client. Issuing gives it the next number of its year (no gaps: see InvoiceCounter)."""

    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("year", "number", name="uq_invoices_year_number"),
        Index("ix_invoices_client_id", "client_id", "id"),
        Index("ix_invoices_status_id", "status", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    status: Mapped[InvoiceStatus] = mapped_column(_enum(InvoiceStatus, "invoice_status"))
    year: Mapped[int | None] = mapped_column(Integer)
    number: Mapped[int | None] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    issued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    sent_to: Mapped[str | None] = mapped_column(String(254))
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    client = relationship("Account", foreign_keys=[client_id])
    lines = relationship("InvoiceLine", cascade="all, delete-orphan", passive_deletes=True,
                         order_by="InvoiceLine.position")

    @property
    def display_number(self) -> str | None:
        return f"{self.year}-{self.number:05d}" if self.number is not None else None


class InvoiceLine(db.Model):
    __tablename__ = "invoice_lines"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"), index=True)
    # The charge this line bills (None: a line typed in by hand); issuing marks the charge invoiced.
    charge_id: Mapped[int | None] = mapped_column(ForeignKey("charges.id", ondelete="SET NULL"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str] = mapped_column(String(255))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    unit_price: Mapped[Decimal] = mapped_column(MONEY)
    amount: Mapped[Decimal] = mapped_column(MONEY)


class InvoiceCounter(db.Model):
    """The last invoice number given in a year: incremented in the issuing transaction, under its row lock."""

    __tablename__ = "invoice_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer, default=0)
