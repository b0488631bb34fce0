"""A client account from both sides: staff create a group and a client; the client logs in, lands on
/my, and changes language and time zone on /my/profile; at 1366 and 390 px."""
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, log_in, log_in_as_admin, log_out, query, shot
from webapp.extensions import db
from webapp.models import Account

pytestmark = pytest.mark.browser


def test_staff_create_a_client_who_logs_in_to_their_area(page: Page, live_server):
    log_in_as_admin(page)
    page.get_by_role("navigation", name="Main", exact=True).get_by_role("link", name="Clients").click()
    expect(page.get_by_role("heading", name="Clients")).to_be_visible()
    expect(page.get_by_text("There are no clients yet.")).to_be_visible()

    page.get_by_role("link", name="Client groups").click()
    page.get_by_label("Name (English)").fill("Partners")
    page.get_by_label("Name (Русский)").fill("Партнёры")
    page.get_by_role("button", name="Add client group").click()
    expect(page.get_by_text("Client group “Partners” created.")).to_be_visible()

    page.goto("/clients/new")
    page.get_by_label("Name", exact=True).fill("Northwind Traders")
    page.get_by_label("Email").fill("it@northwind.example")
    page.get_by_label("Login").fill("northwind")
    page.get_by_role("button", name="Generate").click()
    expect(page.locator("#password-generated code")).not_to_be_empty()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Client group").select_option(label="Partners")
    page.get_by_role("button", name="Add client").click()
    expect(page.get_by_text("Client Northwind Traders created.")).to_be_visible()
    page.goto("/clients")
    expect(page.get_by_role("link", name="northwind", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="Partners")).to_be_visible()
    log_out(page)

    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 844})
        log_in(page, "northwind", PASSWORD)
        expect(page).to_have_url(f"{live_server.url}/my")
        expect(page.get_by_role("heading", name="Welcome, Northwind Traders")).to_be_visible()
        expect(page.get_by_role("navigation", name="Main", exact=True)).to_have_count(0)
        shot(page, f"client-my-{width}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.goto("/provider/staff")  # a staff page: refused
        expect(page.get_by_text("This page is for staff only.")).to_be_visible()
        log_out(page)

    page.set_viewport_size({"width": 1366, "height": 844})
    log_in(page, "northwind", PASSWORD)
    page.get_by_role("link", name="Northwind Traders").click()  # the name in the header: the profile
    expect(page.get_by_role("heading", name="My profile")).to_be_visible()
    page.get_by_role("combobox", name="Language").select_option("ru")
    page.locator("#timezone").select_option("Asia/Tokyo")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Профиль сохранён.")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    shot(page, "client-profile-ru")
    client = query(live_server, lambda: db.session.scalar(db.select(Account).where(Account.login == "northwind")))
    assert client.locale == "ru" and client.timezone == "Asia/Tokyo"
