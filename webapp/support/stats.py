"""Support statistics: per department and month, tickets received, first response in business hours (median and
90th percentile), the share answered within target; per department, open and overdue now.

Months are the viewer's: a ticket counts in the month its arrival falls in, in the viewer's time zone (the page
says which). Percentiles are computed here over the fetched minute values, by linear interpolation between the
closest ranks (PostgreSQL's percentile_cont, Excel's PERCENTILE.INC), so SQLite and PostgreSQL agree. Four
queries at most whatever the data: the staff member's departments, the departments, the tickets received in the
period (four columns), and the open/overdue counts.
"""
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from babel.numbers import format_percent
from flask import abort
from flask_babel import format_date, format_decimal, get_locale
from sqlalchemy import case, func, select

from webapp.extensions import db
from webapp.i18n import gettext as _
from webapp.ids import parse_id
from webapp.models import Account, Department, Ticket, TicketStatus
from webapp.models.accounts import utcnow
from webapp.moments import local
from webapp.support import service
from webapp.text import without_forbidden

DEFAULT_MONTHS = 6
MAX_MONTHS = 24
MONTH_PATTERN = re.compile(r"([0-9]{4})-([0-9]{2})")
FIRST_YEAR, LAST_YEAR = 2000, 2999  # a month after the last still has a first day


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> int:
    """How many months from `first` to `last`, both included."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


def parse_month(text: str | None) -> date | None:
    """"2026-03" as the first of that month, or None when it is not a month from 2000 to 2999."""
    match = MONTH_PATTERN.fullmatch((text or "").strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not FIRST_YEAR <= year <= LAST_YEAR or not 1 <= month <= 12:
        return None
    return date(year, month, 1)


def month_period(args, zone: str, default_months: int, max_months: int,
                 now: datetime | None = None) -> tuple[date, date, list[str]]:
    """The first and last months of a period from a query string's "from" and "to" (YYYY-MM), by default the
    last `default_months` in `zone`; a month that is not one, a reversed or too long period fall back, with
    notes saying so."""
    current = local(now or utcnow(), zone).date().replace(day=1)
    notes = []
    first_text, last_text = (args.get("from") or "").strip(), (args.get("to") or "").strip()
    last = parse_month(last_text) if last_text else current
    if last is None:
        notes.append(_("“%(value)s” is not a month (YYYY-MM): the period ends with the current month.",
                       value=without_forbidden(last_text[:20])))
        last = current
    first = parse_month(first_text) if first_text else add_months(last, 1 - default_months)
    if first is None:
        notes.append(_("“%(value)s” is not a month (YYYY-MM): the period shows %(count)d months.",
                       value=without_forbidden(first_text[:20]), count=default_months))
        first = add_months(last, 1 - default_months)
    if first > last:
        notes.append(_("The first month was after the last one: they are swapped."))
        first, last = last, first
    if months_between(first, last) > max_months:
        notes.append(_("At most %(count)d months at a time: the period is shortened to the last %(count)d.",
                       count=max_months))
        first = add_months(last, 1 - max_months)
    return max(first, date(FIRST_YEAR, 1, 1)), last, notes


def month_label(month: date) -> str:
    """"March 2026" / "март 2026" in the viewer's language."""
    return format_date(month, "LLLL yyyy")


def short_month_label(month: date) -> str:
    return format_date(month, "LLL yyyy")


def half_up(value: float, step: str) -> Decimal:
    """Rounded as people and spreadsheets round (1.25 → 1.3), not to even as Babel would (1.25 → 1.2)."""
    return Decimal(repr(value)).quantize(Decimal(step), rounding=ROUND_HALF_UP)


def format_hours(value: float | None, grouping: bool = True) -> str:
    """Business hours with one decimal in the viewer's language ("1,234.5" / "1 234,5"); "" for none."""
    if value is None:
        return ""
    return format_decimal(half_up(value, "0.1"), "#,##0.0" if grouping else "0.0")


def format_share(value: float | None) -> str:
    """"87.5%" / "87,5 %"; "" for none."""
    if value is None:
        return ""
    # The language's own pattern ("80 %" in Russian) with the one decimal rounding left, if any (Flask-Babel's
    # wrapper cannot leave it: its pattern has none).
    return format_percent(half_up(value, "0.001").normalize(), locale=get_locale(), decimal_quantization=False)


def format_share_number(value: float | None) -> str:
    """The share as a number of percent for a spreadsheet ("87.5" / "87,5")."""
    return "" if value is None else format_decimal(half_up(value * 100, "0.1"), "0.#")


