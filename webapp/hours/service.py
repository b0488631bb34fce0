"""Business hours: the rules for creating, changing and deleting schedules; flushes and audits, never commits."""
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import TZPATH, ZoneInfo, available_timezones

from flask import abort
from sqlalchemy import extract, func, or_, select
from sqlalchemy.orm import selectinload

from webapp.audit import record
from webapp.errors import Refused
from webapp.extensions import db
from webapp.forms import check_version
from webapp.grants import insert_ignoring_conflict
from webapp.i18n import force_locale, ngettext
from webapp.i18n import gettext as _
from webapp.models import (
    Account,
    BusinessDay,
    BusinessHoliday,
    BusinessHours,
    BusinessInterval,
    DayMode,
    Department,
)
from webapp.models.accounts import utcnow
from webapp.models.hours import MAX_INTERVALS
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
    """The IANA name of the server's time zone: $TZ, /etc/timezone, the /etc/localtime link, or UTC (read once
    per $TZ: it is asked on every page)."""
    return _server_timezone(os.environ.get("TZ", ""))


@cache
def _server_timezone(_tz: str) -> str:
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
    """How one weekday is open; for DayMode.hours one to MAX_INTERVALS intervals (opens, closes), in order,
    each closing after it opens and before the next one opens."""
    mode: DayMode
    intervals: tuple[tuple[time, time], ...] = ()

    def __post_init__(self):
        if self.mode is not DayMode.hours:
            object.__setattr__(self, "intervals", ())
            return
        intervals = tuple(sorted(self.intervals))
        object.__setattr__(self, "intervals", intervals)
        if not 1 <= len(intervals) <= MAX_INTERVALS:
            raise ValueError(f"a day open for set hours has 1 to {MAX_INTERVALS} intervals")
        previous_closes = None
        for opens, closes in intervals:
            if closes <= opens or (previous_closes is not None and opens <= previous_closes):
                raise ValueError("intervals close after they open and neither overlap nor touch")
            previous_closes = closes


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
    """Schedules by name, matching the query in either language, with their holidays (the list says whether
    each is open now): a statement for the list kit."""
    statement = select(BusinessHours).options(selectinload(BusinessHours.holidays)).order_by(BusinessHours.name_key)
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
    """Update the seven day rows and their intervals in place (Monday first), creating any that are missing."""
    if len(week) != 7:
        raise ValueError("a week has seven days")
    existing = {day.weekday: day for day in hours.days}
    for weekday, spec in enumerate(week):
        day = existing.get(weekday)
        if day is None:
            day = BusinessDay(weekday=weekday)
            hours.days.append(day)
        day.mode = spec.mode
        current = list(day.intervals)
        for interval, (opens, closes) in zip(current, spec.intervals):
            interval.opens, interval.closes = opens, closes
        for opens, closes in spec.intervals[len(current):]:
            day.intervals.append(BusinessInterval(opens=opens, closes=closes))
        for interval in current[len(spec.intervals):]:
            day.intervals.remove(interval)


# --- holidays ------------------------------------------------------------------------------------------

HOLIDAY_YEARS = range(2000, 2101)  # the years a holiday may fall in, added by hand or loaded
HOLIDAY_NAME_LENGTH = 120
# The languages of public holidays' names, by the loader's language: the first one a country's calendar has.
HOLIDAY_LANGUAGES = {"en": ("en_US", "en_GB", "en"), "ru": ("ru", "en_US", "en_GB", "en")}


def get_holiday_or_404(hours: BusinessHours, holiday_id: int) -> BusinessHoliday:
    """One holiday of this schedule: another schedule's id finds nothing (404)."""
    holiday = db.session.scalar(select(BusinessHoliday).where(
        BusinessHoliday.id == holiday_id, BusinessHoliday.schedule_id == hours.id))
    if holiday is None:
        abort(404, _("There is no such holiday; it may have been removed in the meantime."))
    return holiday


def holiday_on(hours: BusinessHours, day: date) -> BusinessHoliday | None:
    return db.session.scalar(select(BusinessHoliday).where(
        BusinessHoliday.schedule_id == hours.id, BusinessHoliday.date == day))


def holiday_years(hours: BusinessHours) -> dict[int, int]:
    """How many holidays the schedule has in each year, by year."""
    year = extract("year", BusinessHoliday.date)
    rows = db.session.execute(select(year, func.count()).where(BusinessHoliday.schedule_id == hours.id)
                              .group_by(year).order_by(year))
    return {int(y): n for y, n in rows}


def holiday_year_shown(hours: BusinessHours, years: dict[int, int], asked: int | None) -> int:
    """The year the holidays page shows: the one asked for, else this year in the schedule's zone when it has
    holidays, else the nearest later year with holidays, else the last one, else this year."""
    if asked in HOLIDAY_YEARS:
        return asked
    this_year = datetime.now(ZoneInfo(hours.timezone)).year
    if this_year in years or not years:
        return this_year
    return next((year for year in years if year > this_year), max(years))


