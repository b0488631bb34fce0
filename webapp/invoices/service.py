"""Invoices: drafts built from a client's charges and lines typed by hand, issued with the next number of their
year (no gaps: the counter row is updated in the issuing transaction, under its lock), sent by email with the
PDF attached through the outbox, then paid or cancelled. Each function checks its rules, flushes and audits;
the request commits.
"""
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import abort
from sqlalchemy import exists, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased, selectinload

from webapp.audit import record
from webapp.errors import Refused
from webapp.extensions import db
from webapp.finance.ledger import cents_sum, from_cents
from webapp.i18n import gettext as _
from webapp.i18n import lazy_gettext as _l
from webapp.i18n import per_language
from webapp.models import Account, AccountKind, Charge, Invoice, InvoiceCounter, InvoiceLine, InvoiceStatus
from webapp.models.accounts import utcnow
from webapp.money import MAX_AMOUNT, cents, company_currency
from webapp.text import fold, has_forbidden

STATUS_LABELS = {
    InvoiceStatus.draft: _l("Draft"),
    InvoiceStatus.sent: _l("Sent"),
    InvoiceStatus.paid: _l("Paid"),
    InvoiceStatus.cancelled: _l("Cancelled"),
}
MAX_LINES = 50  # lines typed by hand on one invoice
MAX_QUANTITY = 100_000


# What a client reads: an invoice sent to them waits for their payment.
CLIENT_STATUS_LABELS = {**STATUS_LABELS, InvoiceStatus.sent: _l("Awaiting payment")}


@per_language
def status_labels(for_client: bool = False) -> dict:
    """The statuses' labels translated once (a list page shows one a row)."""
    labels = CLIENT_STATUS_LABELS if for_client else STATUS_LABELS
    return {status: str(label) for status, label in labels.items()}


def display_number(year: int | None, number: int | None) -> str | None:
    """"2026-00042", or None for a draft (no number yet)."""
    return f"{year}-{number:05d}" if number is not None and year is not None else None


# Finding ------------------------------------------------------------------------------------------------

def _not_found():
    abort(404, _("There is no such invoice; it may have been deleted in the meantime."))


def get_invoice_or_404(invoice_id: int, lock: bool = False) -> Invoice:
    """Any invoice for staff (invoices belong to no department); `lock` takes its row lock (PostgreSQL: FOR
    UPDATE; SQLite's write transactions are serialized already) and reads it afresh, for a change of state."""
    statement = select(Invoice).where(Invoice.id == invoice_id).options(selectinload(Invoice.lines))
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    invoice = db.session.scalar(statement)
    if invoice is None:
        _not_found()
    return invoice


def get_client_invoice_or_404(client: Account, invoice_id: int) -> Invoice:
    """One of the client's own invoices that has been issued: another client's, or a draft, is a 404."""
    invoice = db.session.scalar(select(Invoice).where(Invoice.id == invoice_id, Invoice.client_id == client.id,
                                                      Invoice.status != InvoiceStatus.draft)
                                .options(selectinload(Invoice.lines)))
    if invoice is None:
        _not_found()
    return invoice


def find_client(login: str | None) -> Account | None:
    """A client account by its login, whatever the case; text with control characters is no login (and a NUL
    would make PostgreSQL refuse the query)."""
    key = fold(login)
    if not key or has_forbidden(key):
        return None
    return db.session.scalar(select(Account).where(Account.login_key == key, Account.kind == AccountKind.client))


# Lists --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class InvoiceFilter:
    status: InvoiceStatus | None = None
    q: str = ""  # the client: login, name or email
    year: int | None = None  # the year of the number (drafts have none)

    @property
    def active(self) -> bool:
        return bool(self.status or self.q or self.year)


LIST_COLUMNS = (Invoice.id, Invoice.year, Invoice.number, Invoice.status, Invoice.total, Invoice.currency,
                Invoice.created_at, Invoice.issued_at, Invoice.client_id, Account.login.label("client_login"),
                Account.name_en.label("client_en"), Account.name_ru.label("client_ru"))


