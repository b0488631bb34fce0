"""/expenses: the rights, adding and cancelling charges (refused once an invoice bills one), bad input that saves
nothing, filters (client, cancelled, the viewer's days) and their total, query counts."""
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.conftest import login
from tests.factories import make_customer_account, make_service, make_staff, make_tariff
from webapp.extensions import db
from webapp.finance import ledger
from webapp.models import AuditEntry, Charge, Invoice, InvoiceStatus


def signed_in(app, account):
    client = app.test_client()
    assert login(client, account).status_code == 302
    return client


def make_charge(customer, amount="10.00", description="Setup", created_at=None, cancelled=False, service=None):
    charge = ledger.add_charge(customer.id, amount, description, service_id=service.id if service else None)
    if created_at is not None:
        charge.created_at = created_at
    if cancelled:
        charge.cancelled_at = datetime.now(UTC)
    db.session.flush()
    return charge


def charge_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Charge))


@pytest.fixture
def acme(app):
    customer = make_customer_account("acme", name="Acme Ltd")
    db.session.commit()
    return customer


@pytest.fixture
def accountant(app):
    return make_staff("accountant", rights=["expenses.view", "expenses.edit"])


def test_viewing_needs_expenses_view_and_changing_expenses_edit(app, acme):
    charge = make_charge(acme)
    viewer = make_staff("viewer", rights=["expenses.view"])
    nobody = make_staff("nobody", rights=["payments.view", "payments.edit", "clients.view"])
    db.session.commit()
    as_viewer = signed_in(app, viewer)
    page = as_viewer.get("/expenses")
    assert page.status_code == 200 and "Setup" in page.text and "Add charge" not in page.text
    assert f"/expenses/{charge.id}/cancel" not in page.text
    assert as_viewer.get("/expenses/new").status_code == 403
    assert as_viewer.post("/expenses/new", data={"client": "acme", "amount": "5", "description": "x"}).status_code == 403
    assert as_viewer.get(f"/expenses/{charge.id}/cancel").status_code == 403
    assert as_viewer.post(f"/expenses/{charge.id}/cancel").status_code == 403
    assert as_viewer.get("/expenses/clients?client=ac").status_code == 403
    assert signed_in(app, nobody).get("/expenses").status_code == 403
    as_client = signed_in(app, acme)
    for url in ("/expenses", "/expenses/new", f"/expenses/{charge.id}/cancel"):
        assert as_client.get(url).status_code == 403
    assert as_client.post(f"/expenses/{charge.id}/cancel").status_code == 403
    assert charge_count() == 1 and db.session.get(Charge, charge.id).cancelled_at is None


def test_exactly_the_rights_add_and_cancel(app, acme, accountant):
    db.session.commit()
    as_accountant = signed_in(app, accountant)
    assert as_accountant.get("/expenses/new?client=acme").status_code == 200
    response = as_accountant.post("/expenses/new", data={"client": "ACME", "amount": "19.99",
                                                         "description": "Domain renewal"})
    assert response.status_code == 302, response.text
    charge = db.session.scalar(select(Charge))
    assert (charge.client_id, charge.amount, charge.description) == (acme.id, Decimal("19.99"), "Domain renewal")
    assert charge.created_by_id == accountant.id
    assert ledger.balance(acme.id) == Decimal("-19.99")
    page = as_accountant.get("/expenses", query_string={"client": "acme"})
    assert "Domain renewal" in page.text and 'data-total="19.99"' in page.text
    confirm = as_accountant.get(f"/expenses/{charge.id}/cancel")
    assert confirm.status_code == 200 and "Cancel the charge of €19.99 to acme?" in confirm.text
    assert as_accountant.post(f"/expenses/{charge.id}/cancel").status_code == 302
    db.session.expire_all()
    charge = db.session.get(Charge, charge.id)
    assert charge.cancelled_at is not None and charge.cancelled_by_id == accountant.id
    assert ledger.balance(acme.id) == Decimal("0.00")
    assert "Domain renewal" not in as_accountant.get("/expenses").text  # cancelled ones are hidden by default
    shown = as_accountant.get("/expenses?cancelled=1&client=acme")
    assert "Domain renewal" in shown.text and "Cancelled" in shown.text and 'data-total="0.00"' in shown.text
    assert as_accountant.post(f"/expenses/{charge.id}/cancel").status_code == 302
    assert "This charge was already cancelled." in as_accountant.get("/expenses").text
    assert db.session.scalar(select(func.count()).where(AuditEntry.action == "charge.cancel")) == 1


def test_a_charge_on_an_invoice_cannot_be_cancelled(app, acme, accountant):
    invoice = Invoice(client_id=acme.id, status=InvoiceStatus.sent, currency="EUR", total=Decimal("10.00"))
    db.session.add(invoice)
    db.session.flush()
    charge = make_charge(acme)
    charge.invoice_id = invoice.id
    db.session.commit()
    as_accountant = signed_in(app, accountant)
    page = as_accountant.get("/expenses")
    assert "On an invoice" in page.text and f"/expenses/{charge.id}/cancel" not in page.text
    confirm = as_accountant.get(f"/expenses/{charge.id}/cancel")
    assert confirm.status_code == 200 and "This charge is on an invoice already" in confirm.text
    assert "Cancel charge</button>" not in confirm.text
    refused = as_accountant.post(f"/expenses/{charge.id}/cancel")
    assert refused.status_code == 409 and "This charge is on an invoice already" in refused.text
    assert db.session.get(Charge, charge.id).cancelled_at is None
    assert ledger.balance(acme.id) == Decimal("-10.00")


