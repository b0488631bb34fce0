"""The financial report: per month of a chosen period, confirmed payments (by the day received) and charges not
cancelled (by the moment charged, in the company's time zone), and the net. Grouped by month in SQL: each row
falls into its month by a CASE over the months' bounds (exact across daylight saving time, the same on SQLite and
PostgreSQL), summed in whole cents, so every amount is exact."""
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import case, literal, select

from webapp.extensions import db
from webapp.finance.ledger import cents_sum, from_cents
from webapp.i18n import gettext as _
from webapp.models import Charge, Payment, PaymentStatus
from webapp.support.stats import add_months, month_label, month_period, months_between

DEFAULT_MONTHS = 12
MAX_MONTHS = 60
ZERO = Decimal("0.00")


def report_timezone() -> str:
    """The company's time zone (from /settings), else the server's."""
    from webapp.hours.service import server_timezone
    from webapp.settings.service import company_settings

    return company_settings().timezone or server_timezone()


@dataclass
class ReportFilter:
    first: date
    last: date
    zone: str
    notes: list[str] = field(default_factory=list)

    @property
    def months(self) -> list[date]:
        return [add_months(self.first, i) for i in range(months_between(self.first, self.last))]

    def args(self) -> dict:
        return {"from": f"{self.first:%Y-%m}", "to": f"{self.last:%Y-%m}"}


def wanted_from(args, zone: str, now: datetime | None = None) -> ReportFilter:
    """The period from a query string: the last 12 months by default, at most 60; a month that is not one, or a
    reversed or too long period, falls back with a note saying so."""
    first, last, notes = month_period(args, zone, DEFAULT_MONTHS, MAX_MONTHS, now)
    return ReportFilter(first, last, zone, notes)


@dataclass
class MonthFigures:
    month: date | None  # None: the whole period
    payments: Decimal = ZERO
    charges: Decimal = ZERO

    @property
    def net(self) -> Decimal:
        return self.payments - self.charges

    @property
    def label(self) -> str:
        return month_label(self.month) if self.month else _("Total")


@dataclass
class Report:
    wanted: ReportFilter
    months: list[MonthFigures]

    @property
    def total(self) -> MonthFigures:
        return MonthFigures(None, sum((m.payments for m in self.months), ZERO),
                            sum((m.charges for m in self.months), ZERO))


def _month_index(column, bounds: list):
    """The index of the month a value falls in: bounds[i] is the start of month i + 1."""
    if not bounds:  # a single month
        return literal(0)
    return case(*[(column < bound, index) for index, bound in enumerate(bounds)], else_=len(bounds))


def _per_month(column, amount, conditions, bounds) -> dict[int, Decimal]:
    # Grouped over a subquery's column: PostgreSQL does not match a parametrised CASE in GROUP BY to its SELECT.
    rows = select(_month_index(column, bounds).label("month_index"), amount.label("amount")).where(
        *conditions).subquery()
    return {index: from_cents(total) for index, total in db.session.execute(
        select(rows.c.month_index, cents_sum(rows.c.amount)).group_by(rows.c.month_index))}


def report(wanted: ReportFilter) -> Report:
    """Payments and charges per month of the period: two queries whatever the number of rows."""
    months = wanted.months
    after = [add_months(month, 1) for month in months]  # the end (exclusive) of each month
    tz = ZoneInfo(wanted.zone)
    moments = [datetime(m.year, m.month, 1, tzinfo=tz).astimezone(UTC) for m in [months[0], *after]]
    paid = _per_month(Payment.received_on, Payment.amount, [
        Payment.status == PaymentStatus.confirmed, Payment.received_on >= months[0],
        Payment.received_on < after[-1]], after[:-1])
    charged = _per_month(Charge.created_at, Charge.amount, [
        Charge.cancelled_at.is_(None), Charge.created_at >= moments[0], Charge.created_at < moments[-1]],
        moments[1:-1])
    return Report(wanted, [MonthFigures(month, paid.get(i, ZERO), charged.get(i, ZERO))
                           for i, month in enumerate(months)])
