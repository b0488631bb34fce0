"""Business-time arithmetic: deadlines and elapsed time counted only in a schedule's open hours.

A calendar is a week of open intervals per weekday (several a day allowed: 09:00–13:00 and 14:00–18:00),
in an IANA time zone, with holidays on which it is closed. Each local interval is turned into UTC day by
day, so daylight-saving changes come out right (a 24-hour day in Berlin is 23 hours on the last Sunday of
March). No well-kept library does this with per-weekday intervals, holidays and zones (see RECIPES.md).

    add(calendar, start, duration)   the moment `duration` of open time after `start` (a deadline)
    elapsed(calendar, start, end)    the open time between two moments
    next_opening(calendar, at)       `at` itself when open, else when the calendar opens next
"""
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAY_MINUTES = 24 * 60
SEARCH_DAYS = 3 * 366  # a calendar with no open time in three years is treated as never open


class NeverOpen(ValueError):
    """The calendar has no open time at all (or none within three years)."""


@dataclass(frozen=True)
class Calendar:
    """Open intervals per weekday (0 = Monday) as [start, end) minutes after local midnight (end ≤ 1440)."""

    zone: str
    week: tuple[tuple[tuple[int, int], ...], ...]
    holidays: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self):
        if len(self.week) != 7:
            raise ValueError("a week has seven days")
        for intervals in self.week:
            previous_end = 0
            for start, end in intervals:
                if not 0 <= start < end <= DAY_MINUTES or start < previous_end:
                    raise ValueError(f"bad or overlapping interval {start}–{end}")
                previous_end = end

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    @property
    def ever_open(self) -> bool:
        return any(self.week)


def minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("business time needs aware datetimes")
    return moment.astimezone(UTC)


def _local(day: date, minute: int, tz: ZoneInfo) -> datetime:
    """Local wall time `minute` after midnight of `day`, in UTC (minute 1440 is the next midnight)."""
    if minute >= DAY_MINUTES:
        day, minute = day + timedelta(days=1), minute - DAY_MINUTES
    wall = datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=tz)
    return wall.astimezone(UTC)


def intervals_from(calendar: Calendar, start: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Open intervals in UTC, in order, from the day of `start` on (clipped so none ends before `start`)."""
    if not calendar.ever_open:
        raise NeverOpen("the calendar has no open hours")
    tz = calendar.tz
    start = _aware(start)
    day = start.astimezone(tz).date() - timedelta(days=1)  # an interval of the day before may still run
    for _ in range(SEARCH_DAYS):
        if day not in calendar.holidays:
            for first, last in calendar.week[day.weekday()]:
                opens, closes = _local(day, first, tz), _local(day, last, tz)
                if closes > start and closes > opens:
                    yield max(opens, start), closes
        day += timedelta(days=1)
    raise NeverOpen("no open hours within three years")


def add(calendar: Calendar, start: datetime, duration: timedelta) -> datetime:
    """The moment `duration` of open time after `start`: a deadline. A zero duration gives `start` itself."""
    remaining = duration
    start = _aware(start)
    if remaining <= timedelta(0):
        return start
    for opens, closes in intervals_from(calendar, start):
        available = closes - opens
        if remaining <= available:
            return opens + remaining
        remaining -= available
    raise NeverOpen("no open hours")  # pragma: no cover - intervals_from raises first


def elapsed(calendar: Calendar, start: datetime, end: datetime) -> timedelta:
    """The open time between two moments (zero when `end` is not after `start`)."""
    start, end = _aware(start), _aware(end)
    total = timedelta(0)
    if end <= start or not calendar.ever_open:
        return total
    for opens, closes in intervals_from(calendar, start):
        if opens >= end:
            break
        total += min(closes, end) - opens
    return total


def is_open(calendar: Calendar, at: datetime) -> bool:
    at = _aware(at)
    if not calendar.ever_open:
        return False
    opens, _closes = next(intervals_from(calendar, at))
    return opens <= at


def next_opening(calendar: Calendar, at: datetime) -> datetime:
    """`at` when the calendar is open then, else the moment it opens next."""
    opens, _closes = next(intervals_from(calendar, _aware(at)))
    return opens


def calendar_for(hours, holidays=()) -> Calendar:
    """The calendar of a BusinessHours schedule: every open interval of each day (24 hours as 00:00–24:00),
    closed on the schedule's own holidays and on any dates passed in."""
    from webapp.models import DayMode

    week = []
    for weekday in range(7):
        day = hours.day(weekday)
        if day is None or day.mode is DayMode.closed:
            week.append(())
        elif day.mode is DayMode.all_day:
            week.append(((0, DAY_MINUTES),))
        else:
            week.append(tuple(sorted((minutes(i.opens), minutes(i.closes)) for i in day.intervals)))
    return Calendar(hours.timezone, tuple(week), hours.holiday_dates | frozenset(holidays))
