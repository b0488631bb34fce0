"""/payments: the rights, recording (pending or confirmed at once), confirming and cancelling once whatever the
clicks and races, bad input that saves nothing, filters and their confirmed total, exact sums, query counts."""
import re
import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, insert, select

from tests.conftest import login
from tests.factories import make_customer_account, make_staff
from webapp.extensions import db
from webapp.finance import ledger
from webapp.models import AuditEntry, Payment, PaymentMethod, PaymentStatus

TODAY = date.today()


def signed_in(app, account):
    client = app.test_client()
    assert login(client, account).status_code == 302
    return client


def make_payment(customer, amount="10.00", status=PaymentStatus.pending, received_on=None, method=PaymentMethod.card,
                 note=None):
    payment = Payment(client_id=customer.id, amount=Decimal(amount), method=method, status=status,
                      received_on=received_on or TODAY, note=note)
    db.session.add(payment)
    db.session.flush()
    return payment


def payment_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Payment))


@pytest.fixture
def acme(app):
    customer = make_customer_account("acme", name="Acme Ltd")
    db.session.commit()
    return customer


@pytest.fixture
def cashier(app):
    return make_staff("cashier", rights=["payments.view", "payments.edit"])


def form(customer_login="acme", amount="125.50", **extra):
    return {"client": customer_login, "amount": amount, "method": "bank_transfer",
            "received_on": TODAY.isoformat(), "note": "", **extra}


# Rights --------------------------------------------------------------------------------------------

def test_viewing_needs_payments_view_and_changing_payments_edit(app, acme):
    payment = make_payment(acme)
    viewer = make_staff("viewer", rights=["payments.view"])
    nobody = make_staff("nobody", rights=["clients.view", "expenses.view", "expenses.edit"])
    db.session.commit()
    as_viewer = signed_in(app, viewer)
    page = as_viewer.get("/payments")
    assert page.status_code == 200 and "acme" in page.text
    assert "Record payment" not in page.text and "/confirm" not in page.text
    assert as_viewer.get("/payments/new").status_code == 403
    assert as_viewer.post("/payments/new", data=form()).status_code == 403
    assert as_viewer.post(f"/payments/{payment.id}/confirm").status_code == 403
    assert as_viewer.post(f"/payments/{payment.id}/cancel").status_code == 403
    assert as_viewer.get("/payments/clients?client=ac").status_code == 403
    as_nobody = signed_in(app, nobody)
    assert as_nobody.get("/payments").status_code == 403
    assert "/payments" not in as_nobody.get("/").text
    as_client = signed_in(app, acme)
    for url in ("/payments", "/payments/new", f"/payments/{payment.id}/cancel"):
        assert as_client.get(url).status_code == 403
    assert as_client.post(f"/payments/{payment.id}/confirm").status_code == 403
    db.session.expire_all()
    assert db.session.get(Payment, payment.id).status is PaymentStatus.pending
    assert payment_count() == 1


def test_exactly_the_rights_record_confirm_and_cancel(app, acme, cashier):
    db.session.commit()
    as_cashier = signed_in(app, cashier)
    assert "Record payment" in as_cashier.get("/payments").text
    assert as_cashier.get("/payments/new").status_code == 200
    response = as_cashier.post("/payments/new", data=form())
    assert response.status_code == 302, response.text
    payment = db.session.scalar(select(Payment))
    assert (payment.amount, payment.status, payment.client_id) == (Decimal("125.50"), PaymentStatus.pending, acme.id)
    assert payment.created_by_id == cashier.id and payment.received_on == TODAY
    assert ledger.balance(acme.id) == Decimal("0.00")  # pending: not in the balance
    page = as_cashier.get("/payments")
    assert "€125.50" in page.text and 'data-total="' not in page.text  # no total without a client or period
    assert 'data-total="0.00"' in as_cashier.get("/payments", query_string={"client_id": acme.id}).text
    assert as_cashier.post(f"/payments/{payment.id}/confirm").status_code == 302
    db.session.expire_all()
    payment = db.session.get(Payment, payment.id)
    assert payment.status is PaymentStatus.confirmed and payment.confirmed_by_id == cashier.id
    assert ledger.balance(acme.id) == Decimal("125.50")
    assert 'data-total="125.50"' in as_cashier.get("/payments", query_string={"client_id": acme.id}).text
    confirm_page = as_cashier.get(f"/payments/{payment.id}/cancel")
    assert confirm_page.status_code == 200 and "Cancel the payment of €125.50 from acme?" in confirm_page.text
    assert as_cashier.post(f"/payments/{payment.id}/cancel", data={"next": "/payments?status=cancelled"}).headers[
        "Location"] == "/payments?status=cancelled"
    db.session.expire_all()
    payment = db.session.get(Payment, payment.id)
    assert payment.status is PaymentStatus.cancelled and payment.cancelled_by_id == cashier.id
    assert ledger.balance(acme.id) == Decimal("0.00")


