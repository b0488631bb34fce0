"""Tariff plans and services from both sides: an administrator creates an automatic plan, a client orders it
and it is active at once; a staff member suspends it with a reason, and the client sees it suspended, with the
reason. Screenshots of /tariffs, /services, /services/<id> and /my/services at 1366 and 390 px."""
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, create_staff, log_in, log_in_as_admin, nav, query, shot, unique
from tests.factories import make_customer_account, make_department, make_tariff
from webapp.extensions import db

pytestmark = pytest.mark.browser


def make_client(server, login):
    def create():
        account = make_customer_account(login, name=f"Client {login}", email=f"{login}@client.example")
        db.session.commit()
        return account.id
    return query(server, create)


def fits(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_plan_ordered_by_a_client_suspended_by_staff(new_context, live_server, watch_page):
    plan = unique("Hosting")
    client_login = "orders-client"
    make_client(live_server, client_login)

    def manual_plan():
        desk = make_department(unique("Provisioning"))
        make_tariff(unique("Dedicated"), price="120.00", department=desk)
        db.session.commit()
    query(live_server, manual_plan)

    admin = watch_page(new_context(base_url=live_server.url).new_page())
    log_in_as_admin(admin)
    nav(admin).get_by_role("link", name="Tariff plans").click()
    expect(admin.get_by_role("heading", name="Tariff plans")).to_be_visible()
    admin.get_by_role("link", name="Add tariff plan").first.click()
    admin.get_by_label("Name (English)").fill(plan)
    admin.get_by_label("Name (Русский)").fill(f"Хостинг {plan[-6:]}")
    admin.get_by_label("Price").fill("0")
    admin.get_by_label("Billing period").select_option(label="Month")
    admin.get_by_label("Provisioning").select_option(label="Automatic")
    admin.get_by_role("button", name="Add tariff plan").click()
    expect(admin.get_by_text("The price must be more than zero.").first).to_be_visible()
    admin.get_by_label("Price").fill("9.90")
    admin.get_by_role("button", name="Add tariff plan").click()
    expect(admin.get_by_text(f"Tariff plan “{plan}” created.")).to_be_visible()
    expect(admin.get_by_role("link", name=plan)).to_be_visible()
    for width in (1366, 390):
        admin.set_viewport_size({"width": width, "height": 900})
        shot(admin, f"tariffs-{width}")
        fits(admin, width)
    admin.set_viewport_size({"width": 1280, "height": 800})

    customer = watch_page(new_context(base_url=live_server.url).new_page())
    log_in(customer, client_login, PASSWORD)
    nav(customer, "My account").get_by_role("link", name="My services").click()
    expect(customer.get_by_text("You have no services yet.")).to_be_visible()
    customer.get_by_role("link", name="Order", exact=True).click()
    customer.get_by_label("Tariff plan").select_option(label=f"{plan} — €9.90 per month")
    customer.set_viewport_size({"width": 390, "height": 900})
    shot(customer, "my-services-order-390")
    fits(customer, 390)
    customer.set_viewport_size({"width": 1280, "height": 800})
    customer.get_by_role("button", name="Order").click()
    expect(customer.get_by_text(f"on {plan} is active.")).to_be_visible()
    expect(customer.locator(".service-status")).to_have_text("Active")
    nav(customer, "My account").get_by_role("link", name="My services").click()
    expect(customer.get_by_role("link", name=plan)).to_be_visible()

    staff_login = "service-desk"
    create_staff(live_server, staff_login, rights=["services.view", "services.manage", "clients.view"],
                 name="Sam Service")
    staff = watch_page(new_context(base_url=live_server.url).new_page())
    log_in(staff, staff_login, PASSWORD)
    nav(staff).get_by_role("link", name="Services").click()
    staff.get_by_label("Client").fill(client_login)
    staff.get_by_role("button", name="Search").click()
    row = staff.get_by_role("row").filter(has_text=plan)
    expect(row).to_contain_text("Active")
    for width in (1366, 390):
        staff.set_viewport_size({"width": width, "height": 900})
        shot(staff, f"services-{width}")
        fits(staff, width)
    staff.set_viewport_size({"width": 1280, "height": 800})
    row.get_by_role("link").first.click()
    expect(staff.get_by_role("heading", name="Change the service")).to_be_visible()
    staff.get_by_role("button", name="Suspend").click()  # no reason yet
    expect(staff.get_by_text("Write the reason").first).to_be_visible()
    staff.get_by_label("Reason").fill("Unpaid invoice 2026-00042")
    staff.get_by_role("button", name="Suspend").click()
    expect(staff.get_by_text("is suspended now.")).to_be_visible()
    history = staff.locator(".service-history")
    expect(history).to_contain_text("Unpaid invoice 2026-00042")
    expect(history).to_contain_text("by Sam Service")
    for width in (1366, 390):
        staff.set_viewport_size({"width": width, "height": 900})
        shot(staff, f"service-{width}")
        fits(staff, width)
    staff.get_by_role("link", name="Close service…").click()
    expect(staff.get_by_role("heading", name="Close service #")).to_be_visible()
    shot(staff, "service-close-390")
    fits(staff, 390)
    staff.get_by_role("link", name="Cancel").click()
    expect(staff.locator(".service-status").first).to_have_text("Suspended")

    customer.reload()
    expect(customer.locator(".service-status").first).to_have_text("Suspended")
    customer.get_by_role("link", name=plan).click()
    expect(customer.locator(".service-history")).to_contain_text("Unpaid invoice 2026-00042")
    expect(customer.locator(".service-history")).to_contain_text("by our staff")
    nav(customer, "My account").get_by_role("link", name="My services").click()
    for width in (1366, 390):
        customer.set_viewport_size({"width": width, "height": 900})
        shot(customer, f"my-services-{width}")
        fits(customer, width)
