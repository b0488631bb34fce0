"""Business hours: the pages, their guard, validation and deletion rules, and the schedule model."""
import html
import re
from datetime import UTC, datetime, time

import pytest
from sqlalchemy import delete, func, select

from tests.conftest import login
from tests.factories import make_department, make_hours, make_staff
from webapp.extensions import db
from webapp.hours.service import timezone_choices, timezone_names
from webapp.models import AuditEntry, BusinessDay, BusinessHours, DayMode, Department
from webapp.rights.guard import REQUIRED

BASE = "/provider/business-hours"
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def week_form(name="Support shift", timezone="Europe/Moscow", **overrides):
    """A valid submit: Monday to Friday 09:00–18:00, Saturday 24 hours, Sunday closed; overrides by field."""
    data = {"name_en": name, "timezone": timezone, "version": "1"}
    for weekday, day in enumerate(DAYS):
        if weekday < 5:
            data.update({f"{day}-mode": "hours", f"{day}-opens": "09:00", f"{day}-closes": "18:00"})
        else:
            data[f"{day}-mode"] = "all_day" if weekday == 5 else "closed"
    for key, value in overrides.items():
        key = key.replace("__", "-")
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def by_name(name: str) -> BusinessHours | None:
    db.session.expire_all()
    return db.session.scalar(select(BusinessHours).where(BusinessHours.name_en == name))


def text_of(response) -> str:
    return html.unescape(response.text)


@pytest.fixture
def unused(app):
    hours = make_hours(name="Night shift", timezone="Asia/Tokyo")
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
]


def call(client, method, path, hours_id, payload):
    url = BASE + path.format(id=hours_id)
    data = week_form(name={"create": "Created here", "update": "Renamed here"}[payload]) if payload else {}
    return getattr(client, method)(url, data=data)


def test_every_endpoint_requires_departments_edit(app):
    endpoints = [e for e in app.view_functions if e.startswith("hours.")]
    assert set(endpoints) == {"hours.index", "hours.new", "hours.edit", "hours.delete"}
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
    before = (count(BusinessHours), count(BusinessDay), count(AuditEntry))
    response = call(client, method, path, unused.id, payload)
    assert response.status_code == 403
    assert (count(BusinessHours), count(BusinessDay), count(AuditEntry)) == before
    assert by_name("Night shift") is not None


@pytest.mark.parametrize("method,path,payload", ROUTES)
def test_anonymous_is_sent_to_login(client, unused, method, path, payload):
    before = count(BusinessHours)
    response = call(client, method, path, unused.id, payload)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert count(BusinessHours) == before


def test_anonymous_htmx_request_gets_hx_redirect(client):
    response = client.get(BASE + "/", headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"].startswith("/login")


def test_staff_with_the_right_sees_the_pages(client, unused):
    editor = make_staff(rights=["departments.view", "departments.edit"])
    login(client, editor)
    assert client.get(BASE + "/").status_code == 200
    assert client.get(f"{BASE}/{unused.id}").status_code == 200


@pytest.mark.parametrize("method,path", [("get", "/{id}"), ("post", "/{id}"), ("get", "/{id}/delete"),
                                         ("post", "/{id}/delete")])
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
    assert re.search(r'<input[^>]*id="friday-closes"[^>]*name="friday-closes"[^>]*type="text" value="18:00"', page)


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
    assert (hours.day(0).opens, hours.day(0).closes) == (time(9), time(18))
    assert (hours.day(1).opens, hours.day(1).closes) == (time(8, 30), time(20))
    # Times of a day that is not open for set hours are not kept.
    assert hours.day(5).opens is None and hours.day(6).opens is None and hours.day(6).closes is None
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
    assert hours.day(0).mode is DayMode.closed and hours.day(0).opens is None
    assert hours.day(4).mode is DayMode.all_day and hours.day(4).closes is None
    assert hours.summary == "Tue–Thu 09:00–18:00, Fri–Sat open 24 hours"


def test_create_ignores_garbage_times_of_a_closed_day(as_admin):
    data = week_form(sunday__opens="not a time", sunday__closes="99:99")
    assert as_admin.post(BASE + "/new", data=data).status_code == 302
    assert by_name("Support shift").day(6).opens is None


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
    assert hours.day(1).mode is DayMode.all_day and hours.day(1).opens is None
    assert (hours.day(5).opens, hours.day(5).closes) == (time(10), time(14))
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
    """A transient schedule from seven (mode, opens, closes) tuples, Monday first."""
    hours = BusinessHours(name_en="Test", timezone=timezone)
    hours.days = [BusinessDay(weekday=i, mode=mode, opens=opens, closes=closes)
                  for i, (mode, opens, closes) in enumerate(days)]
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
        **{f"{day}-opens": "09:00" for day in ("monday", "tuesday", "wednesday", "thursday", "friday")},
        **{f"{day}-closes": "18:00" for day in ("monday", "tuesday", "wednesday", "thursday", "friday")},
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
