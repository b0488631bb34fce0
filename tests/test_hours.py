"""Business hours: the pages, their guard, validation and deletion rules, and the schedule model."""
import html
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, select

from tests.conftest import login
from tests.factories import make_department, make_hours, make_staff
from webapp.extensions import db
from webapp.hours.service import holiday_year_shown, timezone_choices, timezone_names
from webapp.models import (
    AuditEntry,
    BusinessDay,
    BusinessHoliday,
    BusinessHours,
    BusinessInterval,
    DayMode,
    Department,
)
from webapp.rights.guard import REQUIRED

BASE = "/provider/business-hours"
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def week_form(name="Support shift", timezone="Europe/Moscow", **overrides):
    """A valid submit: Monday to Friday 09:00–18:00, Saturday 24 hours, Sunday closed; overrides by field
    (monday__opens is the first interval's, monday__intervals a list of (opens, closes) for the whole day)."""
    data = {"name_en": name, "timezone": timezone, "version": "1"}
    for weekday, day in enumerate(DAYS):
        if weekday < 5:
            data.update({f"{day}-mode": "hours", f"{day}-intervals-0-opens": "09:00",
                         f"{day}-intervals-0-closes": "18:00"})
        else:
            data[f"{day}-mode"] = "all_day" if weekday == 5 else "closed"
    for key, value in overrides.items():
        day, _, part = key.partition("__")
        if part == "intervals":
            for name_ in [k for k in data if k.startswith(f"{day}-intervals-")]:
                del data[name_]
            for index, (opens, closes) in enumerate(value):
                data[f"{day}-intervals-{index}-opens"], data[f"{day}-intervals-{index}-closes"] = opens, closes
            continue
        key = f"{day}-intervals-0-{part}" if part in ("opens", "closes") else key.replace("__", "-")
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def spans(hours, weekday) -> list[tuple[time, time]]:
    return [(i.opens, i.closes) for i in hours.day(weekday).intervals]


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def by_name(name: str) -> BusinessHours | None:
    db.session.expire_all()
    return db.session.scalar(select(BusinessHours).where(BusinessHours.name_en == name))


def text_of(response) -> str:
    return html.unescape(response.text)


@pytest.fixture
def unused(app):
    hours = make_hours(name="Night shift", timezone="Asia/Tokyo", holidays=[(date(2027, 1, 1), "New Year")])
    db.session.commit()
    return hours


@pytest.fixture
def in_use(app):
    hours = make_hours(name="Sales hours", timezone="Europe/Berlin")
    make_department(name="Billing desk", hours=hours)
    make_department(name="Abuse desk", hours=hours)
    db.session.commit()
    return hours


# --- the guard ---------------------------------------------------------------------------------------

ROUTES = [
    ("get", "/", None),
    ("get", "/new", None),
    ("post", "/new", "create"),
    ("get", "/{id}", None),
    ("post", "/{id}", "update"),
    ("get", "/{id}/delete", None),
    ("post", "/{id}/delete", None),
    ("get", "/day-row?add_interval=monday&monday-mode=hours", None),
    ("get", "/{id}/holidays", None),
    ("post", "/{id}/holidays", "holiday"),
    ("post", "/{id}/holidays/load", "load"),
    ("get", "/{id}/holidays/{holiday}/delete", None),
    ("post", "/{id}/holidays/{holiday}/delete", None),
]
PAYLOADS = {
    "create": lambda: week_form(name="Created here"),
    "update": lambda: week_form(name="Renamed here"),
    "holiday": lambda: {"date": "2027-03-08", "name": "Women's Day"},
    "load": lambda: {"country": "DE", "year": "2027"},
}


def call(client, method, path, hours_id, payload):
    hours = db.session.get(BusinessHours, hours_id)
    holiday_id = hours.holidays[0].id if hours.holidays else 0
    url = BASE + path.format(id=hours_id, holiday=holiday_id)
    return getattr(client, method)(url, data=PAYLOADS[payload]() if payload else {})


def test_every_endpoint_requires_departments_edit(app):
    endpoints = [e for e in app.view_functions if e.startswith("hours.")]
    assert set(endpoints) == {"hours.index", "hours.new", "hours.edit", "hours.delete", "hours.day_row",
                              "hours.holidays", "hours.load_holidays", "hours.delete_holiday"}
    for endpoint in endpoints:
        assert getattr(app.view_functions[endpoint], REQUIRED) == ("departments.edit",)


@pytest.mark.parametrize("method,path,payload", ROUTES)
def test_admin_may_open_every_route(as_admin, unused, method, path, payload):
    response = call(as_admin, method, path, unused.id, payload)
    assert response.status_code == (302 if method == "post" else 200), response.text


@pytest.mark.parametrize("method,path,payload", ROUTES)
def test_staff_without_the_right_is_refused(client, unused, method, path, payload):
    viewer = make_staff(rights=["departments.view"])
    login(client, viewer)
    before = (count(BusinessHours), count(BusinessDay), count(BusinessHoliday), count(AuditEntry))
    response = call(client, method, path, unused.id, payload)
    assert response.status_code == 403
    assert (count(BusinessHours), count(BusinessDay), count(BusinessHoliday), count(AuditEntry)) == before
    assert by_name("Night shift") is not None


@pytest.mark.parametrize("method,path,payload", ROUTES)
def test_anonymous_is_sent_to_login(client, unused, method, path, payload):
    before = count(BusinessHours), count(BusinessHoliday)
    response = call(client, method, path, unused.id, payload)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert (count(BusinessHours), count(BusinessHoliday)) == before