def test_a_payment_can_be_recorded_as_confirmed_at_once(app, acme, cashier):
    db.session.commit()
    response = signed_in(app, cashier).post("/payments/new", data=form(amount="40", confirmed="y"))
    assert response.status_code == 302
    payment = db.session.scalar(select(Payment))
    assert payment.status is PaymentStatus.confirmed and payment.confirmed_by_id == cashier.id
    assert payment.confirmed_at is not None
    assert ledger.balance(acme.id) == Decimal("40.00")


def test_the_form_is_prefilled_with_the_client_from_their_page(app, acme, cashier):
    db.session.commit()
    page = signed_in(app, cashier).get("/payments/new?client=acme")
    assert 'value="acme"' in page.text and f'value="{TODAY.isoformat()}"' in page.text
    assert f'max="{TODAY.isoformat()}"' in page.text


# Bad input ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("changes,message", [
    ({"amount": "-5"}, "The amount must be more than zero."),
    ({"amount": "0"}, "The amount must be more than zero."),
    ({"amount": "1e3"}, "Enter the amount as a number with at most two decimals"),
    ({"amount": "abc"}, "Enter the amount as a number with at most two decimals"),
    ({"amount": "10.005"}, "Enter the amount as a number with at most two decimals"),
    ({"amount": "NaN"}, "Enter the amount as a number with at most two decimals"),
    ({"amount": "9999999999999"}, "Enter the amount as a number with at most two decimals"),
    ({"amount": ""}, "Enter the amount."),
    ({"client": "nosuchclient"}, "There is no client with this login."),
    ({"client": "cashier"}, "There is no client with this login."),  # a staff member's login
    ({"client": ""}, "Enter the client"),
    ({"received_on": (TODAY + timedelta(days=2)).isoformat()}, "The date cannot be in the future."),
    ({"received_on": "1999-12-31"}, "The date cannot be before 1 January 2000."),
    ({"received_on": "yesterday"}, "Not a valid date value."),
    ({"received_on": ""}, "Enter the date the money was received."),
    ({"method": "bitcoin"}, "Not a valid choice."),
    ({"note": "x" * 256}, "At most 255 characters."),
])
def test_bad_input_is_refused_clearly_and_saves_nothing(app, acme, cashier, changes, message):
    db.session.commit()
    response = signed_in(app, cashier).post("/payments/new", data=form(**changes))
    assert response.status_code == 422
    assert message in response.text
    assert payment_count() == 0


def test_the_amount_is_read_as_typed_in_either_language(app, acme, cashier):
    db.session.commit()
    as_cashier = signed_in(app, cashier)
    for typed in ("1 234,50", "1234.5", " 0.10 "):
        assert as_cashier.post("/payments/new", data=form(amount=typed)).status_code == 302
    amounts = sorted(db.session.scalars(select(Payment.amount)))
    assert amounts == [Decimal("0.10"), Decimal("1234.50"), Decimal("1234.50")]


# Confirming and cancelling once ----------------------------------------------------------------------

def test_a_second_confirm_changes_nothing_and_says_so(app, acme, cashier):
    payment = make_payment(acme)
    db.session.commit()
    as_cashier = signed_in(app, cashier)
    assert as_cashier.post(f"/payments/{payment.id}/confirm").status_code == 302
    first = db.session.get(Payment, payment.id).confirmed_at
    assert as_cashier.post(f"/payments/{payment.id}/confirm").status_code == 302
    assert "This payment was already confirmed." in as_cashier.get("/payments").text
    assert db.session.get(Payment, payment.id).confirmed_at == first
    assert db.session.scalar(select(func.count()).where(AuditEntry.action == "payment.confirm")) == 1


