"""Business hours: a second interval on Monday added in place (what was typed stays), a holiday added by
hand, a country's public holidays loaded and one removed; screenshots of both pages at 1366 and 390 px."""
from datetime import date, time

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.browser.conftest import htmx_settled, log_in_as_admin, query, shot
from webapp.cli import SEED_HOURS_NAME
from webapp.extensions import db
from webapp.models import BusinessHours

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": (1366, 800), "phone": (390, 844)}


def seeded(live_server) -> BusinessHours:
    def load():
        hours = db.session.scalar(select(BusinessHours).where(BusinessHours.name_en == SEED_HOURS_NAME[0]))
        return hours, [(i.opens, i.closes) for i in hours.day(0).intervals], hours.holiday_dates
    return load


def test_a_second_interval_on_monday_and_a_holiday(page: Page, live_server):
    log_in_as_admin(page)
    page.goto("/provider/business-hours/")
    page.get_by_role("link", name=SEED_HOURS_NAME[0]).click()

    # Monday closes for lunch: what is typed stays when a row is added, the new row takes the focus.
    page.get_by_label("Monday: closes").fill("13:00")
    page.get_by_role("button", name="Add interval on Monday").click()
    second_opens = page.get_by_label("Monday, interval 2: opens")
    expect(second_opens).to_be_focused()
    htmx_settled(page)
    expect(page.get_by_label("Monday: closes")).to_have_value("13:00")
    expect(page.get_by_label("Monday: opens")).to_have_value("09:00")
    page.keyboard.type("14:00")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Monday, interval 2: closes")).to_be_focused()
    page.keyboard.type("18:00")

    # A third row, added and removed again: the other two keep their times.
    page.get_by_role("button", name="Add interval on Monday").click()
    page.get_by_label("Monday, interval 3: opens").fill("19:00")
    page.get_by_role("button", name="Remove interval 3 of Monday").click()
    expect(page.get_by_label("Monday, interval 3: opens")).to_have_count(0)
    expect(page.get_by_role("button", name="Add interval on Monday")).to_be_focused()
    expect(page.get_by_label("Monday, interval 2: closes")).to_have_value("18:00")

    # Overlapping intervals are refused, naming the day.
    page.get_by_label("Monday, interval 2: opens").fill("12:00")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Monday: the intervals 09:00–13:00 and 12:00–18:00 overlap")
    page.get_by_label("Monday, interval 2: opens").fill("14:00")
    for size, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        shot(page, f"hours-form-intervals-{size}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, size
    page.set_viewport_size({"width": 1366, "height": 800})
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text(f"Business hours “{SEED_HOURS_NAME[0]}” saved.")).to_be_visible()
    expect(page.get_by_text("Mon 09:00–13:00, 14:00–18:00, Tue–Fri 09:00–18:00")).to_be_visible()
    _hours, monday, _holidays = query(live_server, seeded(live_server))
    assert monday == [(time(9), time(13)), (time(14), time(18))]

    # Holidays: one by hand, then Germany's public holidays for 2027 (the date added by hand is skipped).
    page.get_by_role("row").filter(has_text=SEED_HOURS_NAME[0]).get_by_role("link", name="Holidays").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Holidays")
    expect(page.get_by_text("No holidays yet.")).to_be_visible()
    page.get_by_label("Date", exact=True).fill("2027-01-01")
    page.get_by_label("Name", exact=True).fill("Company New Year")
    page.get_by_role("button", name="Add holiday").click()
    expect(page.get_by_text("Holiday “Company New Year” on January 1, 2027 added.")).to_be_visible()
    page.get_by_label("Date", exact=True).fill("2027-01-01")
    page.get_by_label("Name", exact=True).fill("Twice")
    page.get_by_role("button", name="Add holiday").click()
    expect(page.get_by_role("alert")).to_contain_text("January 1, 2027 is a holiday already: “Company New Year”.")

    page.get_by_label("Country").select_option("DE")
    page.get_by_label("Year", exact=True).fill("2027")
    page.get_by_role("button", name="Load public holidays").click()
    expect(page.get_by_text("8 public holidays of Germany in 2027 added. 1 date was a holiday already and "
                            "was skipped.")).to_be_visible()
    rows = page.locator(".holidays-table tbody tr")
    expect(rows).to_have_count(9)
    expect(rows.first).to_contain_text("Company New Year")
    expect(page.get_by_role("row").filter(has_text="Christmas Day")).to_contain_text("Sat, 25 Dec 2027")
    for size, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        shot(page, f"hours-holidays-{size}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, size
    page.set_viewport_size({"width": 1366, "height": 800})

    # Removing one asks first.
    page.get_by_role("link", name="Remove the holiday Labor Day on May 1, 2027").click()
    expect(page.get_by_role("heading", name="Remove the holiday “Labor Day”?")).to_be_visible()
    page.get_by_role("button", name="Remove").click()
    expect(page.get_by_text("Holiday “Labor Day” on May 1, 2027 removed.")).to_be_visible()
    expect(rows).to_have_count(8)
    _hours, _monday, holidays = query(live_server, seeded(live_server))
    assert date(2027, 1, 1) in holidays and date(2027, 5, 1) not in holidays and len(holidays) == 8