def test_anonymous_htmx_request_gets_hx_redirect(client):
    response = client.get(BASE + "/", headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"].startswith("/login")


def test_staff_with_the_right_sees_the_pages(client, unused):
    editor = make_staff(rights=["departments.view", "departments.edit"])
    login(client, editor)
    assert client.get(BASE + "/").status_code == 200
    assert client.get(f"{BASE}/{unused.id}").status_code == 200


@pytest.mark.parametrize("method,path", [("get", "/{id}"), ("post", "/{id}"), ("get", "/{id}/delete"),
                                         ("post", "/{id}/delete"), ("get", "/{id}/holidays"),
                                         ("post", "/{id}/holidays"), ("post", "/{id}/holidays/load"),
                                         ("get", "/{id}/holidays/1/delete"), ("post", "/{id}/holidays/1/delete")])
def test_missing_schedule_is_404(as_admin, method, path):
    before = count(BusinessHours)
    response = getattr(as_admin, method)(BASE + path.format(id=9999), data=week_form())
    assert response.status_code == 404
    assert count(BusinessHours) == before


# --- the list ------------------------------------------------------------------------------------------

def test_index_lists_name_zone_summary_and_usage(as_admin, in_use, unused):
    response = as_admin.get(BASE + "/")
    page = text_of(response)
    row = re.search(r"<tr>\s*<td class=\"wrap\"><a href=\"/provider/business-hours/%d\">Sales hours</a>.*?</tr>" % in_use.id,
                    page, re.S)
    assert row, page
    assert "Europe/Berlin" in row.group(0)
    assert "Mon–Fri 09:00–18:00" in row.group(0)
    assert re.search(r'<td class="num"[^>]*>2</td>', row.group(0))
    assert f'href="{BASE}/{in_use.id}/delete"' in row.group(0)
    assert "Night shift" in page and "Asia/Tokyo" in page
    assert "Weekdays 09:00–18:00" in page  # the seeded schedule


def test_index_empty_state(as_admin):
    db.session.execute(delete(Department))
    db.session.execute(delete(BusinessHours))
    db.session.commit()
    response = as_admin.get(BASE + "/")
    assert response.status_code == 200
    assert 'class="empty"' in response.text
    assert "No business hours yet." in response.text
    assert "<table" not in response.text


# --- the form ------------------------------------------------------------------------------------------

def test_form_markup_labels_every_input_and_marks_mode_selects(as_admin, unused):
    page = as_admin.get(f"{BASE}/{unused.id}").text
    ids = re.findall(r"<(?:input|select)\b[^>]*\bid=\"([^\"]+)\"", page)
    hidden = [re.search(r'\bid="([^"]+)"', tag).group(1)
              for tag in re.findall(r"<input\b[^>]*>", page) if 'type="hidden"' in tag and " id=" in tag]
    for input_id in set(ids) - set(hidden):
        assert f'for="{input_id}"' in page, input_id
    modes = re.findall(r"<select\b[^>]*data-day-mode[^>]*>", page)
    assert len(modes) == 7
    assert len(re.findall(r'<input[^>]*data-time[^>]*placeholder="HH:MM"[^>]*type="text"', page)) == 14
    assert not re.search(r"\sstyle=|\son\w+=|<script(?![^>]*\bsrc=)|hx-on", page)


def test_time_zone_select_is_sorted_and_known(as_admin):
    page = as_admin.get(BASE + "/new").text
    select_html = re.search(r'<select[^>]*id="timezone".*?</select>', page, re.S).group(0)
    options = re.findall(r'<option[^>]*value="([^"]+)"', select_html)
    assert options == sorted(options)
    assert set(options) <= set(timezone_names())
    assert "Europe/Moscow" in options and "Europe/Oslo" in options and "UTC" in options
    assert not {"localtime", "US/Eastern", "Etc/GMT+5", "posixrules"} & set(options)  # canonical names only
    assert re.search(r'<option[^>]*value="Asia/Kolkata"[^>]*>Asia/Kolkata \(UTC\+05:30\)</option>', select_html)
    assert 'for="timezone-filter"' in page  # the search box above the list is labelled


def test_time_zone_choices_show_the_offset_at_the_moment():
    winter, summer = datetime(2026, 1, 15, tzinfo=UTC), datetime(2026, 7, 15, tzinfo=UTC)
    assert ("Europe/Berlin", "Europe/Berlin (UTC+01:00)") in timezone_choices(at=winter)
    assert ("Europe/Berlin", "Europe/Berlin (UTC+02:00)") in timezone_choices(at=summer)
    assert ("America/St_Johns", "America/St_Johns (UTC-03:30)") in timezone_choices(at=winter)
    assert ("UTC", "UTC (UTC+00:00)") in timezone_choices(at=winter)


def test_an_alias_zone_stays_choosable_when_editing():
    assert "US/Eastern" not in dict(timezone_choices())
    assert ("US/Eastern", "US/Eastern (UTC-05:00)") in timezone_choices(
        "US/Eastern", at=datetime(2026, 1, 15, tzinfo=UTC))


def test_new_form_starts_with_weekdays(as_admin):
    page = as_admin.get(BASE + "/new").text
    assert re.search(r'id="monday-mode".*?<option selected value="hours">', page, re.S)
    assert re.search(r'id="sunday-mode"[^>]*><option selected value="closed">', page)
    assert re.search(r'<input[^>]*id="friday-intervals-0-closes"[^>]*name="friday-intervals-0-closes"[^>]*'
                     r'type="text" value="18:00"', page)


def test_create_saves_the_schedule(as_admin):
    before = count(BusinessHours)
    data = week_form(name="  Support shift  ", sunday__opens="10:00", sunday__closes="12:00",
                     tuesday__opens="08:30:00", tuesday__closes="20:00")
    response = as_admin.post(BASE + "/new", data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == BASE + "/"
    assert count(BusinessHours) == before + 1
    hours = by_name("Support shift")
    assert hours.timezone == "Europe/Moscow"
    assert [d.weekday for d in hours.days] == list(range(7))
    assert [d.mode for d in hours.days] == [DayMode.hours] * 5 + [DayMode.all_day, DayMode.closed]
    assert spans(hours, 0) == [(time(9), time(18))]
    assert spans(hours, 1) == [(time(8, 30), time(20))]
    # Times of a day that is not open for set hours are not kept.
    assert spans(hours, 5) == [] and spans(hours, 6) == []
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "business_hours.create"))
    assert entry.target == f"business_hours:{hours.id}:{hours.name}"
    assert "Support shift" in entry.detail and "Europe/Moscow" in entry.detail
    assert "Support shift" in as_admin.get(response.headers["Location"]).text  # the flash