@dataclass
class StatsFilter:
    """What the statistics show: a period of whole months, one department or all the viewer's, and why the
    request's own values were not taken as they came (`notes`)."""

    first: date
    last: date
    department: Department | None = None
    departments: list[Department] = field(default_factory=list)  # every department the viewer may choose
    zone: str = "UTC"
    notes: list[str] = field(default_factory=list)

    @property
    def months(self) -> list[date]:
        return [add_months(self.first, i) for i in range(months_between(self.first, self.last))]

    def bounds(self) -> tuple[datetime, datetime]:
        """The period in UTC: from midnight of its first day to midnight after its last, in the zone."""
        tz = ZoneInfo(self.zone)
        after = add_months(self.last, 1)
        return (datetime(self.first.year, self.first.month, 1, tzinfo=tz).astimezone(UTC),
                datetime(after.year, after.month, 1, tzinfo=tz).astimezone(UTC))

    @property
    def shown_departments(self) -> list[Department]:
        return [self.department] if self.department is not None else self.departments

    def args(self) -> dict:
        """The query string that reproduces this exact view (the chart and the CSV use it)."""
        args = {"from": f"{self.first:%Y-%m}", "to": f"{self.last:%Y-%m}"}
        if self.department is not None:
            args["department"] = self.department.id
        return args


def wanted_from(args, staff: Account, zone: str, now: datetime | None = None) -> StatsFilter:
    """The filter from a query string. A month that is not one, a reversed or too long period fall back with a
    note saying so; a department the viewer does not see is a 404, the same as one that does not exist."""
    first, last, notes = month_period(args, zone, DEFAULT_MONTHS, MAX_MONTHS, now)
    departments = service.department_options(staff)
    chosen = None
    department_text = (args.get("department") or "").strip()
    if department_text:
        wanted_id = parse_id(department_text)
        chosen = next((d for d in departments if d.id == wanted_id), None)
        if chosen is None:
            abort(404, _("There is no such department among those whose tickets you see."))
    return StatsFilter(first, last, chosen, departments, zone, notes)


# The figures ---------------------------------------------------------------------------------------

def percentile(ordered: list[int], fraction: float) -> float | None:
    """The value below which `fraction` of the sorted values lie, interpolated between the closest ranks."""
    if not ordered:
        return None
    rank = (len(ordered) - 1) * fraction
    lower = int(rank)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (rank - lower)


@dataclass
class Figures:
    """Tickets received in a month (or the whole period) and their first responses."""

    month: date | None
    received: int = 0
    response_minutes: list[int] = field(default_factory=list)
    in_target: int = 0

    @property
    def responded(self) -> int:
        return len(self.response_minutes)

    @property
    def median_hours(self) -> float | None:
        value = percentile(sorted(self.response_minutes), 0.5)
        return None if value is None else value / 60

    @property
    def p90_hours(self) -> float | None:
        value = percentile(sorted(self.response_minutes), 0.9)
        return None if value is None else value / 60

    @property
    def share_in_target(self) -> float | None:
        """Answered within target among the tickets answered at all (None when none was)."""
        return self.in_target / self.responded if self.responded else None

    def add(self, minutes: int | None, in_target: bool | None) -> None:
        self.received += 1
        if minutes is not None:
            self.response_minutes.append(minutes)
            self.in_target += bool(in_target)


@dataclass
class DepartmentFigures:
    department: Department
    months: list[Figures]
    total: Figures
    open_now: int = 0
    overdue_now: int = 0

    @property
    def name(self) -> str:
        return self.department.name


@dataclass
class Report:
    wanted: StatsFilter
    departments: list[DepartmentFigures]
    now: datetime

    @property
    def received(self) -> int:
        return sum(d.total.received for d in self.departments)


def report(wanted: StatsFilter, now: datetime | None = None) -> Report:
    """The figures for the filter's departments and months: two queries whatever the number of tickets."""
    now = now or utcnow()
    shown = wanted.shown_departments
    ids = [d.id for d in shown]
    months = wanted.months
    rows = {d.id: DepartmentFigures(d, [Figures(m) for m in months], Figures(None)) for d in shown}
    if not ids:
        return Report(wanted, [], now)
    start, end = wanted.bounds()
    received = db.session.execute(
        select(Ticket.department_id, Ticket.created_at, Ticket.first_response_minutes,
               Ticket.first_response_in_target)
        .where(Ticket.department_id.in_(ids), Ticket.created_at >= start, Ticket.created_at < end))
    position = {month: index for index, month in enumerate(months)}
    for department_id, created_at, minutes, in_target in received:
        index = position.get(local(created_at, wanted.zone).date().replace(day=1))
        if index is None:  # pragma: no cover - the bounds are the months' own
            continue
        figures = rows[department_id]
        figures.months[index].add(minutes, in_target)
        figures.total.add(minutes, in_target)
    overdue = case((Ticket.due_at.is_not(None) & (Ticket.due_at <= now), 1), else_=0)
    current = db.session.execute(
        select(Ticket.department_id, func.count(), func.sum(overdue))
        .where(Ticket.department_id.in_(ids), Ticket.status != TicketStatus.closed)
        .group_by(Ticket.department_id))
    for department_id, open_count, overdue_count in current:
        rows[department_id].open_now = open_count
        rows[department_id].overdue_now = int(overdue_count or 0)
    return Report(wanted, [rows[i] for i in ids], now)
