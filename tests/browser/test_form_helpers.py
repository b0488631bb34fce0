"""Form helpers: the generated password on one line with a Copy button, and the business hours form's
searchable time-zone list with offsets and its 24-hour time boxes."""
import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.browser.conftest import log_in_as_admin, query, shot, unique
from webapp.extensions import db
from webapp.models import BusinessHours

pytestmark = pytest.mark.browser


def test_copy_puts_the_generated_password_in_the_clipboard(page: Page, live_server):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    log_in_as_admin(page)
    page.goto("/provider/staff/new")
    page.get_by_role("button", name="Generate").click()
    password = page.get_by_label("Password", exact=True).input_value()
    shown = page.locator("#password-generated code")
    expect(shown).to_have_text(password)
    assert shown.evaluate("code => getComputedStyle(code).whiteSpace") == "nowrap"
    assert shown.evaluate("code => code.getClientRects().length") == 1, "the password wraps"

    copy = page.locator("#password-generated").get_by_role("button", name="Copy")
    copy.click()
    expect(page.locator("#password-generated").get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == password
    expect(page.locator("#password-generated").get_by_role("button", name="Copy")).to_be_visible(timeout=4_000)
    shot(page, "staff-form-password-copied")


def test_time_zone_search_and_24_hour_times(page: Page, live_server):
    name = unique("Berlin desk")
    log_in_as_admin(page)
    page.goto("/provider/business-hours/new")
    zones = page.get_by_label("Time zone", exact=True)
    expect(zones.locator("option", has_text="Europe/Berlin (UTC+")).to_have_count(1)
    expect(zones.locator('option[value="US/Eastern"]')).to_have_count(0)  # an alias, not a canonical zone

    search = page.get_by_label("Search time zones")
    search.fill("berlin")
    shown = "select => [...select.options].filter(option => !option.hidden).map(option => option.value)"
    assert zones.evaluate(shown) == ["Europe/Berlin"]
    search.fill("new york")  # spaces match the underscores
    assert zones.evaluate(shown) == ["America/New_York"]
    search.fill("nowhere at all")
    expect(page.get_by_text("No time zone matches.")).to_be_visible()
    search.fill("berl")
    expect(page.get_by_text("No time zone matches.")).to_be_hidden()
    search.press("Enter")  # picks the first match and moves to the list, without submitting the form
    expect(zones).to_be_focused()
    expect(zones).to_have_value("Europe/Berlin")
    expect(page).to_have_url(re.compile(r"/provider/business-hours/new$"))

    # Times read 24-hour whatever the browser's locale (en-US here).
    expect(page.get_by_label("Friday: closes")).to_have_value("18:00")
    page.get_by_label("Name (English)").fill(name)
    page.get_by_label("Saturday", exact=True).select_option(label="Open 24 hours")
    expect(page.get_by_label("Saturday: opens")).to_be_disabled()
    page.get_by_label("Sunday", exact=True).select_option(label="Open from–to")
    page.get_by_label("Sunday: opens").fill("10:00")
    page.get_by_label("Sunday: closes").fill("16:30")
    shot(page, "hours-form-timezone-search")
    page.get_by_role("button", name="Add business hours").click()
    expect(page.get_by_text(f"Business hours “{name}” created.")).to_be_visible()
    saved = query(live_server, lambda: db.session.scalar(select(BusinessHours).where(BusinessHours.name_en == name)))
    assert saved.timezone == "Europe/Berlin"
    assert saved.summary.endswith("Sun 10:00–16:30")