def test_create_copes_with_disabled_time_inputs(as_admin):
    """The browser leaves out disabled inputs: a closed or 24-hour day arrives without times."""
    data = week_form(monday__mode="closed", monday__opens=None, monday__closes=None,
                     friday__mode="all_day", friday__opens=None, friday__closes=None)
    assert as_admin.post(BASE + "/new", data=data).status_code == 302
    hours = by_name("Support shift")
    assert hours.day(0).mode is DayMode.closed and spans(hours, 0) == []
    assert hours.day(4).mode is DayMode.all_day and spans(hours, 4) == []
    assert hours.summary == "Tue–Thu 09:00–18:00, Fri–Sat open 24 hours"


def test_create_ignores_garbage_times_of_a_closed_day(as_admin):
    data = week_form(sunday__opens="not a time", sunday__closes="99:99")
    assert as_admin.post(BASE + "/new", data=data).status_code == 302
    assert spans(by_name("Support shift"), 6) == []


def test_edit_updates_the_schedule(as_admin, in_use):
    days_before = count(BusinessDay)
    data = week_form(name="Sales HOURS", timezone="America/New_York", tuesday__mode="all_day",
                     tuesday__opens=None, tuesday__closes=None, saturday__mode="hours",
                     saturday__opens="10:00", saturday__closes="14:00")
    response = as_admin.post(f"{BASE}/{in_use.id}", data=data)
    assert response.status_code == 302, response.text
    hours = db.session.get(BusinessHours, in_use.id)
    db.session.refresh(hours)
    assert hours.name == "Sales HOURS"  # its own name in another case is not a duplicate
    assert hours.timezone == "America/New_York"
    assert hours.day(1).mode is DayMode.all_day and spans(hours, 1) == []
    assert spans(hours, 5) == [(time(10), time(14))]
    assert count(BusinessDay) == days_before
    assert hours.summary == "Mon 09:00–18:00, Tue open 24 hours, Wed–Fri 09:00–18:00, Sat 10:00–14:00"
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "business_hours.update"))
    assert len(hours.departments) == 2


def test_edit_page_shows_stored_values_and_users(as_admin, in_use):
    page = text_of(as_admin.get(f"{BASE}/{in_use.id}"))
    assert 'value="Sales hours"' in page
    assert re.search(r'<option selected value="Europe/Berlin">', page)
    assert re.search(r">Abuse desk</a>, <a [^>]+>Billing desk</a>", page)


def test_edit_does_not_fall_back_to_stored_times(as_admin, in_use):
    """A submit without Monday's times is refused, not filled from the database."""
    data = week_form(name="Sales hours", monday__opens=None, monday__closes=None)
    response = as_admin.post(f"{BASE}/{in_use.id}", data=data)
    assert response.status_code == 422
    assert "Monday: enter the opening time" in text_of(response)


INVALID = [
    ("empty name", {"name": ""}, "Name (English)</a>: Enter a name"),
    ("blank name", {"name": "   "}, "Name (English)</a>: Enter a name"),
    ("long name", {"name": "x" * 121}, "Name (English)</a>: At most 120 characters."),
    ("duplicate name", {"name": "WEEKDAYS 09:00–18:00"}, "Name (English)</a>: Business hours called “WEEKDAYS 09:00–18:00”"),
    ("unknown zone", {"timezone": "Mars/Olympus_Mons"}, "Time zone</a>: Choose a time zone from the list."),
    ("server zone alias", {"timezone": "localtime"}, "Time zone</a>: Choose a time zone from the list."),
    ("missing zone", {"timezone": None}, "Time zone</a>: Choose a time zone from the list."),
    ("closing before opening", {"tuesday__closes": "08:00"},
     "Tuesday: the closing time must be later than the opening time."),
    ("closing equals opening", {"friday__closes": "09:00"},
     "Friday: the closing time must be later than the opening time."),
    ("missing opening", {"wednesday__opens": None}, "Wednesday: enter the opening time (HH:MM)."),
    ("empty closing", {"thursday__closes": ""}, "Thursday: enter the closing time (HH:MM)."),
    ("bad time", {"monday__opens": "25:61"}, "Monday: enter the opening time (HH:MM)."),
    ("unknown mode", {"saturday__mode": "sometimes"}, "Saturday: choose closed, open 24 hours or open from–to."),
    ("missing mode", {"sunday__mode": None}, "Sunday: choose closed, open 24 hours or open from–to."),
    ("overlapping intervals", {"monday__intervals": [("09:00", "13:00"), ("12:00", "18:00")]},
     "Monday: the intervals 09:00–13:00 and 12:00–18:00 overlap; join them into one or leave a gap"),
    ("touching intervals", {"tuesday__intervals": [("13:00", "18:00"), ("09:00", "13:00")]},
     "Tuesday: the intervals 09:00–13:00 and 13:00–18:00 overlap"),
    ("second interval backwards", {"wednesday__intervals": [("09:00", "13:00"), ("18:00", "14:00")]},
     "Wednesday: the closing time must be later than the opening time."),
    ("second interval without closing", {"thursday__intervals": [("09:00", "13:00"), ("14:00", "")]},
     "Thursday: enter the closing time (HH:MM)."),
    ("five intervals", {"friday__intervals": [("08:00", "09:00"), ("10:00", "11:00"), ("12:00", "13:00"),
                                              ("14:00", "15:00"), ("16:00", "17:00")]},
     "Friday: at most 4 intervals a day."),
    ("every row blank", {"monday__intervals": [("", ""), ("", "")]}, "Monday: enter the opening time (HH:MM)."),
]


