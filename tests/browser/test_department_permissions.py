"""Departments: creating one, and its permission page (toggles, section buttons, filter, keyboard, refusals)."""
import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.browser.conftest import (
    ADMIN_PASSWORD,
    PASSWORD,
    create_department,
    create_staff,
    htmx_settled,
    log_in,
    log_in_as_admin,
    nav,
    query,
    shot,
    unique,
)
from webapp.extensions import db
from webapp.models import Department, DepartmentRight
from webapp.rights.catalog import ALL_IDS

pytestmark = pytest.mark.browser


def department_rights(live_server, department_id: int) -> set[str]:
    return query(live_server, lambda: set(db.session.scalars(
        select(DepartmentRight.function_id).where(DepartmentRight.department_id == department_id))))


def switch(page: Page, label: str):
    return page.get_by_role("switch", name=label, exact=True)


def row_of(page: Page, label: str):
    return page.get_by_role("row").filter(has=switch(page, label))


def test_create_department_lands_on_its_empty_permissions(page: Page, live_server):
    name = unique("Billing team")
    log_in_as_admin(page)
    nav(page).get_by_role("link", name="Departments", exact=True).click()
    expect(page.get_by_role("heading", name="Departments", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Technical support")).to_be_visible()
    shot(page, "departments-list")

    page.get_by_role("link", name="Add department").first.click()
    page.get_by_label("Name (English)").fill(name)
    page.get_by_label("Name (Русский)").fill("Биллинг")
    page.get_by_label("Business hours", exact=True).select_option(label="Weekdays 09:00–18:00")
    page.get_by_label("Show in Support center").check()
    page.get_by_label("Task localization").select_option(label="Русский")
    page.get_by_role("button", name="Add department").click()

    expect(page.get_by_role("heading", name=f"Permissions of “{name}”")).to_be_visible()
    expect(page.get_by_text(f"Department “{name}” created.")).to_be_visible()
    switches = page.get_by_role("switch")
    expect(switches).to_have_count(len(ALL_IDS))
    expect(page.locator('[role="switch"][aria-checked="true"]')).to_have_count(0)
    expect(page.get_by_text("Granted", exact=True)).to_have_count(0)

    saved = query(live_server, lambda: db.session.scalar(select(Department).where(Department.name_en == name)))
    assert (saved.name_ru, saved.show_in_support, saved.task_locale) == ("Биллинг", True, "ru")
    assert department_rights(live_server, saved.id) == set()
    assert re.search(rf"/provider/departments/{saved.id}/permissions$", page.url)


def test_toggle_swaps_the_row_without_a_page_load(page: Page, live_server):
    department_id = create_department(live_server, unique("Toggles"))
    log_in_as_admin(page)
    page.goto(f"/provider/departments/{department_id}/permissions")
    page.evaluate("window.__marker = 42")

    view_clients = switch(page, "View clients")
    expect(view_clients).to_have_attribute("aria-checked", "false")
    view_clients.click()
    expect(view_clients).to_have_attribute("aria-checked", "true")
    expect(row_of(page, "View clients").get_by_text("Granted", exact=True)).to_be_visible()
    expect(switch(page, "Edit clients")).to_have_attribute("aria-checked", "false")
    assert page.evaluate("window.__marker") == 42, "the toggle reloaded the page"
    assert department_rights(live_server, department_id) == {"clients.view"}
    htmx_settled(page)
    switch(page, "Edit permissions").click()
    expect(switch(page, "Edit permissions")).to_have_attribute("aria-checked", "true")
    shot(page, "permissions")

    htmx_settled(page)
    page.reload()
    expect(switch(page, "View clients")).to_have_attribute("aria-checked", "true")
    expect(switch(page, "Edit permissions")).to_have_attribute("aria-checked", "true")
    assert page.evaluate("window.__marker") is None

    switch(page, "View clients").click()
    expect(switch(page, "View clients")).to_have_attribute("aria-checked", "false")
    expect(row_of(page, "View clients").get_by_text("Not granted", exact=True)).to_be_visible()
    assert department_rights(live_server, department_id) == {"rights.edit"}


def test_section_grant_all_and_revoke_all(page: Page, live_server):
    department_id = create_department(live_server, unique("Finance desk"), rights=["clients.view"])
    log_in_as_admin(page)
    page.goto(f"/provider/departments/{department_id}/permissions")
    page.evaluate("window.__marker = 42")
    finance = page.locator("#section-finance")
    expect(finance.get_by_text("0 / 7")).to_be_visible()

    finance.get_by_role("button", name="Grant all").click()
    expect(finance.get_by_text("7 / 7")).to_be_visible()
    expect(finance.locator('[role="switch"][aria-checked="true"]')).to_have_count(7)
    expect(switch(page, "View clients")).to_have_attribute("aria-checked", "true")
    expect(switch(page, "Edit clients")).to_have_attribute("aria-checked", "false")
    finance_ids = {"payments.view", "payments.edit", "expenses.view", "expenses.edit", "invoices.view",
                   "invoices.send", "reports.finance"}
    assert department_rights(live_server, department_id) == finance_ids | {"clients.view"}

    # The swapped section's buttons work too, once htmx has processed the new content.
    htmx_settled(page)
    finance.get_by_role("button", name="Revoke all").click()
    expect(finance.get_by_text("0 / 7")).to_be_visible()
    expect(finance.locator('[role="switch"][aria-checked="true"]')).to_have_count(0)
    assert department_rights(live_server, department_id) == {"clients.view"}
    assert page.evaluate("window.__marker") == 42


def test_filter_narrows_the_rows_as_you_type(page: Page, live_server):
    department_id = create_department(live_server, unique("Filtered"))
    log_in_as_admin(page)
    page.goto(f"/provider/departments/{department_id}/permissions")
    visible_switches = page.locator('[role="switch"]:visible')
    expect(visible_switches).to_have_count(len(ALL_IDS))

    box = page.get_by_placeholder("Filter functions…")
    expect(box).to_have_accessible_name("Filter functions")
    box.press_sequentially("invoice")
    expect(visible_switches).to_have_count(2)
    expect(switch(page, "View invoices")).to_be_visible()
    expect(switch(page, "Send invoices")).to_be_visible()
    expect(switch(page, "View clients")).to_be_hidden()
    expect(page.locator("#section-clients")).to_be_hidden()
    expect(page.get_by_text("2 shown", exact=True)).to_be_visible()

    box.fill("")
    box.press_sequentially("staff")  # matches labels and descriptions: View staff, Edit staff, Edit permissions
    expect(visible_switches).to_have_count(3)
    box.fill("no such function")
    expect(visible_switches).to_have_count(0)
    expect(page.get_by_text("0 shown", exact=True)).to_be_visible()
    box.fill("")
    expect(visible_switches).to_have_count(len(ALL_IDS))
    expect(page.locator("#section-clients")).to_be_visible()


def test_switch_works_from_the_keyboard(page: Page, live_server):
    department_id = create_department(live_server, unique("Keyboard"))
    log_in_as_admin(page)
    page.goto(f"/provider/departments/{department_id}/permissions")
    view_payments = switch(page, "View payments")
    view_payments.focus()
    page.keyboard.press("Space")
    expect(view_payments).to_have_attribute("aria-checked", "true")
    expect(view_payments).to_be_focused()  # the swapped-in switch has the focus again

    htmx_settled(page)
    page.keyboard.press("Enter")
    expect(view_payments).to_have_attribute("aria-checked", "false")
    expect(view_payments).to_be_focused()
    htmx_settled(page)
    page.keyboard.press("Space")
    expect(view_payments).to_have_attribute("aria-checked", "true")
    assert department_rights(live_server, department_id) == {"payments.view"}
    htmx_settled(page)
    page.keyboard.press("Tab")  # focus moves on to the next switch
    expect(switch(page, "Edit payments")).to_be_focused()


def test_refused_toggle_shows_a_toast(page: Page, live_server, watch_page):
    """The department is deleted in another tab: the toggle gets a 404 and says so."""
    name = unique("Doomed")
    department_id = create_department(live_server, name)
    log_in_as_admin(page)
    page.goto(f"/provider/departments/{department_id}/permissions")

    other = watch_page(page.context.new_page())
    other.goto(f"/provider/departments/{department_id}/delete")
    other.get_by_role("button", name="Delete department").click()
    expect(other.get_by_text(f"Department “{name}” deleted.")).to_be_visible()
    other.close()

    switch(page, "View clients").click()
    toast = page.get_by_role("alert").filter(has_text="Not found")
    expect(toast).to_be_visible()
    expect(toast).to_contain_text("it may have been deleted in the meantime")
    expect(switch(page, "View clients")).to_have_attribute("aria-checked", "false")
    expect(page.get_by_role("heading", name=f"Permissions of “{name}”")).to_be_visible()


def test_logged_out_elsewhere_toggle_goes_to_login_and_back(page: Page, live_server, watch_page):
    """Logged out in another tab: the toggle changes nothing and leads to the login page, which comes back here."""
    department_id = create_department(live_server, unique("Stale"))
    log_in_as_admin(page)
    permissions = f"/provider/departments/{department_id}/permissions"
    page.goto(permissions)

    other = watch_page(page.context.new_page())
    other.goto("/")
    other.get_by_role("button", name="Log out").click()
    expect(other.get_by_role("button", name="Log in")).to_be_visible()
    other.close()

    switch(page, "View clients").click()
    expect(page).to_have_url(re.compile(r"/login\?next=" + re.escape(permissions) + "$"))
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    assert department_rights(live_server, department_id) == set()

    page.get_by_label("Login").fill("admin")
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(re.escape(permissions) + "$"))
    expect(switch(page, "View clients")).to_have_attribute("aria-checked", "false")


def test_stale_form_token_toggle_shows_a_toast(page: Page, live_server):
    """Still logged in but the page's CSRF token is stale: the toggle says so instead of doing nothing."""
    department_id = create_department(live_server, unique("Stale token"))
    log_in_as_admin(page)
    page.goto(f"/provider/departments/{department_id}/permissions")
    page.evaluate("""() => document.body.setAttribute("hx-headers", '{"X-CSRFToken": "stale"}')""")

    switch(page, "View clients").click()
    expect(page.get_by_role("alert").filter(has_text="Reload the page")).to_be_visible()
    expect(switch(page, "View clients")).to_have_attribute("aria-checked", "false")
    assert department_rights(live_server, department_id) == set()


def test_section_count_follows_a_single_toggle(page: Page, live_server):
    department_id = create_department(live_server, unique("Counted"))
    log_in_as_admin(page)
    page.goto(f"/provider/departments/{department_id}/permissions")
    switch(page, "View clients").click()
    expect(switch(page, "View clients")).to_have_attribute("aria-checked", "true")
    expect(page.locator("#section-clients").get_by_text("1 / 2")).to_be_visible(timeout=2_000)


def test_forged_toggle_without_the_right_shows_access_denied(page: Page, live_server):
    """A viewer's switches are disabled; one re-enabled in the DOM is still refused by the server, visibly."""
    department_id = create_department(live_server, unique("Watched"))
    login = unique("viewer").replace(" ", "")
    create_staff(live_server, login, rights=["departments.view"])
    log_in(page, login, PASSWORD)
    page.goto(f"/provider/departments/{department_id}/permissions")
    view_clients = switch(page, "View clients")
    expect(view_clients).to_be_disabled()
    expect(page.locator('[role="switch"]:enabled')).to_have_count(0)

    view_clients.evaluate("""(button) => {
        button.removeAttribute("disabled");
        button.removeAttribute("aria-disabled");
        button.setAttribute("hx-post", location.pathname + "/clients.view");
        button.setAttribute("hx-vals", '{"state": "on"}');
        button.setAttribute("hx-target", "closest tr");
        button.setAttribute("hx-swap", "outerHTML");
        htmx.process(button);
    }""")
    view_clients.click()
    toast = page.get_by_role("alert").filter(has_text="Access denied")
    expect(toast).to_be_visible()
    expect(toast).to_contain_text("Edit permissions")  # names the missing right
    expect(view_clients).to_have_attribute("aria-checked", "false")
    assert department_rights(live_server, department_id) == set()


FINANCE_VIEW = {"payments.view", "expenses.view", "invoices.view"}


def test_section_buttons_act_on_the_shown_rows_only(page: Page, live_server):
    department_id = create_department(live_server, unique("Shown rows"), rights=["invoices.send"])
    log_in_as_admin(page)
    page.goto(f"/provider/departments/{department_id}/permissions")
    finance = page.locator("#section-finance")
    grant, revoke = finance.locator("#grant-finance"), finance.locator("#revoke-finance")
    expect(grant).to_have_text("Grant all")

    box = page.get_by_placeholder("Filter functions…")
    box.fill("view")  # View payments, View expenses, View invoices (and View … in other sections)
    expect(finance.locator("tr[data-function]:visible")).to_have_count(3)
    expect(grant).to_have_text("Grant 3 shown")
    expect(revoke).to_have_text("Revoke 3 shown")
    expect(page.locator("#shown-finance")).to_have_value("payments.view,expenses.view,invoices.view")
    expect(page.locator("#section-clients #grant-clients")).to_have_text("Grant 1 shown")

    grant.click()
    expect(finance.get_by_text("4 / 7")).to_be_visible()
    assert department_rights(live_server, department_id) == FINANCE_VIEW | {"invoices.send"}
    # The swapped section is narrowed again, and its buttons still name the shown rows.
    expect(finance.locator("tr[data-function]:visible")).to_have_count(3)
    expect(grant).to_have_text("Grant 3 shown")
    expect(page.locator("#shown-finance")).to_have_value("payments.view,expenses.view,invoices.view")
    expect(switch(page, "Send invoices")).to_be_hidden()

    htmx_settled(page)
    box.fill("invoice")
    expect(revoke).to_have_text("Revoke 2 shown")
    revoke.click()
    expect(finance.get_by_text("2 / 7")).to_be_visible()
    assert department_rights(live_server, department_id) == {"payments.view", "expenses.view"}

    htmx_settled(page)
    box.fill("no such function")
    expect(grant).to_be_disabled()
    expect(revoke).to_be_disabled()
    expect(page.locator("#shown-finance")).to_have_value("")
    box.fill("")
    expect(grant).to_have_text("Grant all")
    expect(grant).to_be_enabled()
    expect(page.locator("#shown-finance")).to_have_value(
        "payments.view,payments.edit,expenses.view,expenses.edit,invoices.view,invoices.send,reports.finance")


def test_no_function_matches(page: Page, live_server):
    department_id = create_department(live_server, unique("Nothing"))
    log_in_as_admin(page)
    page.goto(f"/provider/departments/{department_id}/permissions")
    empty = page.get_by_text("No function matches.")
    expect(empty).to_be_hidden()
    page.get_by_placeholder("Filter functions…").fill("zzz nothing like this")
    expect(empty).to_be_visible()
    expect(page.locator("tbody.section-rows:visible")).to_have_count(0)
    page.get_by_placeholder("Filter functions…").fill("clients")
    expect(empty).to_be_hidden()


def test_focus_stays_on_the_section_button(page: Page, live_server):
    department_id = create_department(live_server, unique("Focus"))
    log_in_as_admin(page)
    page.goto(f"/provider/departments/{department_id}/permissions")
    grant = page.locator("#grant-finance")
    grant.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#section-finance").get_by_text("7 / 7")).to_be_visible()
    htmx_settled(page)
    expect(grant).to_be_focused()

    page.keyboard.press("Tab")  # on to "Revoke all", still from the keyboard
    revoke = page.locator("#revoke-finance")
    expect(revoke).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#section-finance").get_by_text("0 / 7")).to_be_visible()
    htmx_settled(page)
    expect(revoke).to_be_focused()
    assert department_rights(live_server, department_id) == set()

    # With a filter too: the swapped section is narrowed again and the focus stays.
    page.get_by_placeholder("Filter functions…").fill("expenses")
    grant.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#section-finance").get_by_text("2 / 7")).to_be_visible()
    htmx_settled(page)
    expect(grant).to_be_focused()
    expect(grant).to_have_text("Grant 2 shown")
    assert department_rights(live_server, department_id) == {"expenses.view", "expenses.edit"}
