"""Support statistics in a browser: the page opens from the navigation, its SVG chart loads as an image under
the strict CSP, the table fits the screen at 1366 and 390 px, and the CSV downloads."""
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in, nav, query, shot
from tests.factories import PASSWORD, make_customer_account, make_department, make_hours, make_staff
from webapp.extensions import db
from webapp.models import TicketStatus
from webapp.support import service

pytestmark = pytest.mark.browser


def seed_tickets():
    """Two departments (one named in Russian, with markup in its name) with tickets over the last months."""
    hours = make_hours("Round the clock", timezone="UTC", open_days=range(7))
    helpdesk = make_department("Helpdesk", hours=hours, show_in_support=True)
    billing = make_department("Расчёты <b>&</b> счета", hours=hours, show_in_support=True)
    make_staff("stats-agent", departments=[helpdesk, billing], rights=["support.tickets"])
    customer = make_customer_account("stats-client")
    now = datetime.now(UTC)
    for index in range(18):
        department = helpdesk if index % 3 else billing
        created = now - timedelta(days=9 * index + 1)
        ticket = service.open_ticket(customer, department.id, f"Question {index}", "m", [], now=created)
        if index % 4:
            ticket.first_response_at = created + timedelta(minutes=20 * index)
            ticket.first_response_minutes = 20 * index
            ticket.first_response_in_target = 20 * index <= 240
            ticket.status = TicketStatus.closed if index % 2 else TicketStatus.waiting_client
            ticket.due_at = None
    db.session.commit()


def chart_loaded(page: Page) -> None:
    page.wait_for_function("() => { const img = document.querySelector('img.stats-chart');"
                           " return img && img.complete && img.naturalWidth > 0; }")


def test_statistics_page_chart_table_and_csv(page: Page, live_server):
    query(live_server, seed_tickets)
    log_in(page, "stats-agent", PASSWORD)
    nav(page).get_by_role("link", name="Statistics").click()
    expect(page.get_by_role("heading", name="Support statistics")).to_be_visible()
    expect(nav(page).get_by_role("link", name="Statistics")).to_have_attribute("aria-current", "page")
    chart_loaded(page)
    chart = page.get_by_role("img", name="Chart: tickets received per month and department")
    expect(chart).to_be_visible()
    assert page.evaluate("document.querySelector('img.stats-chart').naturalWidth") == 760
    expect(page.get_by_role("rowgroup").filter(has_text="Helpdesk")).to_have_count(1)
    # Shown as typed, not as markup.
    expect(page.locator(".stats-department-name", has_text="Расчёты <b>&</b> счета")).to_be_visible()
    assert page.locator("svg, [style]").count() == 0

    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 844})
        chart_loaded(page)
        shot(page, f"support-stats-{width}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        box = page.locator("img.stats-chart").bounding_box()
        assert box["width"] <= width

    page.set_viewport_size({"width": 1366, "height": 844})
    page.get_by_label("Department").select_option(label="Helpdesk")
    page.get_by_role("button", name="Show").click()
    chart_loaded(page)
    expect(page.locator(".stats-department-name")).to_have_text(["Helpdesk"])
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith("support-statistics-")
    content = open(download.path(), "rb").read()
    assert content.startswith(b"\xef\xbb\xbf") and b"Helpdesk" in content and "Расчёты".encode() not in content
