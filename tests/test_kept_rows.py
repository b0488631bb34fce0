"""Kept rows (webapp.rows.written): a list's rows are written once and kept per list, language, zone, currency
and rights, keyed by the row's values. Whatever one viewer saw first, each viewer gets the rows as they would be
written for them now: their language, zone and rights, their own CSRF token, the row's current values."""
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tests.conftest import csrf_token_of, login
from tests.factories import make_customer_account, make_service, make_staff, make_tariff
from webapp import rows as kept_rows
from webapp.extensions import db
from webapp.finance import ledger
from webapp.kept import Kept
from webapp.models import Account, Payment, PaymentMethod, PaymentStatus
from webapp.settings import service as settings


@pytest.fixture
def world(app):
    customer = make_customer_account("buyer", name="Buyer")
    make_staff("cashier", rights=["payments.view", "payments.edit", "expenses.view", "clients.view"])
    make_staff("teller", rights=["payments.view", "expenses.view"])  # neither clients.view nor payments.edit
    payment = Payment(client_id=customer.id, amount=Decimal("12.50"), method=PaymentMethod.card,
                      status=PaymentStatus.pending, received_on=datetime.now(UTC).date(), note="first")
    db.session.add(payment)
    ledger.add_charge(customer.id, "5.00", "Setup fee")
    db.session.commit()
    viewers = {}
    for who in ("cashier", "teller"):
        viewers[who] = app.test_client()
        assert login(viewers[who], who).status_code == 302
    return {"customer": customer, "payment": payment, "viewers": viewers}


def row_of(html: str, kind: str) -> str:
    return re.search(rf'<tr data-{kind}="\d+".*?</tr>', html, re.S).group(0)


def test_each_viewer_gets_the_rows_of_their_own_rights(world):
    cashier, teller = world["viewers"]["cashier"], world["viewers"]["teller"]
    for _ in range(2):  # the second time from what is kept
        with_rights = row_of(cashier.get("/payments").text, "payment")
        without = row_of(teller.get("/payments").text, "payment")
        assert '/clients/' in with_rights and "Confirm" in with_rights
        assert '/clients/' not in without and "Confirm" not in without and "row-actions" not in without


def test_each_session_gets_its_own_csrf_token_in_the_rows(app, world):
    other = app.test_client()
    assert login(other, "cashier").status_code == 302
    for client in (world["viewers"]["cashier"], other, world["viewers"]["cashier"]):
        html = client.get("/payments").text
        row = row_of(html, "payment")
        assert f'name="csrf_token" value="{csrf_token_of(html)}"' in row
        assert "<csrf/>" not in html
    assert csrf_token_of(other.get("/payments").text) != csrf_token_of(world["viewers"]["cashier"].get("/payments").text)


def test_a_changed_row_is_written_again(world):
    cashier = world["viewers"]["cashier"]
    assert "first" in row_of(cashier.get("/payments").text, "payment")
    world["payment"].note = "second"
    world["payment"].status = PaymentStatus.confirmed
    db.session.commit()
    row = row_of(cashier.get("/payments").text, "payment")
    assert "second" in row and "first" not in row and "payment-confirmed" in row and "Confirm<" not in row


def test_language_zone_and_currency_are_the_viewers_own(world):
    cashier = world["viewers"]["cashier"]
    row = row_of(cashier.get("/payments").text, "payment")
    assert "Confirm" in row and "€" in row
    assert cashier.post("/language", data={"lang": "ru", "next": "/"}).status_code == 302
    row = row_of(cashier.get("/payments").text, "payment")
    assert "Подтвердить" in row and "Confirm" not in row
    company = settings.company_settings()
    company.currency = "USD"
    db.session.add(company)
    db.session.commit()
    row = row_of(cashier.get("/payments").text, "payment")
    assert "$" in row and "€" not in row
    assert "UTC" in row_of(cashier.get("/expenses").text, "charge")
    account = db.session.scalar(db.select(Account).filter_by(login="cashier"))
    account.timezone = "Asia/Tokyo"
    db.session.commit()
    assert "JST" in row_of(cashier.get("/expenses").text, "charge")


def test_a_writer_keeps_a_bounded_number_of_rows(app, world, monkeypatch):
    monkeypatch.setattr(kept_rows, "ROWS_PER_WRITER", 2)
    monkeypatch.setattr(kept_rows, "_WRITERS", Kept(64))
    customer = world["customer"]
    for n in range(4):
        ledger.add_charge(customer.id, f"{n + 1}.00", f"Charge {n}")
    db.session.commit()
    html = world["viewers"]["cashier"].get("/expenses").text
    assert html.count("<tr data-charge=") == 5
    assert kept_rows._WRITERS._values and all(len(writer.rows) <= 2 for writer in kept_rows._WRITERS._values.values())


def test_a_service_row_follows_the_plan_name(app, world):
    plan = make_tariff("Basic", price="3.00")
    make_service(world["customer"], plan)
    db.session.commit()
    staff = make_staff("viewer", rights=["services.view"])
    db.session.commit()
    client = app.test_client()
    assert login(client, staff.login).status_code == 302
    assert "Basic" in client.get("/services").text
    plan.name_en = "Premium"
    db.session.commit()
    html = client.get("/services").text
    assert "Premium" in html and "Basic" not in html


def test_a_kept_row_writes_its_deadline_for_the_time_of_each_request(app):
    from collections import namedtuple

    from webapp.models import TicketStatus
    from webapp.support.queue_rows import queue_rows

    Row = namedtuple("Row", "id subject client_name client_name_ru department_en department_ru status "
                            "assignee_name assignee_name_ru due_at")
    due = datetime(2026, 11, 27, 12, 30, tzinfo=UTC)
    row = Row(7, "Disk full", "Buyer", None, "Support", None, TicketStatus.waiting_staff, None, None, due)
    with app.test_request_context("/support/tickets"):
        before = queue_rows([row], now=due - timedelta(hours=2, seconds=30))
        again = queue_rows([row], now=due - timedelta(minutes=1))
        after = queue_rows([row], now=due + timedelta(minutes=5, seconds=10))
    assert "2026-11-27 12:30 UTC" in before and "2 h 1 min left" in before and "row-overdue" not in before
    assert "1 min left" in again and "2 h" not in again
    assert '<tr class="row-overdue"' in after and "deadline-late" in after and "overdue by 5 min" in after
    assert before.count("Disk full") == again.count("Disk full") == after.count("Disk full") == 1