@pytest.mark.parametrize("case,overrides,message", INVALID, ids=[case for case, *_ in INVALID])
def test_create_refuses_invalid_input(as_admin, case, overrides, message):
    before = (count(BusinessHours), count(BusinessDay), count(AuditEntry))
    response = as_admin.post(BASE + "/new", data=week_form(**overrides))
    assert response.status_code == 422
    assert message in text_of(response)
    assert 'aria-invalid="true"' in response.text
    assert (count(BusinessHours), count(BusinessDay), count(AuditEntry)) == before


@pytest.mark.parametrize("case,overrides,message", INVALID, ids=[case for case, *_ in INVALID])
def test_edit_refuses_invalid_input(as_admin, unused, case, overrides, message):
    overrides = {"name": "Night shift", **overrides}
    response = as_admin.post(f"{BASE}/{unused.id}", data=week_form(**overrides))
    assert response.status_code == 422
    assert message in text_of(response)
    hours = by_name("Night shift")
    assert hours.timezone == "Asia/Tokyo"
    assert hours.summary == "Mon–Fri 09:00–18:00"
    assert not db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.not_like("auth.%"))).all()


# --- several intervals a day ------------------------------------------------------------------------

def test_create_saves_several_intervals_a_day_in_order(as_admin):
    data = week_form(monday__intervals=[("14:00", "18:00"), ("09:00", "13:00")],
                     wednesday__intervals=[("08:00", "10:00"), ("", ""), ("11:00", "12:00"), ("13:00", "23:59")])
    assert as_admin.post(BASE + "/new", data=data).status_code == 302
    hours = by_name("Support shift")
    assert spans(hours, 0) == [(time(9), time(13)), (time(14), time(18))]
    assert spans(hours, 2) == [(time(8), time(10)), (time(11), time(12)), (time(13), time(23, 59))]  # blank row left out
    assert hours.summary == ("Mon 09:00–13:00, 14:00–18:00, Tue 09:00–18:00, "
                             "Wed 08:00–10:00, 11:00–12:00, 13:00–23:59, Thu–Fri 09:00–18:00, Sat open 24 hours")
    page = text_of(as_admin.get(BASE + "/"))
    assert "Mon 09:00–13:00, 14:00–18:00, Tue 09:00–18:00" in page


def test_edit_shows_and_changes_the_intervals_in_place(as_admin, in_use):
    split = week_form(name="Sales hours", monday__intervals=[("09:00", "13:00"), ("14:00", "18:00")])
    assert as_admin.post(f"{BASE}/{in_use.id}", data=split).status_code == 302
    page = as_admin.get(f"{BASE}/{in_use.id}").text
    assert re.search(r'id="monday-intervals-1-opens"[^>]*value="14:00"', page)
    assert 'for="monday-intervals-1-opens">Monday, interval 2: opens</label>' in page
    assert 'aria-label="Remove interval 2 of Monday"' in page
    intervals_before = count(BusinessInterval)
    back = week_form(name="Sales hours", version="2", monday__intervals=[("10:00", "12:00")],
                     tuesday__mode="closed", tuesday__opens=None, tuesday__closes=None)
    assert as_admin.post(f"{BASE}/{in_use.id}", data=back).status_code == 302
    hours = by_name("Sales hours")
    assert spans(hours, 0) == [(time(10), time(12))] and spans(hours, 1) == []
    assert count(BusinessInterval) == intervals_before - 2
    assert hours.summary == "Mon 10:00–12:00, Wed–Fri 09:00–18:00, Sat open 24 hours"


def test_deleting_a_schedule_deletes_its_intervals_and_holidays(as_admin, unused):
    intervals, holidays = count(BusinessInterval), count(BusinessHoliday)
    assert as_admin.post(f"{BASE}/{unused.id}/delete").status_code == 302
    assert (count(BusinessInterval), count(BusinessHoliday)) == (intervals - 5, holidays - 1)


def test_add_interval_without_javascript_shows_the_form_again_with_what_was_typed(as_admin):
    data = week_form(name="Typed name", monday__closes="13:00", add_interval="monday")
    response = as_admin.post(BASE + "/new", data=data)
    assert response.status_code == 200
    page = text_of(response)
    assert 'value="Typed name"' in page
    assert re.search(r'id="monday-intervals-0-closes"[^>]*value="13:00"', page)
    assert re.search(r'<input autocomplete="off" autofocus [^>]*id="monday-intervals-1-opens"[^>]*value=""', page)
    assert "error-summary" not in page and by_name("Typed name") is None
    data = week_form(name="Typed name", monday__intervals=[("09:00", "13:00"), ("14:00", "18:00")],
                     remove_interval="monday-intervals-0")
    page = text_of(as_admin.post(BASE + "/new", data=data))
    assert re.search(r'id="monday-intervals-0-opens"[^>]*value="14:00"', page)
    assert 'id="monday-intervals-1-opens"' not in page
    assert re.search(r'id="monday-add-interval"[^>]*\n?[^>]*autofocus', page)
    assert by_name("Typed name") is None


def test_the_enter_key_saves_rather_than_adding_an_interval(as_admin, unused):
    """The first submit button of the form is the default one the browser clicks on Enter: a save."""
    page = as_admin.get(f"{BASE}/{unused.id}").text
    form = page.split('id="content"')[1]
    first_button = re.search(r"<button\b[^>]*>", form.split("<form", 1)[1]).group(0)
    assert 'type="submit"' in first_button and "name=" not in first_button


