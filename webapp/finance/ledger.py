"""A client's account: charges (expenses) and payments; the balance is confirmed payments less live charges."""
from datetime import date
from decimal import Decimal

from sqlalchemy import BigInteger, cast, func, select

from webapp.extensions import db
from webapp.models import Charge, Payment, PaymentStatus
from webapp.models.accounts import utcnow
from webapp.money import CENT, cents


def add_charge(client_id: int, amount, description: str, actor=None, service_id: int | None = None,
               period_start: date | None = None, period_end: date | None = None,
               submission_key: str | None = None) -> Charge:
    """Charge a client's account (flushes; the caller's transaction commits). submission_key: the form's
    (webapp.forms.SubmissionField); a second charge with it fails to flush."""
    charge = Charge(client_id=client_id, amount=cents(amount), description=description[:255], service_id=service_id,
                    period_start=period_start, period_end=period_end, created_at=utcnow(),
                    created_by_id=actor.id if actor is not None else None, submission_key=submission_key)
    db.session.add(charge)
    db.session.flush()
    return charge


def cents_sum(column):
    """SUM of a money column in whole cents, an integer: exact on SQLite too, which keeps Numeric as REAL (its
    float SUM drifts over many rows); read it back with from_cents()."""
    return func.coalesce(func.sum(cast(func.round(column * 100), BigInteger)), 0)


def from_cents(total) -> Decimal:
    """A cents_sum() as a Decimal amount."""
    return (Decimal(int(total or 0)) / 100).quantize(CENT)


def balances(client_ids) -> dict[int, Decimal]:
    """Each client's balance, in two queries whatever the number of clients."""
    ids = list(client_ids)
    result = {client_id: Decimal("0.00") for client_id in ids}
    if not ids:
        return result
    paid = db.session.execute(
        select(Payment.client_id, cents_sum(Payment.amount))
        .where(Payment.client_id.in_(ids), Payment.status == PaymentStatus.confirmed)
        .group_by(Payment.client_id))
    for client_id, amount in paid:
        result[client_id] += from_cents(amount)
    charged = db.session.execute(
        select(Charge.client_id, cents_sum(Charge.amount))
        .where(Charge.client_id.in_(ids), Charge.cancelled_at.is_(None))
        .group_by(Charge.client_id))
    for client_id, amount in charged:
        result[client_id] -= from_cents(amount)
    return result


def balance(client_id: int) -> Decimal:
    return balances([client_id])[client_id]
