"""The long lists' rows are written in Python (webapp.rows and each package's rows.py), not by Jinja: every value
typed by someone (names, logins, notes, titles, subjects) must go through escape() there. Each value below is
markup, different per field, and each list must show it escaped in its rows and never raw."""
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import quote

import pytest
from markupsafe import escape

from tests.conftest import login, running_app
from tests.factories import (
    make_customer_account,
    make_department,
    make_hours,
    make_service,
    make_staff,
    make_tariff,
)
from webapp.extensions import db
from webapp.finance import ledger
from webapp.invoices import service as invoices
from webapp.models import Payment, PaymentMethod, PaymentStatus, ServiceOperation, Task, TaskStatus
from webapp.support import service as support


def mark(field: str) -> str:
    """Markup typed into `field`: a tag, an attribute in quotes and an entity (≤ 64 characters, a login's limit)."""
    return f'<b data-x="{field}">&amp;{field}</b>'


LOGIN = mark("login")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """One app and its data for the whole module (the pages only read): a client whose names and login are
    markup, with a payment, a charge, a service, an invoice, a task and a ticket, all with markup in what was
    typed; and who views them: the admin, a full-access member in Russian, a member without clients.view, the
    client."""
    with running_app(tmp_path_factory.mktemp("escaping")) as app:
        hours = make_hours("Office", timezone="UTC")
        desk = make_department(mark("dept_en"), name_ru=mark("dept_ru"), hours=hours, show_in_support=True)
        assignee = make_staff("assignee", name=mark("staff_en"), name_ru=mark("staff_ru"), departments=[desk])
        customer = make_customer_account(LOGIN, name=mark("client_en"), name_ru=mark("client_ru"),
                                         email="client@example.com")
        make_staff("ru_admin", full_access=True)
        make_staff("cashier", rights=["payments.view", "expenses.view", "services.view"])  # no clients.view
        plan = make_tariff(mark("plan_en"), name_ru=mark("plan_ru"), department=desk)
        service = make_service(customer, plan)
        db.session.add(Payment(client_id=customer.id, amount=Decimal("10.00"), method=PaymentMethod.card,
                               status=PaymentStatus.pending, received_on=datetime.now(UTC).date(),
                               note=mark("note")))
        ledger.add_charge(customer.id, "5.00", mark("charge"), service_id=service.id)
        db.session.add(Task(department_id=desk.id, service_id=service.id, client_id=customer.id,
                            operation=ServiceOperation.order, locale="en", title=mark("task"), text="x",
                            status=TaskStatus.open, due_at=datetime.now(UTC) + timedelta(hours=3),
                            assignee_id=assignee.id))
        ticket = support.open_ticket(customer, desk.id, mark("ticket"), "m", [])
        ticket.assignee_id = assignee.id
        db.session.commit()
        invoice = invoices.create_draft(customer, customer, [],
                                        [invoices.LineValues(mark("line"), 1, Decimal("7.00"))])
        invoices.issue(customer, invoice, lambda _invoice: b"%PDF-1.7 test")
        db.session.commit()
        viewers = {}
        for who in ("admin", "ru_admin", "cashier", LOGIN):
            viewers[who] = app.test_client()
            assert login(viewers[who], who).status_code == 302, who
        assert viewers["ru_admin"].post("/language", data={"lang": "ru", "next": "/"}).status_code == 302
        yield {"viewers": viewers, "invoice": invoice.display_number}


CLIENT_EN, CLIENT_RU = ("login", "client_en"), ("login", "client_ru")
TASKS_AND_TICKETS = ("dept_{lang}", "staff_{lang}", "client_{lang}")
PAGES = [
    ("admin", "/payments", (*CLIENT_EN, "note")),
    ("ru_admin", "/payments", (*CLIENT_RU, "note")),
    ("cashier", "/payments", (*CLIENT_EN, "note")),  # the login without a link to the client
    ("admin", "/expenses", (*CLIENT_EN, "charge", "plan_en")),
    ("ru_admin", "/expenses", (*CLIENT_RU, "charge", "plan_ru")),
    ("cashier", "/expenses", (*CLIENT_EN, "charge", "plan_en")),
    ("admin", "/tariffs", ("plan_en", "dept_en")),
    ("ru_admin", "/tariffs", ("plan_ru", "dept_ru")),
    ("admin", "/services", (*CLIENT_EN, "plan_en")),
    ("ru_admin", "/services", (*CLIENT_EN, "plan_ru")),  # the client's English name beside the login, always
    ("cashier", "/services", (*CLIENT_EN, "plan_en")),
    ("admin", "/invoices", CLIENT_EN),
    ("ru_admin", "/invoices", CLIENT_RU),
    ("admin", "/tasks", ("task", *(f.format(lang="en") for f in TASKS_AND_TICKETS))),
    ("ru_admin", "/tasks", ("task", *(f.format(lang="ru") for f in TASKS_AND_TICKETS))),
    ("admin", "/support/tickets", ("ticket", *(f.format(lang="en") for f in TASKS_AND_TICKETS))),
    ("ru_admin", "/support/tickets", ("ticket", *(f.format(lang="ru") for f in TASKS_AND_TICKETS))),
    (LOGIN, "/my/services", ("plan_en",)),
    (LOGIN, "/my/invoices", ()),  # number, date, total, status: nothing typed (checked: no markup leaks)
]


def table_rows(html: str) -> str:
    bodies = re.findall(r"<tbody>(.*?)</tbody>", html, re.S)
    assert bodies, "no table on the page"
    return "".join(bodies)


@pytest.mark.parametrize("who,url,fields", PAGES, ids=[f"{url}-{who[:8]}" for who, url, _ in PAGES])
def test_list_rows_escape_what_was_typed(world, who, url, fields):
    page = world["viewers"][who].get(url)
    assert page.status_code == 200, page.text
    rows = table_rows(page.text)
    for field in fields:
        assert mark(field) not in page.text, f"{field} written raw"
        assert str(escape(mark(field))) in rows, f"{field} not in the rows, escaped"
    assert 'data-x="' not in page.text  # no other typed value (other language, line, …) raw either
    if url == "/invoices":  # the login is also the client filter's ?q=, URL-quoted
        assert f'?q={quote(LOGIN, safe="")}"' in rows
    if url == "/my/invoices":
        assert world["invoice"] in rows