@pytest.mark.parametrize("changes,message", [
    ({"amount": "-5"}, "The amount must be more than zero."),
    ({"amount": "1e3"}, "Enter the amount as a number with at most two decimals"),
    ({"amount": "ten"}, "Enter the amount as a number with at most two decimals"),
    ({"client": "ghost"}, "There is no client with this login."),
    ({"client": "accountant"}, "There is no client with this login."),
    ({"description": ""}, "Describe what the charge is for."),
    ({"description": "x" * 256}, "At most 255 characters."),
    ({"description": "Evil\u202ename"}, "contains control characters"),
])
def test_bad_input_is_refused_clearly_and_saves_nothing(app, acme, accountant, changes, message):
    db.session.commit()
    data = {"client": "acme", "amount": "5.00", "description": "Setup fee", **changes}
    response = signed_in(app, accountant).post("/expenses/new", data=data)
    assert response.status_code == 422 and message in response.text
    assert charge_count() == 0


def test_the_same_form_sent_twice_or_at_once_adds_one_charge(app, acme, accountant):
    import re
    import threading

    from flask.testing import FlaskClient

    client = signed_in(app, accountant)

    def key() -> str:
        return re.search(r'name="submission" type="hidden" value="([0-9a-f]{32})"',
                         client.get("/expenses/new").text).group(1)

    data = {"client": "acme", "amount": "19.99", "description": "Domain renewal"}
    first = key()
    assert client.post("/expenses/new", data={**data, "submission": first}).status_code == 302
    again = client.post("/expenses/new", data={**data, "submission": first})
    assert again.status_code == 302 and charge_count() == 1
    assert "This form was sent twice: acme is charged" in client.get("/expenses").text
    clients = [signed_in(app, accountant) for _ in range(6)]
    second, statuses = key(), []
    barrier = threading.Barrier(len(clients))

    def send(each):
        barrier.wait()
        statuses.append(FlaskClient.open(each, "/expenses/new", method="POST",
                                         data={**data, "submission": second}).status_code)

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    db.session.rollback()
    assert statuses == [302] * len(clients) and charge_count() == 2
    assert ledger.balance(acme.id) == Decimal("-39.98")
    assert db.session.scalar(select(func.count()).where(AuditEntry.action == "charge.add")) == 2


def test_unknown_charges_are_404(app, accountant):
    db.session.commit()
    as_accountant = signed_in(app, accountant)
    assert as_accountant.get("/expenses/999/cancel").status_code == 404
    assert as_accountant.post("/expenses/999/cancel").status_code == 404


def test_filters_the_total_and_the_service(app, acme, accountant):
    other = make_customer_account("globex", name="Globex Corporation")
    plan = make_tariff("Hosting S")
    service = make_service(acme, plan)
    make_charge(acme, "100.00", "January hosting", datetime(2026, 1, 31, 23, 30, tzinfo=UTC), service=service)
    make_charge(acme, "20.00", "February extra", datetime(2026, 2, 10, 12, 0, tzinfo=UTC))
    make_charge(acme, "5.00", "February mistake", datetime(2026, 2, 11, 12, 0, tzinfo=UTC), cancelled=True)
    make_charge(other, "300.00", "Globex setup", datetime(2026, 2, 12, 12, 0, tzinfo=UTC))
    accountant.timezone = "UTC"
    db.session.commit()
    as_accountant = signed_in(app, accountant)

    def shown(**args):
        page = as_accountant.get("/expenses", query_string=args)
        assert page.status_code == 200
        names = [n for n in ("January hosting", "February extra", "February mistake", "Globex setup")
                 if f">{n}" in page.text]
        total = page.text.split('data-total="')[1].split('"')[0] if 'data-total="' in page.text else None
        return names, total

    assert shown() == (["January hosting", "February extra", "Globex setup"], None)  # not summed: every charge
    assert shown(cancelled="1") == (["January hosting", "February extra", "February mistake", "Globex setup"],
                                    None)
    assert shown(**{"from": "2026-01-01", "to": "2026-12-31"})[1] == "420.00"
    assert shown(client="globex") == (["Globex setup"], "300.00")
    assert shown(client_id=acme.id, cancelled="1")[1] == "120.00"
    assert shown(**{"from": "2026-02-01", "to": "2026-02-11"}) == (["February extra"], "20.00")
    assert f"#{service.id} · Hosting S" in as_accountant.get("/expenses").text
    # The viewer's days: 23:30 UTC on 31 January is 1 February in Tokyo.
    accountant.timezone = "Asia/Tokyo"
    db.session.commit()
    assert shown(**{"from": "2026-02-01", "to": "2026-02-01"}) == (["January hosting"], "100.00")


def test_the_list_runs_a_constant_number_of_queries(app, accountant, count_queries):
    db.session.commit()
    as_accountant = signed_in(app, accountant)

    def queries() -> tuple:
        counts = []
        for args in ({}, {"client": "cust", "cancelled": "1", "from": "2020-01-01"}):
            as_accountant.get("/expenses", query_string=args)
            with count_queries() as counter:
                assert as_accountant.get("/expenses", query_string=args).status_code == 200
            counts.append(counter.n)
        return tuple(counts)

    plan = make_tariff()
    for index in range(3):
        make_charge(make_customer_account(f"cust{index}"))
    db.session.commit()
    small = queries()
    for index in range(3, 60):
        customer = make_customer_account(f"cust{index}")
        make_charge(customer, service=make_service(customer, plan), cancelled=index % 4 == 0)
    db.session.commit()
    assert queries() == small