def test_day_row_adds_an_interval_keeping_what_was_typed(as_admin):
    before = count(BusinessInterval)
    response = as_admin.get(BASE + "/day-row", headers={"HX-Request": "true"}, query_string={
        "add_interval": "tuesday", "tuesday-mode": "hours", "tuesday-intervals-0-opens": "08:00",
        "tuesday-intervals-0-closes": "12:30"})
    assert response.status_code == 200
    row = text_of(response)
    assert row.lstrip().startswith("<tr id=\"tuesday-row\"") and "<html" not in row
    assert re.search(r'id="tuesday-intervals-0-closes"[^>]*value="12:30"', row)
    assert re.search(r'autofocus[^>]*id="tuesday-intervals-1-opens"', row)
    assert 'for="tuesday-intervals-1-closes">Tuesday, interval 2: closes</label>' in row
    assert re.search(r'<option selected value="hours">', row)
    assert 'hx-get="/provider/business-hours/day-row"' in row and 'hx-include="closest tr"' in row
    assert "error" not in row  # a row being edited is not judged yet
    assert count(BusinessInterval) == before


def test_day_row_removes_an_interval_and_keeps_at_least_one(as_admin):
    def row(**args):
        return text_of(as_admin.get(BASE + "/day-row", headers={"HX-Request": "true"}, query_string=args))

    two = {"friday-mode": "hours", "friday-intervals-0-opens": "09:00", "friday-intervals-0-closes": "13:00",
           "friday-intervals-3-opens": "14:00", "friday-intervals-3-closes": "18:00"}
    page = row(remove_interval="friday-intervals-0", **two)  # rows are numbered 0, 1 ... again on reading
    assert re.search(r'id="friday-intervals-0-opens"[^>]*value="14:00"', page)
    assert "09:00" not in page and 'id="friday-intervals-1-opens"' not in page
    assert "Remove interval" not in page  # the last interval stays: close the day with its mode instead
    three = {**two, "friday-intervals-5-opens": "19:00", "friday-intervals-5-closes": "20:00"}
    page = row(remove_interval="friday-intervals-1", **three)
    assert re.search(r'id="friday-intervals-0-opens"[^>]*value="09:00"', page)
    assert re.search(r'id="friday-intervals-1-opens"[^>]*value="19:00"', page)  # renumbered after the removal
    assert 'value="friday-intervals-1"' in page and 'value="friday-intervals-2"' not in page
    assert "14:00" not in page


def test_day_row_offers_no_fifth_interval(as_admin):
    args = {"add_interval": "sunday", "sunday-mode": "hours"}
    for index, hour in enumerate((8, 10, 12, 14)):
        args[f"sunday-intervals-{index}-opens"] = f"{hour:02d}:00"
        args[f"sunday-intervals-{index}-closes"] = f"{hour:02d}:30"
    page = text_of(as_admin.get(BASE + "/day-row", query_string=args))
    assert 'id="sunday-intervals-3-opens"' in page and 'id="sunday-intervals-4-opens"' not in page
    assert "Add interval" not in page


@pytest.mark.parametrize("args", [{}, {"add_interval": "funday"}, {"remove_interval": "x-intervals-0"},
                                  {"add_interval": ""}])
def test_day_row_without_a_weekday_is_a_bad_request(as_admin, args):
    assert as_admin.get(BASE + "/day-row", query_string=args).status_code == 400


# --- holidays ------------------------------------------------------------------------------------------

def holiday_dates(hours_id) -> list[date]:
    return list(db.session.scalars(select(BusinessHoliday.date).where(BusinessHoliday.schedule_id == hours_id)
                                   .order_by(BusinessHoliday.date)))


def version_of(hours_id) -> int:
    return db.session.scalar(select(BusinessHours.version).where(BusinessHours.id == hours_id))


def test_the_form_and_the_list_link_to_the_holidays(as_admin, unused):
    assert f'href="{BASE}/{unused.id}/holidays"' in as_admin.get(f"{BASE}/{unused.id}").text
    assert f'href="{BASE}/{unused.id}/holidays"' in as_admin.get(BASE + "/").text


def test_holidays_page_lists_a_year_by_date_with_links_to_other_years(as_admin):
    hours = make_hours(name="Holiday desk", holidays=[
        (date(2027, 12, 25), "Christmas"), (date(2027, 1, 1), "New Year"), (date(2028, 1, 1), "Next New Year"),
        (date(2025, 5, 1), "Labour Day")])
    db.session.commit()
    page = text_of(as_admin.get(f"{BASE}/{hours.id}/holidays?year=2027"))
    assert "Holidays in 2027" in page
    assert page.index("Fri, 1 Jan 2027") < page.index("New Year") < page.index("Sat, 25 Dec 2027")
    assert "Next New Year" not in page and "Labour Day" not in page
    for year in (2025, 2027, 2028):
        assert f'href="{BASE}/{hours.id}/holidays?year={year}"' in page
    assert re.search(r'aria-current="page">2027 <span class="badge">2</span>', page)
    assert f'href="{BASE}/{hours.id}/holidays/' in page and "/delete" in page


def test_the_year_shown_without_asking(app):
    """This year when it has holidays, else the next year that has some, else the last one, else this year."""
    hours = make_hours(timezone="Pacific/Kiritimati")  # UTC+14: "this year" is the schedule's own
    this_year = datetime.now(ZoneInfo("Pacific/Kiritimati")).year
    assert holiday_year_shown(hours, {}, None) == this_year
    assert holiday_year_shown(hours, {this_year - 1: 3, this_year: 1, this_year + 2: 5}, None) == this_year
    assert holiday_year_shown(hours, {this_year - 1: 3, this_year + 2: 5, this_year + 3: 1}, None) == this_year + 2
    assert holiday_year_shown(hours, {this_year - 3: 3, this_year - 1: 2}, None) == this_year - 1
    assert holiday_year_shown(hours, {}, 2031) == 2031
    assert holiday_year_shown(hours, {}, 1812) == this_year  # not a year a holiday may fall in


