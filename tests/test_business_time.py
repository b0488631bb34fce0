"""Business-time arithmetic: the examples of the support-center issue, daylight saving, and properties."""
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import make_hours
from webapp.hours.business_time import Calendar, NeverOpen, add, calendar_for, elapsed, is_open, next_opening
from webapp.models import DayMode

NINE_SIX = ((9 * 60, 18 * 60),)
WEEKDAYS_9_18 = (NINE_SIX,) * 5 + ((), ())
SPLIT = (((9 * 60, 13 * 60), (14 * 60, 18 * 60)),) * 5 + ((), ())
ALWAYS = (((0, 24 * 60),),) * 7
HOUR = timedelta(hours=1)


def local(zone, *args):
    return datetime(*args, tzinfo=ZoneInfo(zone))


def test_friday_evening_ticket_is_due_monday_and_tuesday_after_a_holiday():
    berlin = Calendar("Europe/Berlin", WEEKDAYS_9_18)
    friday = local("Europe/Berlin", 2026, 11, 27, 17, 30)
    assert add(berlin, friday, 4 * HOUR) == local("Europe/Berlin", 2026, 11, 30, 12, 30)
    with_holiday = Calendar("Europe/Berlin", WEEKDAYS_9_18, frozenset({date(2026, 11, 30)}))
    assert add(with_holiday, friday, 4 * HOUR) == local("Europe/Berlin", 2026, 12, 1, 12, 30)


def test_arriving_at_night_on_a_holiday_at_opening_and_at_closing():
    berlin = Calendar("Europe/Berlin", WEEKDAYS_9_18, frozenset({date(2026, 12, 25)}))
    night = local("Europe/Berlin", 2026, 12, 1, 3, 0)
    assert add(berlin, night, HOUR) == local("Europe/Berlin", 2026, 12, 1, 10, 0)
    christmas = local("Europe/Berlin", 2026, 12, 25, 11, 0)  # a Friday and a holiday
    assert add(berlin, christmas, HOUR) == local("Europe/Berlin", 2026, 12, 28, 10, 0)
    opening = local("Europe/Berlin", 2026, 12, 1, 9, 0)
    assert add(berlin, opening, 9 * HOUR) == local("Europe/Berlin", 2026, 12, 1, 18, 0)
    assert is_open(berlin, opening) and not is_open(berlin, local("Europe/Berlin", 2026, 12, 1, 18, 0))
    closing = local("Europe/Berlin", 2026, 12, 1, 18, 0)
    assert add(berlin, closing, timedelta(minutes=1)) == local("Europe/Berlin", 2026, 12, 2, 9, 1)
    assert next_opening(berlin, closing) == local("Europe/Berlin", 2026, 12, 2, 9, 0)


def test_split_days_and_round_the_clock():
    split = Calendar("Asia/Kolkata", SPLIT)
    noon = local("Asia/Kolkata", 2026, 12, 1, 12, 0)
    assert add(split, noon, 2 * HOUR) == local("Asia/Kolkata", 2026, 12, 1, 15, 0)  # 13–14 is lunch
    assert not is_open(split, local("Asia/Kolkata", 2026, 12, 1, 13, 30))
    assert next_opening(split, local("Asia/Kolkata", 2026, 12, 1, 13, 30)) == local("Asia/Kolkata", 2026, 12, 1, 14)
    always = Calendar("UTC", ALWAYS)
    start = datetime(2026, 12, 31, 22, 0, tzinfo=UTC)
    assert add(always, start, 5 * HOUR) == start + 5 * HOUR and is_open(always, start)


@pytest.mark.parametrize("zone,day,hours", [
    ("Europe/Berlin", date(2026, 3, 29), 23), ("Europe/Berlin", date(2026, 10, 25), 25),
    ("America/New_York", date(2026, 3, 8), 23), ("America/New_York", date(2026, 11, 1), 25),
])
def test_daylight_saving_days_have_their_real_length(zone, day, hours):
    always = Calendar(zone, ALWAYS)
    midnight = local(zone, day.year, day.month, day.day)
    next_midnight = local(zone, *(day + timedelta(days=1)).timetuple()[:3])
    assert elapsed(always, midnight, next_midnight) == hours * HOUR
    office = Calendar(zone, ((NINE_SIX,) * 7))  # open every day 09:00–18:00 wall time
    assert elapsed(office, midnight, next_midnight) == 9 * HOUR
    assert add(office, midnight, 9 * HOUR) == local(zone, day.year, day.month, day.day, 18)


