"""A task for manual work, in the department's task language: a client's order on a manual plan gives the
department a task written in Russian; its English-speaking member finds it in /tasks, opens it, takes it and marks
it done; the service becomes active and its first period is charged."""
import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, create_department, create_staff, log_in, nav, query, shot, unique
from tests.factories import make_customer_account, make_service, make_tariff
from webapp.extensions import db
from webapp.finance.ledger import balance
from webapp.models import Department, Service, ServiceOperation, ServiceStatus, Task, TaskStatus
from webapp.services import operations

pytestmark = pytest.mark.browser


def place_order(server, department_id: int) -> tuple[int, int, int]:
    """An English-speaking client orders a service on the department's manual plan: (service, task, client) ids."""
    def create():
        customer = make_customer_account(unique("buyer").replace(" ", "-"), name="Acme Ltd",
                                         email="it@acme.example")
        customer.locale = "en"
        plan = make_tariff("Rack unit", name_ru="Стойка", price="25.00",
                           department=db.session.get(Department, department_id))
        ordered = make_service(customer, plan, status=ServiceStatus.pending)
        operations.request(ordered, ServiceOperation.order, customer)
        db.session.commit()
        task = db.session.scalar(db.select(Task).where(Task.service_id == ordered.id))
        return ordered.id, task.id, customer.id
    return query(server, create)


def test_a_russian_task_is_found_taken_and_done(live_server, page: Page):
    department = unique("Provisioning")
    department_id = create_department(live_server, department, rights=["tasks.view", "tasks.solve"],
                                      name_ru="Подключение", task_locale="ru")
    create_staff(live_server, "tasker", department_ids=[department_id], name="Tess Tasker")
    service_id, task_id, customer_id = place_order(live_server, department_id)
    title = f"Подключить услугу №{service_id} (Стойка) для Acme Ltd"

    log_in(page, "tasker", PASSWORD)
    nav(page).get_by_role("link", name="Tasks").click()
    expect(page.get_by_role("heading", name="Tasks", level=1)).to_be_visible()
    row = page.locator(f"tr[data-task='{task_id}']")
    expect(row).to_contain_text(title)
    expect(row).to_contain_text("Unassigned")
    expect(row).to_contain_text("left")
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        shot(page, f"tasks-list-{width}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.set_viewport_size({"width": 1366, "height": 900})
    page.get_by_label("Status").select_option(label="Done")
    expect(page.get_by_text("No task matches these filters.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/tasks\?.*status=done"))  # pushed: a reload shows the same
    page.get_by_label("Status").select_option(label="All open (open and taken)")

    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    expect(page.locator(".task-text")).to_contain_text("по тарифному плану Стойка.")
    expect(page.locator("#assignee")).to_have_text("Unassigned")
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        shot(page, f"tasks-detail-{width}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.set_viewport_size({"width": 1366, "height": 900})

    page.get_by_role("button", name="Take").click()
    expect(page.get_by_text(f"Task #{task_id} is yours now.")).to_be_visible()
    expect(page.locator("#assignee")).to_have_text("Tess Tasker")
    expect(page.get_by_role("button", name="Take")).to_have_count(0)
    page.get_by_role("button", name="Done").click()
    expect(page.get_by_text(f"Task #{task_id} is done.")).to_be_visible()
    expect(page.locator(".task-history")).to_contain_text("Taken.")
    expect(page.locator(".task-history")).to_contain_text("Done.")
    shot(page, "tasks-detail-done-1366")

    def outcome():
        ordered = db.session.get(Service, service_id)
        return ordered.status, db.session.get(Task, task_id).status, balance(customer_id)
    assert query(live_server, outcome) == (ServiceStatus.active, TaskStatus.done, Decimal("-25.00"))


def test_a_client_orders_a_manual_plan_and_the_department_sets_it_up(new_context, live_server, watch_page):
    """The issue's flow, all in the browser: an English-speaking client orders on a manual plan; the department's
    member sees the task written in the department's language (Russian), takes it and marks it done; the client
    sees the service active, and its first period charged."""
    department_id = create_department(live_server, unique("Setup desk"), rights=["tasks.view", "tasks.solve"],
                                      name_ru="Отдел подключения", task_locale="ru")
    create_staff(live_server, "setup-member", department_ids=[department_id], name="Mia Member")

    def plan_and_client():
        plan = make_tariff("Colocation", name_ru="Колокация", price="40.00",
                           department=db.session.get(Department, department_id))
        customer = make_customer_account("colo-client", name="Initech", email="ops@initech.example")
        customer.locale = "en"
        db.session.commit()
        return plan.id
    plan_id = query(live_server, plan_and_client)

    customer = watch_page(new_context(base_url=live_server.url).new_page())
    log_in(customer, "colo-client", PASSWORD)
    nav(customer, "My account").get_by_role("link", name="My services").click()
    customer.get_by_role("link", name="Order", exact=True).click()
    plan = customer.get_by_label("Tariff plan")
    expect(plan.locator(f"option[value='{plan_id}']")).to_contain_text("Colocation — €40.00 per month")
    plan.select_option(value=str(plan_id))
    customer.get_by_role("button", name="Order").click()
    expect(customer.locator(".service-status")).to_have_text("Pending")
    service_id = int(re.search(r"/my/services/(\d+)", customer.url).group(1))

    member = watch_page(new_context(base_url=live_server.url).new_page())
    log_in(member, "setup-member", PASSWORD)
    nav(member).get_by_role("link", name="Tasks").click()
    title = f"Подключить услугу №{service_id} (Колокация) для Initech"
    member.get_by_role("link", name=title).click()
    expect(member.locator(".task-text")).to_contain_text("по тарифному плану Колокация.")
    member.get_by_role("button", name="Take").click()
    member.get_by_role("button", name="Done").click()
    expect(member.get_by_text(re.compile(r"Task #\d+ is done\."))).to_be_visible()

    customer.reload()
    expect(customer.locator(".service-status")).to_have_text("Active")
    nav(customer, "My account").get_by_role("link", name="My account").click()
    expect(customer.get_by_text("-€40.00")).to_be_visible()  # the first month charged