def test_holidays_page_without_holidays(as_admin, in_use):
    page = text_of(as_admin.get(f"{BASE}/{in_use.id}/holidays"))
    assert "No holidays yet." in page
    assert re.search(r'<option selected value="DE">Germany \(DE\)</option>', page)  # from Europe/Berlin
    assert f"Holidays in {datetime.now(UTC).year}" in page


def test_add_a_holiday(as_admin, in_use):
    version = version_of(in_use.id)
    response = as_admin.post(f"{BASE}/{in_use.id}/holidays", data={"date": "2027-03-08", "name": "  Women's Day "})
    assert response.status_code == 302
    assert response.headers["Location"] == f"{BASE}/{in_use.id}/holidays?year=2027"
    assert holiday_dates(in_use.id) == [date(2027, 3, 8)]
    holiday = db.session.scalar(select(BusinessHoliday).where(BusinessHoliday.schedule_id == in_use.id))
    assert holiday.name == "Women's Day"
    assert version_of(in_use.id) == version + 1  # an open schedule form is now stale
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "business_hours.holiday_add"))
    assert entry.detail == "2027-03-08 Women's Day" and entry.target.startswith(f"business_hours:{in_use.id}:")
    page = text_of(as_admin.get(response.headers["Location"]))
    assert "Holiday “Women's Day” on March 8, 2027 added." in page and "Mon, 8 Mar 2027" in page


HOLIDAY_INVALID = [
    ("duplicate", {"date": "2027-01-01", "name": "Again"}, "Date</a>: January 1, 2027 is a holiday already: “New Year”."),
    ("no date", {"date": "", "name": "X"}, "Date</a>: Enter the date as YYYY-MM-DD, for example 2027-01-01."),
    ("bad date", {"date": "2027-02-30", "name": "X"}, "Date</a>: Enter the date as YYYY-MM-DD"),
    ("not a date", {"date": "tomorrow", "name": "X"}, "Date</a>: Enter the date as YYYY-MM-DD"),
    ("too early", {"date": "1999-12-31", "name": "X"}, "Date</a>: Enter a year from 2000 to 2100."),
    ("too late", {"date": "2101-01-01", "name": "X"}, "Date</a>: Enter a year from 2000 to 2100."),
    ("no name", {"date": "2027-05-01", "name": "  "}, "Name</a>: Enter the holiday’s name."),
    ("long name", {"date": "2027-05-01", "name": "x" * 121}, "Name</a>: At most 120 characters."),
    ("control characters", {"date": "2027-05-01", "name": "May\x00Day"}, "Name contains control characters"),
]


@pytest.mark.parametrize("case,data,message", HOLIDAY_INVALID, ids=[case for case, *_ in HOLIDAY_INVALID])
def test_add_a_holiday_refuses_bad_input(as_admin, unused, case, data, message):
    before = (count(BusinessHoliday), version_of(unused.id), count(AuditEntry))
    response = as_admin.post(f"{BASE}/{unused.id}/holidays", data=data)
    assert response.status_code == 422
    page = text_of(response)
    assert "The holiday was not added. Please correct:" in page and message in page
    assert 'aria-invalid="true"' in page
    assert (count(BusinessHoliday), version_of(unused.id), count(AuditEntry)) == before


def test_remove_a_holiday_after_confirming(as_admin, unused):
    holiday_id = unused.holidays[0].id
    page = text_of(as_admin.get(f"{BASE}/{unused.id}/holidays/{holiday_id}/delete"))
    assert "Remove the holiday “New Year”?" in page and "Friday, January 1, 2027" in page
    assert f'action="{BASE}/{unused.id}/holidays/{holiday_id}/delete"' in page
    assert holiday_dates(unused.id) == [date(2027, 1, 1)]  # asking removes nothing
    version = version_of(unused.id)
    response = as_admin.post(f"{BASE}/{unused.id}/holidays/{holiday_id}/delete")
    assert response.status_code == 302
    assert response.headers["Location"] == f"{BASE}/{unused.id}/holidays?year=2027"
    assert holiday_dates(unused.id) == [] and version_of(unused.id) == version + 1
    assert db.session.scalar(select(AuditEntry.detail).where(AuditEntry.action == "business_hours.holiday_remove")) \
        == "2027-01-01 New Year"
    assert "Holiday “New Year” on January 1, 2027 removed." in text_of(as_admin.get(response.headers["Location"]))
    assert as_admin.post(f"{BASE}/{unused.id}/holidays/{holiday_id}/delete").status_code == 404  # gone


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_schedules_holiday_is_404(as_admin, unused, in_use, method):
    """A holiday id is looked up within the schedule in the URL: a forged pair finds nothing."""
    holiday_id = unused.holidays[0].id
    response = getattr(as_admin, method)(f"{BASE}/{in_use.id}/holidays/{holiday_id}/delete")
    assert response.status_code == 404
    assert "There is no such holiday" in text_of(response)
    assert holiday_dates(unused.id) == [date(2027, 1, 1)]


def test_load_a_countrys_public_holidays_skipping_dates_already_there(as_admin, unused):
    import holidays

    german = holidays.country_holidays("DE", years=2027)
    version = version_of(unused.id)
    response = as_admin.post(f"{BASE}/{unused.id}/holidays/load", data={"country": "DE", "year": "2027"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"{BASE}/{unused.id}/holidays?year=2027"
    assert holiday_dates(unused.id) == sorted(german)  # New Year was there already: kept, not doubled
    assert version_of(unused.id) == version + 1
    names = dict(db.session.execute(select(BusinessHoliday.date, BusinessHoliday.name)
                                    .where(BusinessHoliday.schedule_id == unused.id)).all())
    assert names[date(2027, 1, 1)] == "New Year" and names[date(2027, 12, 25)] == "Christmas Day"
    page = text_of(as_admin.get(response.headers["Location"]))
    assert (f"{len(german) - 1} public holidays of Germany in 2027 added. "
            "1 date was a holiday already and was skipped.") in page
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "business_hours.holidays_load"))
    assert entry.detail == f"DE 2027: {len(german) - 1} added"
    # Loading again adds nothing and says so; the version stays.
    as_admin.post(f"{BASE}/{unused.id}/holidays/load", data={"country": "DE", "year": "2027"})
    assert len(holiday_dates(unused.id)) == len(german) and version_of(unused.id) == version + 1
    assert f"0 public holidays of Germany in 2027 added. {len(german)} dates were holidays already" in \
        text_of(as_admin.get(f"{BASE}/{unused.id}/holidays"))


