"""The dashboard: each section's card links to its pages and shows what needs attention, for the viewer's rights
and departments only, in a constant number of queries."""
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tests.conftest import login
from tests.factories import (
    make_customer_account,
    make_department,
    make_hours,
    make_service,
    make_staff,
    make_tariff,
)
from webapp.extensions import db
from webapp.models import Invoice, InvoiceStatus, ServiceOperation, ServiceStatus, Task, TaskStatus
from webapp.support import service as support

RIGHTS = ("support.tickets", "tasks.view", "invoices.view", "clients.view")


def signed_in(app, account):
    client = app.test_client()
    assert login(client, account).status_code == 302
    return client


def figures(html: str) -> dict[str, int]:
    """{label: count} of the dashboard's figures."""
    found = re.findall(r'<span class="figure-count">(\d+)</span>\s*<span class="figure-label">([^<·]+)', html)
    return {label.strip(): int(count) for count, label in found}


@pytest.fixture
def office(app):
    hours = make_hours("Always", timezone="UTC", open_days=range(7))
    mine = make_department("Mine", rights=RIGHTS, hours=hours, show_in_support=True)
    theirs = make_department("Theirs", rights=RIGHTS, hours=hours, show_in_support=True)
    me = make_staff("me", departments=[mine])
    customer = make_customer_account("buyer", email="buyer@example.com")
    db.session.commit()
    return {"mine": mine, "theirs": theirs, "me": me, "customer": customer}


def add_work(office, n: int) -> None:
    """n tickets and n tasks in each department (one of each overdue), n unpaid invoices and one paid."""
    now = datetime.now(UTC)
    for department in (office["mine"], office["theirs"]):
        plan = make_tariff(department=department)
        for k in range(n):
            ticket = support.open_ticket(office["customer"], department.id, f"Help {k}", "x", [],
                                         now=now - timedelta(days=3 if k == 0 else 0))
            ticket.due_at = now - timedelta(hours=1) if k == 0 else now + timedelta(hours=2)
            service = make_service(office["customer"], plan, status=ServiceStatus.pending)
            db.session.add(Task(department_id=department.id, service_id=service.id, client_id=office["customer"].id,
                                operation=ServiceOperation.order, locale="en", title="Set up", text="x",
                                status=TaskStatus.open, due_at=now + (timedelta(hours=-1) if k == 0 else
                                                                      timedelta(hours=3)),
                                assignee_id=office["me"].id if k == 1 and department is office["mine"] else None))
    year = 2000 + n  # numbers per year: each call its own year
    for k in range(n):
        db.session.add(Invoice(client_id=office["customer"].id, status=InvoiceStatus.sent, year=year, number=k + 1,
                               currency="EUR", total=Decimal("10.05")))
    db.session.add(Invoice(client_id=office["customer"].id, status=InvoiceStatus.paid, year=year, number=n + 1,
                           currency="EUR", total=Decimal("99.00")))
    db.session.commit()


def test_figures_count_the_viewers_departments_and_link_to_the_filtered_lists(app, office):
    add_work(office, 3)
    page = signed_in(app, office["me"]).get("/").text
    assert figures(page) == {"New tickets": 3, "Waiting for staff": 0, "Overdue tickets": 1, "Open tasks": 3,
                             "Overdue tasks": 1, "Assigned to me": 1, "Unpaid invoices": 3}
    assert "€30.15" in page  # the unpaid total beside the count
    assert 'href="/support/tickets?status=new"' in page and 'href="/support/tickets?overdue=1"' in page
    assert 'href="/tasks?assignee=me"' in page and 'href="/invoices?status=sent"' in page
    assert 'class="figure figure-urgent"' in page and 'class="figure figure-zero"' in page  # overdue; nothing waiting
    assert 'href="/clients"' in page  # the Clients card links to its page


def test_the_unpaid_total_never_adds_up_different_currencies(app, office):
    """Invoices keep the currency they were issued in: after a change of the company's currency, the dashboard
    shows an invoice's own currency, and no sum of euros and dollars."""
    db.session.add(Invoice(client_id=office["customer"].id, status=InvoiceStatus.sent, year=2030, number=1,
                           currency="USD", total=Decimal("5.00")))
    db.session.commit()
    page = signed_in(app, office["me"]).get("/").text
    assert figures(page)["Unpaid invoices"] == 1 and "$5.00" in page and "€5.00" not in page
    add_work(office, 3)
    page = signed_in(app, office["me"]).get("/").text
    assert figures(page)["Unpaid invoices"] == 4
    assert "€35.15" not in page and "$35.15" not in page and "€30.15 + $5.00" in page


def test_an_unpaid_total_beyond_one_amounts_limit_is_shown(app, office):
    """Sums are exact whatever their size: two invoices at the largest amount exceed Numeric(14, 2)."""
    from webapp.money import MAX_AMOUNT

    for number in (1, 2):
        db.session.add(Invoice(client_id=office["customer"].id, status=InvoiceStatus.sent, year=2031, number=number,
                               currency="EUR", total=MAX_AMOUNT))
    db.session.commit()
    response = signed_in(app, office["me"]).get("/")
    assert response.status_code == 200 and "€1,999,999,999,999.98" in response.text


def test_full_access_counts_every_department(app, office):
    add_work(office, 2)
    admin = make_staff("boss", full_access=True)
    db.session.commit()
    counts = figures(signed_in(app, admin).get("/").text)
    assert counts["New tickets"] == 4 and counts["Open tasks"] == 4 and counts["Overdue tasks"] == 2


def test_only_the_sections_the_rights_open_have_figures(app, office):
    add_work(office, 1)
    seller = make_staff("seller", departments=[make_department("Sales", rights=("clients.view", "payments.view"))])
    db.session.commit()
    page = signed_in(app, seller).get("/").text
    assert figures(page) == {}
    assert "Unpaid invoices" not in page and "Open tasks" not in page and 'href="/payments"' in page


def test_the_dashboard_runs_the_same_queries_however_much_work_waits(app, office, count_queries):
    add_work(office, 1)
    viewer = signed_in(app, office["me"])
    viewer.get("/")
    with count_queries() as small:
        assert viewer.get("/").status_code == 200
    add_work(office, 6)
    with count_queries() as large:
        assert viewer.get("/").status_code == 200
    assert small.n == large.n, large.statements


def test_each_worker_keeps_a_viewers_figures_for_a_while_and_says_when_they_were_counted(app, office):
    from webapp.main import attention

    add_work(office, 1)
    app.config["DASHBOARD_CACHE_SECONDS"] = 60
    try:
        viewer = signed_in(app, office["me"])
        first = viewer.get("/").text
        assert figures(first)["New tickets"] == 1 and "counted at" in first
        add_work(office, 2)
        assert figures(viewer.get("/").text)["New tickets"] == 1  # kept
        admin = make_staff("boss", full_access=True)
        db.session.commit()
        assert figures(signed_in(app, admin).get("/").text)["New tickets"] == 6  # another viewer: counted now
    finally:
        app.config["DASHBOARD_CACHE_SECONDS"] = 0
        attention._KEPT.clear()
    assert figures(viewer.get("/").text)["New tickets"] == 3
