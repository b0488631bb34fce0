"""Business hours: the rules for creating, changing and deleting schedules; flushes and audits, never commits."""
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import TZPATH, ZoneInfo, available_timezones

from flask import abort
from sqlalchemy import func, or_, select

from webapp.audit import record
from webapp.errors import Refused
from webapp.extensions import db
from webapp.forms import check_version
from webapp.i18n import force_locale
from webapp.i18n import gettext as _
from webapp.models import Account, BusinessDay, BusinessHours, DayMode, Department
from webapp.models.accounts import utcnow
from webapp.rights import can
from webapp.text import fold

# Names zoneinfo lists that are not real IANA zones: the server's own setting and tzdata's placeholders.
NOT_ZONES = frozenset({"localtime", "Factory", "posixrules"})


@cache
def timezone_names() -> tuple[str, ...]:
    """The IANA time zones a schedule may use, sorted."""
    return tuple(sorted(available_timezones() - NOT_ZONES))


@cache
def canonical_timezone_names() -> tuple[str, ...]:
    """The zones people pick from, sorted: tzdata's zone1970.tab and zone.tab (every country's zones) plus
    UTC; no backward-compatible aliases such as US/Eastern or Etc/GMT+5."""
    names = {"UTC"}
    for directory in TZPATH:
        for table in (Path(directory) / "zone1970.tab", Path(directory) / "zone.tab"):
            if table.exists():
                names |= {line.split("\t")[2] for line in table.read_text().splitlines()
                          if line and not line.startswith("#") and line.count("\t") >= 2}
        if len(names) > 1:
            break
    known = set(timezone_names())
    return tuple(sorted(names & known)) if len(names) > 1 else timezone_names()


def utc_offset(zone: str, at: datetime | None = None) -> str:
    """The zone's offset from UTC at a moment (now by default), as "UTC+01:00"."""
    offset = (at or datetime.now(UTC)).astimezone(ZoneInfo(zone)).utcoffset() or timedelta()
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def timezone_choices(current: str | None = None, at: datetime | None = None) -> list[tuple[str, str]]:
    """(zone, "Europe/Berlin (UTC+01:00)") for the picker: the canonical zones with their offsets now,
    and the current value even when it is an alias, so that editing keeps it."""
    names = set(canonical_timezone_names())
    if current in timezone_names():
        names.add(current)
    moment = at or datetime.now(UTC)
    return [(name, f"{name} ({utc_offset(name, moment)})") for name in sorted(names)]


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


class ScheduleInUse(Refused):
    """A schedule that departments use cannot be deleted."""

    status = 409

    def __init__(self, departments: list[Department]):
        self.departments = departments
        super().__init__(_("These business hours are used by departments: %(names)s. "
                           "Give them other business hours first; nothing was deleted.",
                           names=", ".join(d.name for d in departments)))


def get_schedule_or_404(hours_id: int) -> BusinessHours:
    hours = db.session.get(BusinessHours, hours_id)
    if hours is None:
        abort(404, _("There are no such business hours; they may have been deleted in the meantime."))
    return hours


def usage_counts(schedules) -> dict[int, int]:
    """How many departments use each schedule: one query for a page."""
    ids = [h.id for h in schedules]
    if not ids:
        return {}
    return dict(db.session.execute(
        select(Department.business_hours_id, func.count()).where(Department.business_hours_id.in_(ids))
        .group_by(Department.business_hours_id)).all())


def list_schedules(query: str = ""):
    """Schedules by name, matching the query in either language: a statement for the list kit."""
    statement = select(BusinessHours).order_by(BusinessHours.name_key)
    key = fold(query)
    if key:
        statement = statement.where(or_(BusinessHours.name_key.contains(key, autoescape=True),
                                        BusinessHours.name_ru_key.contains(key, autoescape=True)))
    return statement


def departments_using(hours: BusinessHours) -> list[Department]:
    return list(db.session.scalars(
        select(Department).where(Department.business_hours_id == hours.id).order_by(Department.name_key)
    ))


def _check_edit(actor: Account) -> None:
    """Schedules are part of the departments' settings: changing them needs the right to edit departments."""
    if not can(actor, "departments.edit"):
        raise Refused(_("You need the right %(rights)s to do this.", rights="“" + _("Edit departments") + "”"))


def create_schedule(actor: Account, name_en: str, name_ru: str | None, timezone: str,
                    week: Sequence[DayHours]) -> BusinessHours:
    _check_edit(actor)
    hours = BusinessHours(name_en=name_en, name_ru=name_ru or None, timezone=_known_zone(timezone),
                          updated_at=utcnow(), updated_by_id=actor.id)
    _set_week(hours, week)
    db.session.add(hours)
    db.session.flush()
    record(actor, "business_hours.create", hours, _detail(hours))
    return hours


def update_schedule(actor: Account, hours: BusinessHours, name_en: str, name_ru: str | None, timezone: str,
                    week: Sequence[DayHours], version: int | None) -> BusinessHours:
    """Save a schedule from a form showing `version`; a newer version refuses the save (409)."""
    _check_edit(actor)
    check_version(hours, version)
    hours.name_en = name_en
    hours.name_ru = name_ru or None
    hours.timezone = _known_zone(timezone)
    _set_week(hours, week)
    hours.touch(actor, utcnow())
    db.session.flush()
    record(actor, "business_hours.update", hours, _detail(hours))
    return hours


def delete_schedule(actor: Account, hours: BusinessHours) -> None:
    """Delete an unused schedule; raises ScheduleInUse while any department uses it."""
    _check_edit(actor)
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
        return f"{hours.name_en} · {hours.timezone} · {hours.summary}"
