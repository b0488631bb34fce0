"""A client's page for staff, below the form: their services, invoices, payments, charges, balance and tickets,
each only for a viewer with the right to see it; the last ten of each, a query apiece whatever the data."""
from dataclasses import dataclass
from decimal import Decimal

from flask import url_for
from sqlalchemy import select

from webapp.extensions import db
from webapp.finance import ledger
from webapp.models import Account, Charge, Department, Invoice, Payment, Service, Tariff, Ticket
from webapp.rights.guard import has_right
from webapp.support.service import scope_to_staff

LATEST = 10


@dataclass
class Overview:
    services: list | None = None
    invoices: list | None = None
    payments: list | None = None
    charges: list | None = None
    balance: Decimal | None = None
    tickets: list | None = None
    links: dict | None = None


def overview(viewer: Account, client: Account) -> Overview:
    """What the viewer may see of the client's account (None for a section they may not)."""
    found = Overview(links={})
    if has_right("services.view"):
        found.services = db.session.execute(
            select(Service.id, Service.status, Service.created_at, Service.paid_until, Tariff.name_en.label("tariff_en"),
                   Tariff.name_ru.label("tariff_ru"))
            .join(Tariff, Tariff.id == Service.tariff_id).where(Service.client_id == client.id)
            .order_by(Service.id.desc()).limit(LATEST)).all()
        found.links["services"] = url_for("services.index", client=client.login)
    if has_right("invoices.view"):
        found.invoices = db.session.execute(
            select(Invoice.id, Invoice.status, Invoice.year, Invoice.number, Invoice.total, Invoice.currency,
                   Invoice.created_at, Invoice.issued_at)
            .where(Invoice.client_id == client.id).order_by(Invoice.id.desc()).limit(LATEST)).all()
        found.links["invoices"] = url_for("invoices.index", q=client.login)  # its search box
    if has_right("payments.view"):
        found.payments = db.session.execute(
            select(Payment.id, Payment.amount, Payment.method, Payment.received_on, Payment.status)
            .where(Payment.client_id == client.id)
            .order_by(Payment.received_on.desc(), Payment.id.desc()).limit(LATEST)).all()
        found.links["payments"] = url_for("payments.index", client_id=client.id)
    if has_right("expenses.view"):
        found.charges = db.session.execute(
            select(Charge.id, Charge.amount, Charge.description, Charge.created_at, Charge.cancelled_at)
            .where(Charge.client_id == client.id)
            .order_by(Charge.created_at.desc(), Charge.id.desc()).limit(LATEST)).all()
        found.links["charges"] = url_for("expenses.index", client_id=client.id, cancelled="1")
    if has_right("payments.view") or has_right("expenses.view"):
        found.balance = ledger.balance(client.id)
    if has_right("support.tickets"):
        found.tickets = db.session.execute(scope_to_staff(
            select(Ticket.id, Ticket.subject, Ticket.status, Ticket.last_message_at,
                   Department.name_en.label("department_en"), Department.name_ru.label("department_ru"))
            .join(Department, Department.id == Ticket.department_id).where(Ticket.client_id == client.id), viewer)
            .order_by(Ticket.last_message_at.desc(), Ticket.id.desc()).limit(LATEST)).all()
        found.links["tickets"] = url_for("support.queue", q=client.login, status="all")
    return found


def service_status_labels() -> dict:
    from webapp.i18n import gettext as _
    from webapp.models import ServiceStatus

    return {ServiceStatus.pending: _("Pending"), ServiceStatus.active: _("Active"),
            ServiceStatus.suspended: _("Suspended"), ServiceStatus.closed: _("Closed")}


def invoice_status_labels() -> dict:
    from webapp.i18n import gettext as _
    from webapp.models import InvoiceStatus

    return {InvoiceStatus.draft: _("Draft"), InvoiceStatus.sent: _("Sent"), InvoiceStatus.paid: _("Paid"),
            InvoiceStatus.cancelled: _("Cancelled")}