def test_public_holidays_are_named_in_the_language_of_the_person_loading_them(as_admin, unused):
    as_admin.post("/language", data={"lang": "ru"})
    page = as_admin.get(f"{BASE}/{unused.id}/holidays").text
    assert re.search(r'<option value="RU">[^<]+ \(RU\)</option>', page)
    assert as_admin.post(f"{BASE}/{unused.id}/holidays/load", data={"country": "RU", "year": "2027"}).status_code == 302
    names = db.session.scalars(select(BusinessHoliday.name).where(BusinessHoliday.schedule_id == unused.id,
                                                                  BusinessHoliday.date == date(2027, 6, 12)))
    assert next(names) == "День России"


LOAD_INVALID = [
    ("no country", {"country": "", "year": "2027"}, "Country</a>: Choose a country from the list."),
    ("unknown country", {"country": "XX", "year": "2027"}, "Country</a>: Choose a country from the list."),
    ("three letters", {"country": "DEU", "year": "2027"}, "Country</a>: Choose a country from the list."),
    ("no year", {"country": "DE", "year": ""}, "Year</a>: Enter a year from 2000 to 2100."),
    ("not a year", {"country": "DE", "year": "next"}, "Year</a>: Enter a year from 2000 to 2100."),
    ("far future", {"country": "DE", "year": "99999"}, "Year</a>: Enter a year from 2000 to 2100."),
]


@pytest.mark.parametrize("case,data,message", LOAD_INVALID, ids=[case for case, *_ in LOAD_INVALID])
def test_load_refuses_bad_input(as_admin, unused, case, data, message):
    before = (count(BusinessHoliday), version_of(unused.id))
    response = as_admin.post(f"{BASE}/{unused.id}/holidays/load", data=data)
    assert response.status_code == 422
    page = text_of(response)
    assert "Nothing was loaded. Please correct:" in page and message in page
    assert (count(BusinessHoliday), version_of(unused.id)) == before


def test_a_holiday_closes_the_schedule_and_the_list_says_so(as_admin):
    hours = make_hours(name="Always open", open_days=range(7), opens=time(0), closes=time(23, 59),
                       holidays=[(datetime.now(UTC).date(), "Today")])
    db.session.commit()
    assert not hours.is_open(datetime.now(UTC).replace(hour=12))
    assert hours.is_open(datetime.now(UTC).replace(hour=12) + timedelta(days=1))
    row = re.search(r"Always open</a>.*?</tr>", as_admin.get(BASE + "/").text, re.S).group(0)
    assert '<span class="badge">Closed</span>' in row


def test_a_schedule_form_made_stale_by_a_holiday_is_refused(as_admin, unused):
    """Holidays are part of the schedule: a schedule form opened before a holiday was added is stale."""
    assert as_admin.post(f"{BASE}/{unused.id}/holidays", data={"date": "2027-05-01", "name": "May Day"}).status_code == 302
    response = as_admin.post(f"{BASE}/{unused.id}", data=week_form(name="Night shift", version="1"))
    assert response.status_code == 409 and "Administrator changed this record" in text_of(response)


def test_list_page_queries_do_not_grow_with_holidays(as_admin, count_queries):
    for n in range(3):
        make_hours(name=f"Queried {n}", holidays=[(date(2027, 1, d), f"Day {d}") for d in range(1, 6)])
    db.session.commit()
    with count_queries() as few:
        as_admin.get(BASE + "/")
    for n in range(3, 12):
        make_hours(name=f"Queried {n}", holidays=[(date(2027, 1, d), f"Day {d}") for d in range(1, 6)])
    db.session.commit()
    with count_queries() as many:
        as_admin.get(BASE + "/")
    assert many.n == few.n


# --- delete --------------------------------------------------------------------------------------------

def test_delete_confirmation_of_an_unused_schedule(as_admin, unused):
    page = text_of(as_admin.get(f"{BASE}/{unused.id}/delete"))
    assert "Delete business hours “Night shift”?" in page
    assert f'action="{BASE}/{unused.id}/delete"' in page
    assert "btn-danger" in page


def test_delete_removes_an_unused_schedule(as_admin, unused):
    hours_id = unused.id
    days_before = count(BusinessDay)
    response = as_admin.post(f"{BASE}/{hours_id}/delete")
    assert response.status_code == 302
    assert response.headers["Location"] == BASE + "/"
    db.session.expire_all()
    assert db.session.get(BusinessHours, hours_id) is None
    assert count(BusinessDay) == days_before - 7
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "business_hours.delete"))
    assert entry.target.startswith(f"business_hours:{hours_id}:") and "Night shift" in entry.detail
    assert "Business hours “Night shift” deleted." in text_of(as_admin.get(BASE + "/"))


def test_delete_confirmation_of_a_schedule_in_use_lists_its_departments(as_admin, in_use):
    page = text_of(as_admin.get(f"{BASE}/{in_use.id}/delete"))
    assert "cannot be deleted: 2 departments use them" in page
    assert ">Abuse desk</a></li>" in page and ">Billing desk</a></li>" in page
    assert re.search(r'<button type="button" class="btn btn-danger" disabled aria-describedby="in-use">', page)
    assert "<form" not in page.split('id="content"')[1]


