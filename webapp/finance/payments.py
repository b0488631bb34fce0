"""Payments: money received from clients. Recorded as pending (or at once as confirmed), then confirmed — only a
confirmed payment counts in the balance — or cancelled. Each change is a conditional UPDATE on the status, so a
double click or two people at once change a payment once."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import abort
from sqlalchemy import select, update

from webapp.audit import record
from webapp.errors import Refused
from webapp.extensions import db
from webapp.finance.clients import client_condition
from webapp.finance.filters import ClientDates
from webapp.finance.ledger import cents_sum, from_cents
from webapp.i18n import gettext as _
from webapp.i18n import lazy_gettext as _l
from webapp.models import Account, Payment, PaymentMethod, PaymentStatus
from webapp.models.accounts import utcnow
from webapp.money import cents

STATUS_LABELS = {
    PaymentStatus.pending: _l("Pending"),
    PaymentStatus.confirmed: _l("Confirmed"),
    PaymentStatus.cancelled: _l("Cancelled"),
}
METHOD_LABELS = {
    PaymentMethod.bank_transfer: _l("Bank transfer"),
    PaymentMethod.card: _l("Card"),
    PaymentMethod.cash: _l("Cash"),
    PaymentMethod.other: _l("Other"),
}
LIST_COLUMNS = (Payment.id, Payment.client_id, Payment.amount, Payment.method, Payment.received_on, Payment.status,
                Payment.note, Payment.invoice_id, Account.login.label("client_login"),
                Account.name_en.label("client_name"), Account.name_ru.label("client_name_ru"))


@dataclass
class PaymentFilter(ClientDates):
    status: PaymentStatus | None = None

    @property
    def active(self) -> bool:
        return super().active or self.status is not None

    def args(self) -> dict:
        args = super().args()
        if self.status is not None:
            args["status"] = self.status.value
        return args


def wanted_from(args) -> PaymentFilter:
    wanted = PaymentFilter()
    wanted.read(args)
    status = (args.get("status") or "").strip()
    wanted.status = PaymentStatus(status) if status in PaymentStatus.__members__ else None
    return wanted


def _conditions(wanted: PaymentFilter) -> list:
    conditions = client_condition(wanted.client, wanted.client_id, Payment.client_id)
    if wanted.date_from:
        conditions.append(Payment.received_on >= wanted.date_from)
    if wanted.date_to:
        conditions.append(Payment.received_on <= wanted.date_to)
    return conditions


def list_payments(wanted: PaymentFilter):
    """The payments matching the filter, the latest received first: plain rows."""
    statement = (select(*LIST_COLUMNS).join(Account, Account.id == Payment.client_id).where(*_conditions(wanted))
                 .order_by(Payment.received_on.desc(), Payment.id.desc()))
    if wanted.status is not None:
        statement = statement.where(Payment.status == wanted.status)
    return statement


def confirmed_total(wanted: PaymentFilter) -> Decimal:
    """The sum of the confirmed payments among those the filter shows (one SUM, in cents)."""
    if wanted.status not in (None, PaymentStatus.confirmed):
        return Decimal("0.00")
    return from_cents(db.session.scalar(select(cents_sum(Payment.amount)).where(
        Payment.status == PaymentStatus.confirmed, *_conditions(wanted))))


def get_payment_or_404(payment_id: int) -> Payment:
    payment = db.session.get(Payment, payment_id)
    if payment is None:
        abort(404, _("There is no such payment."))
    return payment


def record_payment(actor: Account, client: Account, amount: Decimal, method: PaymentMethod, received_on: date,
                   note: str | None, confirmed: bool = False, submission_key: str | None = None) -> Payment:
    """A payment received from a client: pending, or confirmed at once when the money is known to have arrived.
    submission_key: the form's (webapp.forms.SubmissionField); a second payment with it fails to flush."""
    if amount <= 0:
        raise ValueError("a payment is more than zero")
    now = utcnow()
    payment = Payment(client_id=client.id, amount=cents(amount), method=method, received_on=received_on,
                      note=note or None, created_at=now, created_by_id=actor.id, submission_key=submission_key,
                      status=PaymentStatus.confirmed if confirmed else PaymentStatus.pending)
    if confirmed:
        payment.confirmed_at, payment.confirmed_by_id = now, actor.id
    db.session.add(payment)
    db.session.flush()
    record(actor, "payment.record", payment, f"{client.login} {payment.amount} {payment.status.value}")
    return payment


def _changed(statement) -> bool:
    return db.session.execute(statement.execution_options(synchronize_session=False)).rowcount == 1


def confirm(actor: Account, payment: Payment) -> bool:
    """Confirm a pending payment; False when it already was confirmed (a second click), refused when cancelled."""
    changed = _changed(update(Payment).where(Payment.id == payment.id, Payment.status == PaymentStatus.pending)
                       .values(status=PaymentStatus.confirmed, confirmed_at=utcnow(), confirmed_by_id=actor.id))
    db.session.refresh(payment)
    if changed:
        record(actor, "payment.confirm", payment)
        return True
    if payment.status is PaymentStatus.confirmed:
        return False
    raise Refused(_("This payment was cancelled, so it cannot be confirmed. If the money did arrive, record it "
                    "again."), 409)


def cancel(actor: Account, payment: Payment) -> bool:
    """Cancel a payment (pending or confirmed: it leaves the balance); False when it already was cancelled."""
    changed = _changed(update(Payment).where(
        Payment.id == payment.id, Payment.status != PaymentStatus.cancelled, Payment.invoice_id.is_(None))
        .values(status=PaymentStatus.cancelled, cancelled_at=utcnow(), cancelled_by_id=actor.id))
    db.session.refresh(payment)
    if changed:
        record(actor, "payment.cancel", payment)
        return True
    if payment.status is PaymentStatus.cancelled:
        return False
    raise Refused(_("This payment settles an invoice, so it cannot be cancelled here."), 409)