def holidays_in(hours: BusinessHours, year: int) -> list[BusinessHoliday]:
    """The schedule's holidays in one year, by date."""
    return list(db.session.scalars(select(BusinessHoliday).where(
        BusinessHoliday.schedule_id == hours.id,
        BusinessHoliday.date.between(date(year, 1, 1), date(year, 12, 31))).order_by(BusinessHoliday.date)))


def add_holiday(actor: Account, hours: BusinessHours, day: date, name: str) -> bool:
    """Close the schedule on a date; False (nothing changed) when that date is a holiday already."""
    _check_edit(actor)
    if day.year not in HOLIDAY_YEARS:
        raise ValueError(f"a holiday in {day.year}")
    if not _insert_holiday(hours, day, name):
        return False
    _changed(actor, hours, "business_hours.holiday_add", f"{day.isoformat()} {name}")
    return True


def remove_holiday(actor: Account, hours: BusinessHours, holiday: BusinessHoliday) -> None:
    _check_edit(actor)
    detail = f"{holiday.date.isoformat()} {holiday.name}"
    db.session.delete(holiday)
    _changed(actor, hours, "business_hours.holiday_remove", detail)


def load_public_holidays(actor: Account, hours: BusinessHours, country: str, year: int,
                         language: str = "en") -> tuple[int, int]:
    """Add a country's public holidays for a year (the `holidays` package), skipping dates the schedule
    already has: (added, already there)."""
    _check_edit(actor)
    if country not in supported_countries() or year not in HOLIDAY_YEARS:
        raise ValueError(f"no public holidays for {country!r} in {year}")
    added = skipped = 0
    for day, name in sorted(public_holidays(country, year, language).items()):
        if _insert_holiday(hours, day, name):
            added += 1
        else:
            skipped += 1
    if added:
        _changed(actor, hours, "business_hours.holidays_load", f"{country} {year}: {added} added")
    return added, skipped


def public_holidays(country: str, year: int, language: str = "en") -> dict[date, str]:
    """A country's public holidays in a year, named in the language asked for when the country has it."""
    import holidays

    calendar_class = holidays.country_holidays(country, years=year)
    available = set(calendar_class.supported_languages)
    wanted = next((code for code in HOLIDAY_LANGUAGES.get(language, ()) if code in available), None)
    calendar = holidays.country_holidays(country, years=year, language=wanted) if wanted else calendar_class
    return {day: name for day, name in calendar.items() if day.year == year}


def loaded_message(country: str, year: int, added: int, skipped: int) -> str:
    """What loading a country's public holidays did, in a sentence or two."""
    name = country_name(country)
    if not added and not skipped:
        return _("No public holidays of %(country)s in %(year)d are known; nothing was added.", country=name,
                 year=year)
    text = ngettext("%(num)d public holiday of %(country)s in %(year)d added.",
                    "%(num)d public holidays of %(country)s in %(year)d added.", added, country=name, year=year)
    if skipped:
        text += " " + ngettext("%(num)d date was a holiday already and was skipped.",
                               "%(num)d dates were holidays already and were skipped.", skipped)
    return text


@cache
def supported_countries() -> frozenset[str]:
    """The ISO 3166-1 alpha-2 codes of the countries the `holidays` package knows."""
    import holidays

    return frozenset(holidays.list_supported_countries(include_aliases=False))


def country_name(code: str) -> str:
    """A country's name in the request's language (Babel's CLDR data), else its code."""
    from flask_babel import get_locale

    locale = get_locale()
    return locale.territories.get(code, code) if locale else code


def country_choices() -> list[tuple[str, str]]:
    """(code, "Germany (DE)") for every supported country, by name in the request's language."""
    choices = [(code, f"{country_name(code)} ({code})") for code in supported_countries()]
    return sorted(choices, key=lambda choice: fold(choice[1]))


@cache
def _zone_countries() -> dict[str, str]:
    countries: dict[str, str] = {}
    for directory in TZPATH:
        table = Path(directory) / "zone.tab"
        if table.exists():
            for line in table.read_text().splitlines():
                parts = line.split("\t")
                if line and not line.startswith("#") and len(parts) >= 3:
                    countries.setdefault(parts[2], parts[0])
            break
    return countries


def country_of_zone(zone: str) -> str | None:
    """The country of a time zone (Europe/Berlin → DE) when the `holidays` package knows it."""
    country = _zone_countries().get(zone)
    return country if country in supported_countries() else None


def _insert_holiday(hours: BusinessHours, day: date, name: str) -> bool:
    return insert_ignoring_conflict(BusinessHoliday, schedule_id=hours.id, date=day,
                                    name=name[:HOLIDAY_NAME_LENGTH])


def _changed(actor: Account, hours: BusinessHours, action: str, detail: str) -> None:
    """A change of the holidays is a change of the schedule: a new version (open forms go stale), audited."""
    db.session.expire(hours, ["holidays"])
    hours.touch(actor, utcnow())
    db.session.flush()
    record(actor, action, hours, detail)


def _detail(hours: BusinessHours) -> str:
    with force_locale("en"):  # the audit trail reads the same whoever made the change
        return f"{hours.name_en} · {hours.timezone} · {hours.summary}"