def test_delete_of_a_schedule_in_use_is_refused(as_admin, in_use):
    before = (count(BusinessHours), count(BusinessDay), count(Department), count(AuditEntry))
    response = as_admin.post(f"{BASE}/{in_use.id}/delete")
    assert response.status_code == 409
    page = text_of(response)
    assert 'class="error-page"' in page
    assert "used by departments: Abuse desk, Billing desk" in page
    assert "nothing was deleted" in page
    assert (count(BusinessHours), count(BusinessDay), count(Department), count(AuditEntry)) == before
    db.session.expire_all()
    assert all(d.business_hours_id == in_use.id for d in db.session.scalars(select(Department).where(
        Department.name_en.in_(["Abuse desk", "Billing desk"]))))


def test_seeded_schedule_in_use_cannot_be_deleted(as_admin):
    seeded = by_name("Weekdays 09:00–18:00")
    assert as_admin.post(f"{BASE}/{seeded.id}/delete").status_code == 409
    assert by_name("Weekdays 09:00–18:00") is not None


# --- the model: summary and is_open ------------------------------------------------------------------

def schedule(*days, timezone="UTC"):
    """A transient schedule from seven (mode, opens, closes, [opens, closes ...]) tuples, Monday first."""
    hours = BusinessHours(name_en="Test", timezone=timezone)
    hours.days = [BusinessDay(weekday=i, mode=mode, intervals=[
        BusinessInterval(opens=opens, closes=closes) for opens, closes in zip(times[::2], times[1::2])
        if opens is not None]) for i, (mode, *times) in enumerate(days)]
    return hours


CLOSED = (DayMode.closed, None, None)
ALL_DAY = (DayMode.all_day, None, None)
NINE_SIX = (DayMode.hours, time(9), time(18))


@pytest.mark.parametrize("days,expected", [
    ([NINE_SIX] * 5 + [CLOSED] * 2, "Mon–Fri 09:00–18:00"),
    ([ALL_DAY] * 7, "Mon–Sun open 24 hours"),
    ([CLOSED] * 7, "Closed every day"),
    ([NINE_SIX] * 5 + [ALL_DAY, CLOSED], "Mon–Fri 09:00–18:00, Sat open 24 hours"),
    ([NINE_SIX, CLOSED, NINE_SIX, NINE_SIX, CLOSED, CLOSED, (DayMode.hours, time(10), time(12))],
     "Mon 09:00–18:00, Wed–Thu 09:00–18:00, Sun 10:00–12:00"),
])
def test_summary_folds_consecutive_days(app, days, expected):
    assert schedule(*days).summary == expected


def test_summary_of_a_schedule_without_day_rows(app):
    assert BusinessHours(name_en="Empty", timezone="UTC").summary == "Closed every day"


def test_is_open_judges_in_the_schedules_zone(app):
    moscow = schedule(*([NINE_SIX] * 5 + [ALL_DAY, CLOSED]), timezone="Europe/Moscow")  # UTC+3
    monday = datetime(2024, 1, 15, tzinfo=UTC)
    assert not moscow.is_open(monday.replace(hour=5, minute=59))  # 08:59 in Moscow
    assert moscow.is_open(monday.replace(hour=6))  # 09:00 opens
    assert moscow.is_open(monday.replace(hour=14, minute=59))  # 17:59
    assert not moscow.is_open(monday.replace(hour=15))  # 18:00 closes
    # Friday 22:00 UTC is already Saturday 01:00 in Moscow: open all day.
    assert moscow.is_open(datetime(2024, 1, 19, 22, tzinfo=UTC))
    # Saturday 22:00 UTC is Sunday 01:00 in Moscow: closed.
    assert not moscow.is_open(datetime(2024, 1, 20, 22, tzinfo=UTC))
    # Sunday 21:30 UTC is Monday 00:30 in Moscow: before opening.
    assert not moscow.is_open(datetime(2024, 1, 21, 21, 30, tzinfo=UTC))


def test_is_open_follows_daylight_saving(app):
    berlin = schedule(*([NINE_SIX] * 7), timezone="Europe/Berlin")
    assert berlin.is_open(datetime(2024, 1, 10, 8, tzinfo=UTC))  # winter, UTC+1: 09:00
    assert not berlin.is_open(datetime(2024, 7, 10, 16, 30, tzinfo=UTC))  # summer, UTC+2: 18:30
    assert berlin.is_open(datetime(2024, 7, 10, 7, tzinfo=UTC))  # summer: 09:00


def test_is_open_without_a_row_for_the_day_is_closed(app):
    hours = BusinessHours(name_en="Empty", timezone="UTC")
    assert not hours.is_open(datetime(2024, 1, 15, 12, tzinfo=UTC))


def test_audit_detail_is_english_whatever_the_language_of_the_actor(as_admin):
    as_admin.post("/language", data={"lang": "ru"})
    assert "Рабочее время" in as_admin.get("/provider/business-hours/").text
    as_admin.post("/provider/business-hours/1", data={
        "name_en": "Weekdays 09:00–18:00", "timezone": "UTC", "version": "1",
        **{f"{day}-mode": "hours" for day in ("monday", "tuesday", "wednesday", "thursday", "friday")},
        **{f"{day}-intervals-0-opens": "09:00" for day in ("monday", "tuesday", "wednesday", "thursday", "friday")},
        **{f"{day}-intervals-0-closes": "18:00" for day in ("monday", "tuesday", "wednesday", "thursday", "friday")},
        "saturday-mode": "closed", "sunday-mode": "closed"})
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "business_hours.update"))
    assert "Mon–Fri 09:00–18:00" in entry.detail


def test_force_locale_restores_the_request_language(app):
    from webapp.i18n import force_locale, gettext

    with app.test_request_context("/", headers={"Accept-Language": "ru"}):
        assert gettext("Business hours") == "Рабочее время"
        with force_locale("en"):
            assert gettext("Business hours") == "Business hours"
        assert gettext("Business hours") == "Рабочее время"
