"""The client's invoices: only their own issued ones, each viewable and downloadable; everything else is a 404."""
from decimal import Decimal

from tests.conftest import login
from tests.factories import make_customer_account, make_staff
from webapp.extensions import db
from webapp.finance.ledger import add_charge
from webapp.invoices import service


def signed_in(app, account):
    client = app.test_client()
    assert login(client, account).status_code == 302
    return client


def issued(customer, *amounts, actor=None, paid=False):
    invoice = service.create_draft(actor or customer, customer, [],
                                   [service.LineValues(f"Work {i}", 1, Decimal(a)) for i, a in enumerate(amounts)])
    service.issue(actor or customer, invoice, lambda _invoice: b"%PDF-1.7 test")
    if paid:
        service.mark_paid(actor or customer, invoice)
    db.session.commit()
    return invoice


def draft(customer):
    invoice = service.create_draft(customer, customer, [], [service.LineValues("Draft work", 1, Decimal("9.99"))])
    db.session.commit()
    return invoice


def test_a_client_sees_their_issued_invoices_only(app):
    acme = make_customer_account("acme", name="Acme Ltd", email="billing@acme.example")
    globex = make_customer_account("globex", email="ap@globex.example")
    db.session.commit()
    mine = issued(acme, "12.50", "3.00")
    paid = issued(acme, "1.00", paid=True)
    hidden_draft = draft(acme)
    theirs = issued(globex, "77.00")
    assert service.unpaid_invoices(acme).count == 1  # for the client's home: the paid one and the draft aside
    client = signed_in(app, acme)
    page = client.get("/my/invoices")
    assert page.status_code == 200
    assert mine.display_number in page.text and "€15.50" in page.text and paid.display_number in page.text
    assert "Paid" in page.text and "Awaiting payment" in page.text
    assert theirs.display_number not in page.text and "€77.00" not in page.text and "€9.99" not in page.text
    assert f'href="/my/invoices/{mine.id}/pdf"' in page.text
    assert 'href="/my/invoices"' in page.text  # "My invoices" in the client's sidebar
    view = client.get(f"/my/invoices/{mine.id}")
    assert view.status_code == 200 and "Work 1" in view.text and "€15.50" in view.text
    response = client.get(f"/my/invoices/{mine.id}/pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert response.mimetype == "application/pdf"
    assert f"invoice-{mine.display_number}.pdf" in response.headers["Content-Disposition"]
    # Another client's invoice, a draft, an id that does not exist: 404, the same answer.
    for invoice_id in (theirs.id, hidden_draft.id, 999):
        assert client.get(f"/my/invoices/{invoice_id}").status_code == 404
        assert client.get(f"/my/invoices/{invoice_id}/pdf").status_code == 404


def test_a_cancelled_invoice_stays_visible_to_the_client(app):
    acme = make_customer_account("acme", email="billing@acme.example")
    db.session.commit()
    invoice = issued(acme, "5.00")
    service.cancel(acme, invoice)
    db.session.commit()
    client = signed_in(app, acme)
    assert "Cancelled" in client.get("/my/invoices").text
    assert client.get(f"/my/invoices/{invoice.id}").status_code == 200


def test_staff_and_anonymous_visitors_do_not_open_the_client_pages(app):
    acme = make_customer_account("acme", email="billing@acme.example")
    staff = make_staff("clerk", rights=["invoices.view", "invoices.send"])
    db.session.commit()
    invoice = issued(acme, "5.00")
    anonymous = app.test_client()
    for url in ("/my/invoices", f"/my/invoices/{invoice.id}", f"/my/invoices/{invoice.id}/pdf"):
        response = anonymous.get(url)
        assert response.status_code == 302 and "/login" in response.location
    clerk = signed_in(app, staff)
    response = clerk.get("/my/invoices")
    assert response.status_code == 302 and response.location.endswith("/")  # staff go to the console


def test_an_empty_list_says_so(app):
    acme = make_customer_account("acme", email="billing@acme.example")
    db.session.commit()
    draft(acme)  # not issued: not shown
    page = signed_in(app, acme).get("/my/invoices").text
    assert "You have no invoices yet." in page


def test_the_clients_list_paginates_and_runs_constant_queries(app, count_queries):
    acme = make_customer_account("acme", email="billing@acme.example")
    db.session.commit()
    client = signed_in(app, acme)

    def measure():
        with count_queries() as listed:
            assert client.get("/my/invoices").status_code == 200
        return listed.n

    issued(acme, "1.00")
    small = measure()
    for index in range(13):
        issued(acme, "2.00", "3.00", paid=index % 3 == 0)
        add_charge(acme.id, "1.00", f"Charge {index}")
    db.session.commit()
    assert measure() == small
    first = client.get("/my/invoices").text  # Previous and Next: the page is not counted
    assert "Page 1" in first and 'rel="next"' in first and 'rel="prev"' not in first
    last = client.get("/my/invoices", query_string={"page": "3"})
    assert last.status_code == 200 and 'rel="next"' not in last.text and 'rel="prev"' in last.text
    assert client.get("/my/invoices", query_string={"page": "4"}).status_code == 404
