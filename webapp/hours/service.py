"""Business hours: the rules for creating, changing and deleting schedules; flushes and audits, never commits."""
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import time
from functools import cache
from pathlib import Path
from zoneinfo import available_timezones

from sqlalchemy import func, select

from webapp.audit import record
from webapp.extensions import db
from webapp.i18n import force_locale
from webapp.i18n import gettext as _
from webapp.models import Account, BusinessDay, BusinessHours, DayMode, Department

# Names zoneinfo lists that are not real IANA zones: the server's own setting and tzdata's placeholders.
NOT_ZONES = frozenset({"localtime", "Factory", "posixrules"})


@cache
def timezone_names() -> tuple[str, ...]:
    """The IANA time zones a schedule may use, sorted."""
    return tuple(sorted(available_timezones() - NOT_ZONES))


def server_timezone() -> str:
    """The IANA name of the server's time zone: $TZ, /etc/timezone, the /etc/localtime link, or UTC."""
    zones = set(timezone_names())
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    timezone_file = Path("/etc/timezone")
    if timezone_file.exists():
        candidates.append(timezone_file.read_text().strip())
    localtime = Path("/etc/localtime")
    if localtime.is_symlink():
        target = str(localtime.resolve())
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    return next((zone for zone in candidates if zone in zones), "UTC")


@dataclass(frozen=True)
class DayHours:
    """How one weekday is open; times only for DayMode.hours, and closing after opening."""
    mode: DayMode
    opens: time | None = None
    closes: time | None = None

    def __post_init__(self):
        if self.mode is not DayMode.hours:
            object.__setattr__(self, "opens", None)
            object.__setattr__(self, "closes", None)
        elif self.opens is None or self.closes is None or self.closes <= self.opens:
            raise ValueError("a day open for set hours needs an opening time before its closing time")


class ScheduleInUse(Exception):
    """A schedule that departments use cannot be deleted."""

    def __init__(self, departments: list[Department]):
        self.departments = departments
        super().__init__(_("These business hours are used by departments: %(names)s. "
                           "Give them other business hours first; nothing was deleted.",
                           names=", ".join(d.name for d in departments)))


def name_taken(name: str, except_id: int | None = None) -> bool:
    """Whether another schedule has this name, ignoring case."""
    # Compared in Python: SQLite's lower() folds ASCII only, and there are few schedules.
    key = name.strip().casefold()
    rows = db.session.execute(select(BusinessHours.id, BusinessHours.name))
    return any(other_name.casefold() == key and other_id != except_id for other_id, other_name in rows)


def schedules_with_usage() -> list[tuple[BusinessHours, int]]:
    """Every schedule with the number of departments using it, by name."""
    rows = db.session.execute(
        select(BusinessHours, func.count(Department.id))
        .outerjoin(Department, Department.business_hours_id == BusinessHours.id)
        .group_by(BusinessHours.id)
        .order_by(func.lower(BusinessHours.name))
    )
    return [(hours, count) for hours, count in rows]


def departments_using(hours: BusinessHours) -> list[Department]:
    return list(db.session.scalars(
        select(Department).where(Department.business_hours_id == hours.id).order_by(Department.name_en)
    ))


def create_schedule(actor: Account, name: str, timezone: str, week: Sequence[DayHours]) -> BusinessHours:
    hours = BusinessHours(name=name, timezone=_known_zone(timezone))
    _set_week(hours, week)
    db.session.add(hours)
    db.session.flush()
    record(actor, "business_hours.create", hours, _detail(hours))
    return hours


def update_schedule(actor: Account, hours: BusinessHours, name: str, timezone: str,
                    week: Sequence[DayHours]) -> BusinessHours:
    hours.name = name
    hours.timezone = _known_zone(timezone)
    _set_week(hours, week)
    db.session.flush()
    record(actor, "business_hours.update", hours, _detail(hours))
    return hours


def delete_schedule(actor: Account, hours: BusinessHours) -> None:
    """Delete an unused schedule; raises ScheduleInUse while any department uses it."""
    departments = departments_using(hours)
    if departments:
        raise ScheduleInUse(departments)
    record(actor, "business_hours.delete", hours, _detail(hours))
    db.session.delete(hours)
    db.session.flush()


def _known_zone(timezone: str) -> str:
    if timezone not in timezone_names():
        raise ValueError(f"unknown time zone {timezone!r}")
    return timezone


def _set_week(hours: BusinessHours, week: Sequence[DayHours]) -> None:
    """Update the seven day rows in place (Monday first), creating any that are missing."""
    if len(week) != 7:
        raise ValueError("a week has seven days")
    existing = {day.weekday: day for day in hours.days}
    for weekday, spec in enumerate(week):
        day = existing.get(weekday)
        if day is None:
            day = BusinessDay(weekday=weekday)
            hours.days.append(day)
        day.mode, day.opens, day.closes = spec.mode, spec.opens, spec.closes


def _detail(hours: BusinessHours) -> str:
    with force_locale("en"):  # the audit trail reads the same whoever made the change
        return f"{hours.name} · {hours.timezone} · {hours.summary}"