def list_invoices(wanted: InvoiceFilter):
    """Invoices, newest first, filtered in the query: plain rows with the client's login and names."""
    statement = (select(*LIST_COLUMNS).join(Account, Account.id == Invoice.client_id)
                 .order_by(Invoice.id.desc()))
    if wanted.status is not None:
        statement = statement.where(Invoice.status == wanted.status)
    if wanted.year is not None:
        statement = statement.where(Invoice.year == wanted.year)
    key = fold(wanted.q)
    if key:
        statement = statement.where(Account.search_key.contains(key, autoescape=True))
    return statement


def invoice_years() -> list[int]:
    """The years that have numbered invoices, newest first (the year filter's choices)."""
    # The counters' rows, one a year: a DISTINCT over the invoices read all of them (50,000: 3 ms a page).
    return list(db.session.connection().execute(_YEARS).scalars())


_YEARS = select(InvoiceCounter.year).where(InvoiceCounter.last_number > 0).order_by(InvoiceCounter.year.desc())


def client_invoices(client: Account):
    """The client's issued invoices (never drafts), newest first: plain rows."""
    return (select(Invoice.id, Invoice.year, Invoice.number, Invoice.status, Invoice.total, Invoice.currency,
                   Invoice.issued_at)
            .where(Invoice.client_id == client.id, Invoice.status != InvoiceStatus.draft)
            .order_by(Invoice.id.desc()))


@dataclass(frozen=True)
class Unpaid:
    count: int
    by_currency: list  # (currency, total) rows: invoices keep the currency they were issued in


def unpaid_invoices(client: Account) -> Unpaid:
    """The client's invoices waiting for payment (for the client's home): how many, and their totals."""
    rows = db.session.execute(
        select(Invoice.currency, func.count(), cents_sum(Invoice.total))  # exact, and never a Numeric(14, 2) overflow
        .where(Invoice.client_id == client.id, Invoice.status == InvoiceStatus.sent)
        .group_by(Invoice.currency).order_by(Invoice.currency)).all()
    return Unpaid(sum(row[1] for row in rows), [(row[0], from_cents(row[2])) for row in rows])


# Drafts -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LineValues:
    """A line typed by hand."""

    description: str
    quantity: int
    unit_price: Decimal


def available_charges(client_id: int, invoice: Invoice | None = None) -> list[Charge]:
    """The client's charges that an invoice may bill: not invoiced, not cancelled and on no other draft (those
    on `invoice`, a draft being edited, included), oldest first."""
    other_line, other_invoice = aliased(InvoiceLine), aliased(Invoice)
    on_another_draft = exists().where(other_line.charge_id == Charge.id,
                                      other_invoice.id == other_line.invoice_id,
                                      other_invoice.status == InvoiceStatus.draft)
    if invoice is not None:
        on_another_draft = on_another_draft.where(other_invoice.id != invoice.id)
    return list(db.session.scalars(select(Charge).where(
        Charge.client_id == client_id, Charge.invoice_id.is_(None), Charge.cancelled_at.is_(None),
        ~on_another_draft).order_by(Charge.id)))


def _fill(invoice: Invoice, charges: list[Charge], lines: list[LineValues]) -> None:
    """The invoice's lines: one per charge (oldest first), then those typed by hand; the total is their sum."""
    if not charges and not lines:
        raise Refused(_("An invoice needs at least one line: choose a charge or type a line."), 422)
    if len(lines) > MAX_LINES:
        raise Refused(_("An invoice may have at most %(num)d lines typed by hand.", num=MAX_LINES), 422)
    built = [InvoiceLine(charge_id=charge.id, description=charge.description, quantity=1,
                         unit_price=cents(charge.amount), amount=cents(charge.amount))
             for charge in sorted(charges, key=lambda c: c.id)]
    for line in lines:
        if not 1 <= line.quantity <= MAX_QUANTITY or line.unit_price < 0:
            raise Refused(_("A line's quantity must be 1 to %(max)d and its unit price at least 0.",
                            max=MAX_QUANTITY), 422)
        built.append(InvoiceLine(charge_id=None, description=line.description[:255], quantity=line.quantity,
                                 unit_price=cents(line.unit_price), amount=cents(line.unit_price * line.quantity)))
    total = sum((line.amount for line in built), Decimal("0.00"))
    if total > MAX_AMOUNT or any(line.amount > MAX_AMOUNT for line in built):
        raise Refused(_("The total is too large for one invoice."), 422)
    for position, line in enumerate(built):
        line.position = position
    invoice.lines = built
    invoice.total = cents(total)