def test_a_cancelled_payment_cannot_be_confirmed(app, acme, cashier):
    payment = make_payment(acme, status=PaymentStatus.cancelled)
    db.session.commit()
    response = signed_in(app, cashier).post(f"/payments/{payment.id}/confirm")
    assert response.status_code == 409 and "This payment was cancelled" in response.text
    assert db.session.get(Payment, payment.id).status is PaymentStatus.cancelled
    assert ledger.balance(acme.id) == 0


def test_cancelling_twice_says_so_and_a_payment_on_an_invoice_is_refused(app, acme, cashier):
    from webapp.models import Invoice, InvoiceStatus

    payment = make_payment(acme, status=PaymentStatus.confirmed)
    invoice = Invoice(client_id=acme.id, status=InvoiceStatus.paid, currency="EUR", total=Decimal("10.00"))
    db.session.add(invoice)
    db.session.flush()
    settled = make_payment(acme, status=PaymentStatus.confirmed)
    settled.invoice_id = invoice.id
    db.session.commit()
    as_cashier = signed_in(app, cashier)
    assert as_cashier.post(f"/payments/{payment.id}/cancel").status_code == 302
    assert as_cashier.post(f"/payments/{payment.id}/cancel").status_code == 302
    assert "This payment was already cancelled." in as_cashier.get("/payments").text
    assert "cannot be cancelled" in as_cashier.get(f"/payments/{settled.id}/cancel").text
    refused = as_cashier.post(f"/payments/{settled.id}/cancel")
    assert refused.status_code == 409 and "settles an invoice" in refused.text
    assert db.session.get(Payment, settled.id).status is PaymentStatus.confirmed


