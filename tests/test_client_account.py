"""A client's page for staff shows their services, invoices, payments, charges, balance and tickets: each section
for exactly the viewer's right, the last ten with a link to the full list, in a constant number of queries."""
from datetime import date
from decimal import Decimal

import pytest

from tests.conftest import login
from tests.factories import make_customer_account, make_department, make_service, make_staff, make_tariff
from webapp.extensions import db
from webapp.finance import ledger
from webapp.models import Invoice, InvoiceStatus, Payment, PaymentMethod, PaymentStatus
from webapp.support import service as tickets

SECTIONS = {"services": "services.view", "invoices": "invoices.view", "payments": "payments.view",
            "charges": "expenses.view", "tickets": "support.tickets"}


def signed_in(app, account):
    client = app.test_client()
    assert login(client, account).status_code == 302
    return client


def add_everything(customer, desk, plan, count=1, first=0):
    for index in range(first, first + count):
        make_service(customer, plan)
        db.session.add(Invoice(client_id=customer.id, status=InvoiceStatus.sent, year=2026, number=index + 1,
                               currency="EUR", total=Decimal("12.00")))
        db.session.add(Payment(client_id=customer.id, amount=Decimal("30.10"), method=PaymentMethod.card,
                               status=PaymentStatus.confirmed, received_on=date(2026, 4, 1)))
        ledger.add_charge(customer.id, "10.05", f"Charge {index}")
        tickets.open_ticket(customer, desk.id, f"Question {index}", "Help", [])
    db.session.flush()


@pytest.fixture
def account(app):
    desk = make_department("Helpdesk", show_in_support=True)
    customer = make_customer_account("acme", name="Acme Ltd")
    add_everything(customer, desk, make_tariff("Hosting M"))
    db.session.commit()
    return {"customer": customer, "desk": desk}


def sections_shown(html: str) -> set:
    return {name for name in SECTIONS if f'id="{name}-heading"' in html}


@pytest.mark.parametrize("section", sorted(SECTIONS))
def test_each_section_shows_for_exactly_its_right(app, account, section):
    staff = make_staff(rights=["clients.view", SECTIONS[section]],
                       departments=[account["desk"]] if section == "tickets" else [])
    db.session.commit()
    page = signed_in(app, staff).get(f"/clients/{account['customer'].id}")
    assert page.status_code == 200
    assert sections_shown(page.text) == {section}
    shows_balance = section in ("payments", "charges")
    assert ('id="balance-heading"' in page.text) == shows_balance
    if shows_balance:
        assert 'data-balance="20.05"' in page.text and "€20.05" in page.text


def test_without_clients_view_the_page_is_403_and_clients_get_403(app, account):
    staff = make_staff(rights=sorted(SECTIONS.values()))
    db.session.commit()
    assert signed_in(app, staff).get(f"/clients/{account['customer'].id}").status_code == 403
    assert signed_in(app, account["customer"]).get(f"/clients/{account['customer'].id}").status_code == 403


def test_a_viewer_with_every_right_sees_every_section_and_the_links(app, account, admin):
    customer = account["customer"]
    page = signed_in(app, admin).get(f"/clients/{customer.id}")
    assert sections_shown(page.text) == set(SECTIONS) and 'id="balance-heading"' in page.text
    assert f'href="/payments?client_id={customer.id}"' in page.text
    assert f'href="/expenses?client_id={customer.id}&amp;cancelled=1"' in page.text
    assert 'href="/services?client=acme"' in page.text and 'href="/invoices?q=acme"' in page.text
    assert 'href="/support/tickets?q=acme&amp;status=all"' in page.text
    assert 'href="/payments/new?client=acme"' in page.text and 'href="/expenses/new?client=acme"' in page.text
    assert "Hosting M" in page.text and "2026-00001" in page.text and "Question 0" in page.text


def test_tickets_are_those_of_the_viewers_departments(app, account):
    other = make_department("Sales")
    outsider = make_staff(rights=["clients.view", "support.tickets"], departments=[other])
    db.session.commit()
    page = signed_in(app, outsider).get(f"/clients/{account['customer'].id}")
    assert 'id="tickets-heading"' in page.text and "Question 0" not in page.text
    assert "No tickets in your departments." in page.text


def test_a_new_client_has_empty_sections(app, admin):
    customer = make_customer_account("fresh")
    db.session.commit()
    page = signed_in(app, admin).get(f"/clients/{customer.id}")
    for text in ("No services.", "No invoices.", "No payments.", "No charges.", 'data-balance="0.00"'):
        assert text in page.text


def test_only_the_last_ten_are_shown(app, account, admin):
    customer = account["customer"]
    add_everything(customer, account["desk"], make_tariff(), count=12, first=1)
    db.session.commit()
    page = signed_in(app, admin).get(f"/clients/{customer.id}")
    assert page.text.count("data-payment=") == 10 and page.text.count("data-charge=") == 10
    assert "Charge 12" in page.text and "Charge 0<" not in page.text
    assert 'data-balance="260.65"' in page.text  # the balance counts them all: 13 × (30.10 − 10.05)


def test_the_page_runs_a_constant_number_of_queries(app, account, admin, count_queries):
    customer = account["customer"]
    as_admin = signed_in(app, admin)

    def queries() -> int:
        as_admin.get(f"/clients/{customer.id}")
        with count_queries() as counter:
            assert as_admin.get(f"/clients/{customer.id}").status_code == 200
        return counter.n

    small = queries()
    add_everything(customer, account["desk"], make_tariff(), count=25, first=1)
    db.session.commit()
    assert queries() == small