def _check_charges(client_id: int, charges: list[Charge]) -> None:
    if any(charge.client_id != client_id for charge in charges):  # the form offers only the client's own
        raise Refused(_("A charge of another client cannot be billed on this invoice."), 422)


def create_draft(actor: Account, client: Account, charges: list[Charge], lines: list[LineValues]) -> Invoice:
    """A draft invoice to the client in the company's currency (no number until it is issued)."""
    if client.kind is not AccountKind.client:
        raise Refused(_("Invoices are made out to clients only."), 422)
    _check_charges(client.id, charges)
    invoice = Invoice(client_id=client.id, status=InvoiceStatus.draft, currency=company_currency(),
                      created_at=utcnow(), created_by_id=actor.id)
    _fill(invoice, charges, lines)
    db.session.add(invoice)
    db.session.flush()
    record(actor, "invoice.create", invoice, f"client {client.id}, total {invoice.total} {invoice.currency}")
    return invoice


def _check_draft(invoice: Invoice) -> None:
    if invoice.status is not InvoiceStatus.draft:
        raise Refused(_("Invoice %(number)s is issued already: only a draft can be changed.",
                        number=invoice.display_number), 409)


def update_draft(actor: Account, invoice: Invoice, charges: list[Charge], lines: list[LineValues]) -> None:
    """New lines for a draft (locked by the caller, see get_invoice_or_404(lock=True))."""
    _check_draft(invoice)
    _check_charges(invoice.client_id, charges)
    _fill(invoice, charges, lines)
    db.session.flush()
    record(actor, "invoice.edit", invoice, f"total {invoice.total} {invoice.currency}")


def delete_draft(actor: Account, invoice: Invoice) -> None:
    """Delete a draft (locked by the caller); an issued invoice keeps its number and is cancelled instead."""
    _check_draft(invoice)
    record(actor, "invoice.delete", invoice, f"client {invoice.client_id}")
    db.session.delete(invoice)
    db.session.flush()


# Issuing ------------------------------------------------------------------------------------------------

def company_zone() -> ZoneInfo:
    """The company's time zone (the settings', else the server's): an invoice's year and date are read there."""
    from webapp.hours.service import server_timezone
    from webapp.settings.service import company_settings

    return ZoneInfo(company_settings().timezone or server_timezone())


def next_number(year: int) -> int:
    """The year's next invoice number, taken in the caller's transaction: the counter row is created if missing
    (an insert that ignores a conflict, so two first invoices of a year cannot both create it), then read under
    its row lock (PostgreSQL: FOR UPDATE, so a concurrent issue waits for this transaction; SQLite: the write
    lock taken at BEGIN) and incremented. A rollback gives the number back: no gaps."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(insert(InvoiceCounter).values(year=year, last_number=0)
                       .on_conflict_do_nothing(index_elements=["year"]))
    last = db.session.scalar(select(InvoiceCounter.last_number).where(InvoiceCounter.year == year)
                             .with_for_update())
    number = last + 1
    db.session.execute(update(InvoiceCounter).where(InvoiceCounter.year == year).values(last_number=number)
                       .execution_options(synchronize_session=False))
    return number


def recipient(invoice: Invoice) -> str | None:
    """Where the invoice is sent: the client's email address."""
    email = (invoice.client.email or "").strip()
    return email or None