def test_a_calendar_never_open_is_refused():
    closed = Calendar("UTC", ((),) * 7)
    with pytest.raises(NeverOpen):
        add(closed, datetime(2026, 1, 1, tzinfo=UTC), HOUR)
    assert elapsed(closed, datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)) == timedelta(0)
    with pytest.raises(ValueError):
        Calendar("UTC", (((600, 500),),) + ((),) * 6)


def test_a_split_schedule_with_holidays_becomes_a_calendar(app):
    hours = make_hours(timezone="Europe/Berlin", open_days=range(5),
                       intervals=[(time(14), time(18)), (time(9), time(13))],
                       holidays=[(date(2026, 12, 25), "Christmas Day"), (date(2026, 12, 24), "Christmas Eve")])
    hours.day(5).mode = DayMode.all_day
    calendar = calendar_for(hours, holidays=[date(2026, 12, 31)])
    assert calendar.zone == "Europe/Berlin"
    assert calendar.week[:5] == (((540, 780), (840, 1080)),) * 5  # in order, whatever order they were added in
    assert calendar.week[5] == ((0, 1440),) and calendar.week[6] == ()
    assert calendar.holidays == {date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 31)}
    # Wednesday 23 December 12:00: one hour before lunch, then Thursday and Friday are holidays and Saturday
    # is open round the clock.
    start = local("Europe/Berlin", 2026, 12, 23, 12, 0)
    assert add(calendar, start, 2 * HOUR) == local("Europe/Berlin", 2026, 12, 23, 15, 0)
    assert add(calendar, start, 6 * HOUR) == local("Europe/Berlin", 2026, 12, 26, 1, 0)
    assert elapsed(calendar, start, local("Europe/Berlin", 2026, 12, 28, 0, 0)) == 5 * HOUR + 24 * HOUR
    assert not is_open(calendar, local("Europe/Berlin", 2026, 12, 23, 13, 30))
    assert not hours.is_open(local("Europe/Berlin", 2026, 12, 24, 10, 0))  # the model asks the calendar
    assert hours.is_open(local("Europe/Berlin", 2026, 12, 23, 10, 0))


def test_a_schedule_becomes_a_calendar(app):
    hours = make_hours(timezone="Europe/Moscow", opens=time(10), closes=time(19))
    calendar = calendar_for(hours, holidays=[date(2027, 1, 1)])
    assert calendar.week[0] == ((600, 1140),) and calendar.week[6] == () and date(2027, 1, 1) in calendar.holidays


ZONES = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]
calendars = st.builds(
    Calendar, st.sampled_from(ZONES),
    st.sampled_from([WEEKDAYS_9_18, SPLIT, ALWAYS, (NINE_SIX,) * 7, (((22 * 60, 24 * 60),),) * 7]),
    st.frozensets(st.dates(date(2026, 1, 1), date(2027, 12, 31)), max_size=20))
moments = st.datetimes(datetime(2026, 1, 1), datetime(2027, 6, 30), timezones=st.just(UTC))
durations = st.integers(0, 60 * 24 * 14).map(lambda m: timedelta(minutes=m))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calendar=calendars, start=moments, duration=durations)
def test_elapsed_gives_back_what_add_added(calendar, start, duration):
    deadline = add(calendar, start, duration)
    assert elapsed(calendar, start, deadline) == duration
    assert deadline >= start


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calendar=calendars, start=moments, duration=durations.filter(lambda d: d > timedelta(0)))
def test_deadlines_never_fall_in_closed_time(calendar, start, duration):
    """The deadline ends open time: the instant before it was open (a microsecond: a start at 15:00:00.000001
    plus 3 hours ends at the next opening plus that microsecond, and the second before it is closed)."""
    deadline = add(calendar, start, duration)
    assert is_open(calendar, deadline - timedelta(microseconds=1))