def test_racing_confirms_confirm_once(app, acme, cashier):
    payment = make_payment(acme, amount="75.00")
    db.session.commit()
    clients = [signed_in(app, cashier) for _ in range(8)]
    url = f"/payments/{payment.id}/confirm"
    barrier = threading.Barrier(len(clients))
    statuses = []

    def confirm(client):
        barrier.wait()
        statuses.append(FlaskClient.open(client, url, method="POST").status_code)

    threads = [threading.Thread(target=confirm, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    db.session.rollback()  # a fresh snapshot: the test's own read began before the threads wrote
    assert statuses == [302] * len(clients), statuses
    assert db.session.scalar(select(func.count()).where(AuditEntry.action == "payment.confirm")) == 1
    assert ledger.balance(acme.id) == Decimal("75.00")


def submission_of(html: str) -> str:
    return re.search(r'name="submission" type="hidden" value="([0-9a-f]{32})"', html).group(1)


def test_the_same_form_sent_twice_records_one_payment(app, acme, cashier):
    client = signed_in(app, cashier)
    key = submission_of(client.get("/payments/new").text)
    assert submission_of(client.get("/payments/new").text) != key  # each filling of the form has its own
    first = client.post("/payments/new", data=form(submission=key))
    assert first.status_code == 302 and payment_count() == 1
    again = client.post("/payments/new", data=form(submission=key))
    assert again.status_code == 302 and again.headers["Location"] == "/payments" and payment_count() == 1
    assert "This form was sent twice: the payment of" in client.get("/payments").text
    assert client.post("/payments/new", data=form(submission=submission_of(client.get("/payments/new").text))) \
        .status_code == 302 and payment_count() == 2  # the form filled again is another payment
    assert db.session.scalar(select(func.count()).where(AuditEntry.action == "payment.record")) == 2


def test_a_form_with_a_rejected_amount_keeps_its_key_and_records_once_corrected(app, acme, cashier):
    client = signed_in(app, cashier)
    key = submission_of(client.get("/payments/new").text)
    rejected = client.post("/payments/new", data=form(amount="-5", submission=key))
    assert rejected.status_code == 422 and submission_of(rejected.text) == key and payment_count() == 0
    assert client.post("/payments/new", data=form(submission=key)).status_code == 302 and payment_count() == 1


def test_a_rejected_form_that_came_without_a_valid_key_is_shown_again_with_one(app, acme, cashier):
    client = signed_in(app, cashier)
    rejected = client.post("/payments/new", data=form(amount="-5", submission="not-a-key"))
    assert rejected.status_code == 422 and payment_count() == 0
    key = submission_of(rejected.text)
    for _ in range(2):  # the corrected form, sent twice
        assert client.post("/payments/new", data=form(submission=key)).status_code == 302
    assert payment_count() == 1


def test_a_form_without_a_valid_key_still_records(app, acme, cashier):
    client = signed_in(app, cashier)
    for key in ("", "not-a-key", "A" * 32):
        assert client.post("/payments/new", data=form(submission=key)).status_code == 302
    assert payment_count() == 3 and db.session.scalar(
        select(func.count()).where(Payment.submission_key.is_not(None))) == 0


def test_the_same_form_sent_at_once_records_one_payment(app, acme, cashier):
    clients = [signed_in(app, cashier) for _ in range(6)]
    key = submission_of(clients[0].get("/payments/new").text)
    barrier = threading.Barrier(len(clients))
    statuses = []

    def send(client):
        barrier.wait()
        statuses.append(FlaskClient.open(client, "/payments/new", method="POST", data=form(submission=key))
                        .status_code)

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    db.session.rollback()
    assert statuses == [302] * len(clients), statuses
    assert payment_count() == 1 and ledger.balance(acme.id) == Decimal("0.00")  # recorded once, pending


def test_racing_confirm_and_cancel_leave_one_outcome(app, acme, cashier):
    payment = make_payment(acme, amount="75.00")
    db.session.commit()
    clients = [signed_in(app, cashier) for _ in range(6)]
    payment_id = payment.id
    barrier = threading.Barrier(len(clients))
    statuses = []

    def act(index, client):
        barrier.wait()
        action = "confirm" if index % 2 else "cancel"
        statuses.append(FlaskClient.open(client, f"/payments/{payment_id}/{action}", method="POST").status_code)

    threads = [threading.Thread(target=act, args=(i, c)) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    db.session.rollback()  # a fresh snapshot: the test's own read began before the threads wrote
    assert set(statuses) <= {302, 409}, statuses
    final = db.session.get(Payment, payment.id)
    confirms = db.session.scalar(select(func.count()).where(AuditEntry.action == "payment.confirm"))
    cancels = db.session.scalar(select(func.count()).where(AuditEntry.action == "payment.cancel"))
    assert cancels == 1 and confirms <= 1  # confirmed first then cancelled, or cancelled first
    assert final.status is PaymentStatus.cancelled
    assert ledger.balance(acme.id) == 0


# 404s -------------------------------------------------------------------------------------------------

def test_unknown_payments_are_404(app, cashier):
    db.session.commit()
    as_cashier = signed_in(app, cashier)
    assert as_cashier.post("/payments/999/confirm").status_code == 404
    assert as_cashier.get("/payments/999/cancel").status_code == 404
    assert as_cashier.post("/payments/999/cancel").status_code == 404


def test_next_goes_only_to_a_local_path(app, acme, cashier):
    payment = make_payment(acme)
    db.session.commit()
    response = signed_in(app, cashier).post(f"/payments/{payment.id}/confirm", data={"next": "https://evil.example/"})
    assert response.headers["Location"] == "/payments"


# The list ----------------------------------------------------------------------------------------------

def test_filters_and_the_confirmed_total_of_what_is_shown(app, acme, cashier):
    other = make_customer_account("globex", name="Globex Corporation")
    make_payment(acme, "100.00", PaymentStatus.confirmed, date(2026, 1, 10), note="January")
    make_payment(acme, "20.00", PaymentStatus.pending, date(2026, 2, 10), note="February pending")
    make_payment(acme, "5.00", PaymentStatus.cancelled, date(2026, 2, 11), note="February cancelled")
    make_payment(other, "300.00", PaymentStatus.confirmed, date(2026, 2, 12), note="Globex")
    db.session.commit()
    as_cashier = signed_in(app, cashier)

    def shown(**args):
        page = as_cashier.get("/payments", query_string=args)
        assert page.status_code == 200
        notes = [n for n in ("January", "February pending", "February cancelled", "Globex") if f">{n}<" in page.text]
        total = page.text.split('data-total="')[1].split('"')[0] if 'data-total="' in page.text else None
        return notes, total

    assert shown() == (["January", "February pending", "February cancelled", "Globex"], None)  # not summed
    assert shown(status="pending") == (["February pending"], None)
    assert shown(status="confirmed") == (["January", "Globex"], None)
    assert shown(client="globex corp") == (["Globex"], "300.00")
    assert shown(client="ACME") == (["January", "February pending", "February cancelled"], "100.00")
    assert shown(client_id=other.id) == (["Globex"], "300.00")
    assert shown(**{"from": "2026-02-01", "to": "2026-02-28"}) == (
        ["February pending", "February cancelled", "Globex"], "300.00")
    assert shown(**{"from": "2026-02-28", "to": "2026-01-01"})[1] == "400.00"  # swapped, said so
    assert shown(status="bogus", client_id="x", **{"from": "31.12.2026"})[1] is None  # no usable filter
    assert "Choose a client or a period" in as_cashier.get("/payments").text
    assert "is not a date" in as_cashier.get("/payments?from=31.12.2026").text
    assert "No payment matches these filters." in as_cashier.get("/payments?client=nobody-at-all").text


def test_the_list_is_paginated_newest_first(app, acme, cashier):
    for day in range(12):
        make_payment(acme, f"{day + 1}.00", received_on=date(2026, 3, day + 1), note=f"n{day + 1}")
    db.session.commit()
    as_cashier = signed_in(app, cashier)
    first = as_cashier.get("/payments")
    assert ">n12<" in first.text and ">n7<" not in first.text and "Page 1<" in first.text  # not counted
    assert 'rel="next"' in first.text
    last = as_cashier.get("/payments?page=3")
    assert ">n1<" in last.text and ">n2<" in last.text
    assert as_cashier.get("/payments?page=99").status_code == 200


def test_money_sums_without_float_error(app, acme, cashier):
    """Ten thousand payments of 0.10 and 0.20, and a thousand of 0.01: SQLite keeps them as REAL, whose float SUM
    drifts; the total, the balance and the report are exact."""
    rows = [{"client_id": acme.id, "amount": Decimal(a), "method": PaymentMethod.cash, "status": PaymentStatus.confirmed,
             "received_on": date(2026, 5, 1)} for a in ["0.10", "0.20"] * 5000 + ["0.01"] * 1000]
    db.session.execute(insert(Payment), rows)
    db.session.commit()
    expected = Decimal("1510.00")
    assert ledger.balance(acme.id) == expected
    page = signed_in(app, cashier).get("/payments", query_string={"client_id": acme.id})
    assert 'data-total="1510.00"' in page.text and "€1,510.00" in page.text
    float_sum = sum(float(r["amount"]) for r in rows)
    assert float_sum != 1510.0  # what a float sum would have said


def test_client_suggestions(app, acme, cashier):
    make_customer_account("acme-two", name="Acme Two")
    db.session.commit()
    as_cashier = signed_in(app, cashier)
    response = as_cashier.get("/payments/clients?client=acm", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert '<option value="acme">Acme Ltd</option>' in response.text and 'value="acme-two"' in response.text
    assert as_cashier.get("/payments/clients?client=a").text.strip() == ""  # too short to search
    assert "cashier" not in as_cashier.get("/payments/clients?client=cash").text  # clients only


def test_the_list_runs_a_constant_number_of_queries(app, cashier, count_queries):
    db.session.commit()
    as_cashier = signed_in(app, cashier)

    def queries(filtered: bool) -> int:
        as_cashier.get("/payments")  # warm
        with count_queries() as counter:
            assert as_cashier.get("/payments", query_string={"client": "cust"} if filtered else {}).status_code == 200
        return counter.n

    for index in range(3):
        make_payment(make_customer_account(f"cust{index}"), status=PaymentStatus.confirmed)
    db.session.commit()
    small = (queries(False), queries(True))
    for index in range(3, 60):
        make_payment(make_customer_account(f"cust{index}"), status=list(PaymentStatus)[index % 3])
    db.session.commit()
    assert (queries(False), queries(True)) == small
