"""Logging in and out, and the dashboard of the built-in admin."""
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ADMIN_PASSWORD, log_in_as_admin, log_out, nav, shot

pytestmark = pytest.mark.browser


def test_login_page_then_dashboard(page: Page):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))
    expect(page.get_by_role("heading", name="Log in to the provider console")).to_be_visible()
    shot(page, "login")

    page.get_by_label("Login").fill("admin")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#password-errors").get_by_text("Wrong login or password")).to_be_visible()
    expect(page.get_by_role("alert").get_by_role("link", name="Password")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)

    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Welcome, Administrator")).to_be_visible()
    for entry in ("Dashboard", "Departments", "Staff", "Business hours"):
        expect(nav(page).get_by_role("link", name=entry, exact=True)).to_be_visible()
    shot(page, "dashboard")


def test_log_out_ends_the_session(page: Page):
    log_in_as_admin(page)
    log_out(page)
    expect(page.get_by_text("You have logged out.")).to_be_visible()
    page.goto("/provider/departments/")
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
