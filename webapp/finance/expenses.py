"""Expenses: charges to client accounts. Staff add them (a service's periods are charged by the services);
cancelling one takes it out of the balance, unless an invoice already bills it."""
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import abort
from sqlalchemy import select, update

from webapp.audit import record
from webapp.errors import Refused
from webapp.extensions import db
from webapp.finance.clients import client_condition
from webapp.finance.filters import ClientDates
from webapp.finance.ledger import add_charge, cents_sum, from_cents
from webapp.i18n import gettext as _
from webapp.models import Account, Charge, Service, Tariff
from webapp.models.accounts import utcnow


def ON_INVOICE() -> str:  # noqa: N802 - a message, as the refusal and the confirm page word it
    return _("This charge is on an invoice already, so it cannot be cancelled. Cancel or correct the invoice "
             "instead.")


LIST_COLUMNS = (Charge.id, Charge.client_id, Charge.amount, Charge.description, Charge.service_id, Charge.created_at,
                Charge.cancelled_at, Charge.invoice_id, Account.login.label("client_login"),
                Account.name_en.label("client_name"), Account.name_ru.label("client_name_ru"),
                Tariff.name_en.label("tariff_en"), Tariff.name_ru.label("tariff_ru"))


@dataclass
class ChargeFilter(ClientDates):
    """Dates are the viewer's days (in their time zone), as the list shows the moments."""

    include_cancelled: bool = False
    zone: str = "UTC"

    @property
    def active(self) -> bool:
        return super().active or self.include_cancelled

    def args(self) -> dict:
        args = super().args()
        if self.include_cancelled:
            args["cancelled"] = "1"
        return args


def wanted_from(args, zone: str) -> ChargeFilter:
    wanted = ChargeFilter(zone=zone)
    wanted.read(args)
    wanted.include_cancelled = args.get("cancelled") == "1"
    return wanted


def _midnight(day, zone: str) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def _conditions(wanted: ChargeFilter) -> list:
    conditions = client_condition(wanted.client, wanted.client_id, Charge.client_id)
    if wanted.date_from:
        conditions.append(Charge.created_at >= _midnight(wanted.date_from, wanted.zone))
    if wanted.date_to:
        conditions.append(Charge.created_at < _midnight(wanted.date_to + timedelta(days=1), wanted.zone))
    return conditions


def list_charges(wanted: ChargeFilter):
    """The charges matching the filter, the latest first, with their service's plan: plain rows."""
    statement = (select(*LIST_COLUMNS).join(Account, Account.id == Charge.client_id)
                 .outerjoin(Service, Service.id == Charge.service_id).outerjoin(Tariff, Tariff.id == Service.tariff_id)
                 .where(*_conditions(wanted)).order_by(Charge.created_at.desc(), Charge.id.desc()))
    if not wanted.include_cancelled:
        statement = statement.where(Charge.cancelled_at.is_(None))
    return statement


def live_total(wanted: ChargeFilter) -> Decimal:
    """The sum of the charges the filter shows that are not cancelled (one SUM, in cents)."""
    return from_cents(db.session.scalar(select(cents_sum(Charge.amount)).where(
        Charge.cancelled_at.is_(None), *_conditions(wanted))))


def get_charge_or_404(charge_id: int) -> Charge:
    charge = db.session.get(Charge, charge_id)
    if charge is None:
        abort(404, _("There is no such charge."))
    return charge


def charge_client(actor: Account, client: Account, amount: Decimal, description: str,
                  submission_key: str | None = None) -> Charge:
    """A charge added by staff to a client's account (submission_key: see ledger.add_charge)."""
    if amount <= 0:
        raise ValueError("a charge is more than zero")
    charge = add_charge(client.id, amount, description, actor=actor, submission_key=submission_key)
    record(actor, "charge.add", charge, f"{client.login} {charge.amount}")
    return charge


def cancel(actor: Account, charge: Charge) -> bool:
    """Cancel a charge (it leaves the balance); False when it already was; refused once an invoice bills it."""
    changed = db.session.execute(
        update(Charge).where(Charge.id == charge.id, Charge.cancelled_at.is_(None), Charge.invoice_id.is_(None))
        .values(cancelled_at=utcnow(), cancelled_by_id=actor.id)
        .execution_options(synchronize_session=False)).rowcount == 1
    db.session.refresh(charge)
    if changed:
        record(actor, "charge.cancel", charge)
        return True
    if charge.cancelled_at is not None:
        return False
    raise Refused(ON_INVOICE(), 409)