def issue(actor: Account, invoice: Invoice, render_pdf, now: datetime | None = None) -> bytes:
    """Issue a draft (locked by the caller) and send it, in the caller's transaction: the next number of the
    year, its charges marked invoiced, status sent with the send recorded, the PDF rendered by `render_pdf(invoice)`
    and an email to the client with the PDF attached queued in the outbox. Any failure (a charge billed
    meanwhile, the PDF) raises, and the rollback gives the number back. Returns the PDF."""
    from webapp.outbox.service import absolute_url, queue_templated_email
    from webapp.settings.service import company_settings

    _check_draft(invoice)
    client = invoice.client
    to = recipient(invoice)
    if to is None:
        raise Refused(_("%(client)s has no email address: add one on the client's page, then issue the invoice. "
                        "Nothing was numbered or sent.", client=client.name), 422)
    if not invoice.lines:
        raise Refused(_("An invoice needs at least one line: choose a charge or type a line."), 422)
    charge_ids = [line.charge_id for line in invoice.lines if line.charge_id is not None]
    if charge_ids:
        marked = db.session.execute(
            update(Charge).where(Charge.id.in_(charge_ids), Charge.client_id == invoice.client_id,
                                 Charge.invoice_id.is_(None), Charge.cancelled_at.is_(None))
            .values(invoice_id=invoice.id).execution_options(synchronize_session=False)).rowcount
        if marked != len(set(charge_ids)):
            raise Refused(_("A charge on this draft was cancelled or billed on another invoice in the meantime. "
                            "Edit the draft, then issue it. Nothing was numbered or sent."), 409)
    now = now or utcnow()
    year = now.astimezone(company_zone()).year
    invoice.year, invoice.number = year, next_number(year)
    invoice.status = InvoiceStatus.sent
    invoice.issued_at = invoice.sent_at = now
    invoice.sent_by_id, invoice.sent_to = actor.id, to
    db.session.flush()
    pdf = render_pdf(invoice)
    queue_templated_email(to, "invoice", client.locale, "invoice.sent", account_id=client.id,
                          attachments=[(pdf_filename(invoice), "application/pdf", pdf)],
                          invoice=invoice, client=client, number=invoice.display_number, company=company_settings(),
                          url=absolute_url("my.invoice", invoice_id=invoice.id))
    record(actor, "invoice.issue", invoice, f"{invoice.display_number} to {to}")
    return pdf


def pdf_filename(invoice: Invoice) -> str:
    number = invoice.display_number
    return f"invoice-{number}.pdf" if number else f"invoice-draft-{invoice.id}.pdf"


def mark_paid(actor: Account, invoice: Invoice, now: datetime | None = None) -> None:
    """A sent invoice (locked by the caller) is paid. The payment itself is recorded on /payments."""
    if invoice.status is not InvoiceStatus.sent:
        raise Refused(_("Only a sent invoice can be marked paid; this one is “%(status)s”.",
                        status=STATUS_LABELS[invoice.status]), 409)
    invoice.status = InvoiceStatus.paid
    invoice.paid_at = now or utcnow()
    db.session.flush()
    record(actor, "invoice.paid", invoice, invoice.display_number)


def cancel(actor: Account, invoice: Invoice, now: datetime | None = None) -> int:
    """Cancel a sent invoice (locked by the caller): it keeps its number (no gap), and its charges are released
    to be billed again. Returns how many charges were released."""
    if invoice.status is not InvoiceStatus.sent:
        raise Refused(_("Only a sent, unpaid invoice can be cancelled; this one is “%(status)s”.",
                        status=STATUS_LABELS[invoice.status]), 409)
    released = db.session.execute(update(Charge).where(Charge.invoice_id == invoice.id).values(invoice_id=None)
                                  .execution_options(synchronize_session=False)).rowcount
    invoice.status = InvoiceStatus.cancelled
    invoice.cancelled_at = now or utcnow()
    db.session.flush()
    record(actor, "invoice.cancel", invoice, f"{invoice.display_number}, {released} charges released")
    return released
