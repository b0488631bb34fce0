"""Invoices for staff: the rights, drafts from charges and typed lines, numbering per year without gaps (also
under concurrent issue and after a failed one), the PDF, the email with the PDF attached, paid and cancelled."""
import threading
import zlib
from datetime import datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.conftest import login
from tests.factories import make_customer_account, make_staff
from webapp.extensions import db
from webapp.finance.ledger import add_charge
from webapp.invoices import service
from webapp.invoices.pdf import invoice_html, render_invoice_pdf
from webapp.models import (
    AuditEntry,
    Charge,
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    InvoiceStatus,
    OutboxAttachment,
    OutboxMessage,
)
from webapp.models.accounts import utcnow

VIEW, SEND = ["invoices.view"], ["invoices.view", "invoices.send"]


def signed_in(app, account):
    client = app.test_client()
    assert login(client, account).status_code == 302
    return client


def fresh(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


def this_year() -> int:
    return utcnow().astimezone(service.company_zone()).year


def pdf_objects(pdf: bytes) -> bytes:
    """The PDF's objects, its compressed streams inflated (its title, the invoice's number, is in there)."""
    parts, position = [pdf], 0
    while (start := pdf.find(b"stream", position)) != -1:
        start = pdf.index(b"\n", start) + 1
        end = pdf.find(b"endstream", start)
        try:
            parts.append(zlib.decompress(pdf[start:end].rstrip(b"\r\n")))
        except zlib.error:
            pass
        position = end + 9
    return b"".join(parts)


@pytest.fixture
def billing(app):
    """A client with two open charges, a cancelled one and one of another client; a sender and a viewer."""
    customer = make_customer_account("acme", name="Acme Ltd", email="billing@acme.example")
    other = make_customer_account("globex", name="Globex", email="ap@globex.example")
    hosting = add_charge(customer.id, "12.50", "Hosting, November")
    backup = add_charge(customer.id, "3.00", "Backup")
    cancelled = add_charge(customer.id, "99.00", "Cancelled setup")
    cancelled.cancelled_at = utcnow()
    foreign = add_charge(other.id, "7.00", "Globex hosting")
    sender = make_staff("sender", name="Sam Sender", rights=SEND)
    viewer = make_staff("viewer", rights=VIEW)
    db.session.commit()
    return {"customer": customer, "other": other, "hosting": hosting, "backup": backup, "cancelled": cancelled,
            "foreign": foreign, "sender": sender, "viewer": viewer}


def new_draft(client, login_name="acme", charges=(), lines=()):
    data = {"client": login_name, "charges": [str(c) for c in charges]}
    for index, (description, quantity, price) in enumerate(lines):
        data.update({f"lines-{index}-description": description, f"lines-{index}-quantity": quantity,
                     f"lines-{index}-unit_price": price})
    return client.post("/invoices/new", data=data)


def draft_for(customer, charges=(), lines=(), actor=None):
    invoice = service.create_draft(actor or customer, customer, list(charges),
                                   [service.LineValues(d, q, Decimal(p)) for d, q, p in lines])
    db.session.commit()
    return invoice


def invoice_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Invoice))


# Rights ---------------------------------------------------------------------------------------------------

def test_the_rights_matrix(app, billing):
    invoice = draft_for(billing["customer"], [billing["hosting"]], actor=billing["sender"])
    viewer = signed_in(app, billing["viewer"])
    for url in ("/invoices", f"/invoices/{invoice.id}"):
        assert viewer.get(url).status_code == 200
    assert viewer.get(f"/invoices/{invoice.id}/pdf").data.startswith(b"%PDF")
    page = viewer.get(f"/invoices/{invoice.id}").text
    assert "Issue and send" not in page and "Edit" not in page
    assert "New invoice" not in viewer.get("/invoices").text
    for url in ("/invoices/new", f"/invoices/{invoice.id}/edit", f"/invoices/{invoice.id}/delete",
                f"/invoices/{invoice.id}/cancel"):
        assert viewer.get(url).status_code == 403, url
    for url in ("/invoices/new", f"/invoices/{invoice.id}/edit", f"/invoices/{invoice.id}/delete",
                f"/invoices/{invoice.id}/issue", f"/invoices/{invoice.id}/paid", f"/invoices/{invoice.id}/cancel"):
        assert viewer.post(url, data={"client": "acme", "charges": [str(billing["backup"].id)]}).status_code == 403
    assert fresh(Invoice, invoice.id).status is InvoiceStatus.draft and invoice_count() == 1

    # Marking an invoice paid is an invoice's change of state: invoices.send, not payments.edit.
    cashier = signed_in(app, make_staff("cashier", rights=["invoices.view", "payments.view", "payments.edit"]))
    assert cashier.post(f"/invoices/{invoice.id}/paid").status_code == 403

    nobody = signed_in(app, make_staff("nobody", rights=["clients.view", "payments.view"]))
    db.session.commit()
    for url in ("/invoices", f"/invoices/{invoice.id}", f"/invoices/{invoice.id}/pdf"):
        assert nobody.get(url).status_code == 403
    assert "/invoices" not in nobody.get("/").text

    customer = signed_in(app, billing["customer"])
    for url in ("/invoices", f"/invoices/{invoice.id}", f"/invoices/{invoice.id}/pdf", "/invoices/new"):
        assert customer.get(url).status_code == 403, url
    assert customer.post(f"/invoices/{invoice.id}/issue").status_code == 403
    assert fresh(Invoice, invoice.id).status is InvoiceStatus.draft

    sender = signed_in(app, billing["sender"])
    home = sender.get("/").text
    assert 'href="/invoices"' in home and "Finance" in home
    assert sender.get("/invoices/new").status_code == 200
    assert sender.post(f"/invoices/{invoice.id}/issue").status_code == 302
    assert fresh(Invoice, invoice.id).status is InvoiceStatus.sent


def test_unknown_ids_are_404(app, as_admin, billing):
    for url in ("/invoices/999", "/invoices/999/pdf", "/invoices/999/edit", "/invoices/999/delete",
                "/invoices/999/cancel"):
        assert as_admin.get(url).status_code == 404, url
    for url in ("/invoices/999/issue", "/invoices/999/paid", "/invoices/999/delete", "/invoices/999/cancel"):
        assert as_admin.post(url).status_code == 404, url


# Drafts ---------------------------------------------------------------------------------------------------

def test_a_new_invoice_offers_the_clients_open_charges(app, billing):
    sender = signed_in(app, billing["sender"])
    page = sender.get("/invoices/new", query_string={"client": "ACME"})
    assert page.status_code == 200
    assert "Hosting, November" in page.text and "Backup" in page.text
    assert "Cancelled setup" not in page.text and "Globex hosting" not in page.text
    assert page.text.count("checked") == 2  # the open charges are prefilled
    response = new_draft(sender, charges=[billing["hosting"].id, billing["backup"].id],
                         lines=[("Setup fee", "2", "10,25")])
    assert response.status_code == 302
    invoice = db.session.scalar(select(Invoice))
    assert invoice.status is InvoiceStatus.draft and invoice.number is None and invoice.currency == "EUR"
    assert [(line.description, line.quantity, line.amount, line.charge_id is not None) for line in invoice.lines] == [
        ("Hosting, November", 1, Decimal("12.50"), True), ("Backup", 1, Decimal("3.00"), True),
        ("Setup fee", 2, Decimal("20.50"), False)]
    assert invoice.total == Decimal("36.00") and invoice.created_by_id == billing["sender"].id
    assert fresh(Charge, billing["hosting"].id).invoice_id is None  # billed only when issued
    # A charge on a draft is not offered for another draft.
    page = sender.get("/invoices/new", query_string={"client": "acme"}).text
    assert "Hosting, November" not in page and "no charges waiting" in page
    view = sender.get(f"/invoices/{invoice.id}").text
    assert "€36.00" in view and "Setup fee" in view and "billing@acme.example" in view


@pytest.mark.parametrize("form,message", [
    ({"client": "nobody"}, "There is no client with the login “nobody”."),
    ({"client": ""}, "Enter the client's login."),
    ({"lines-0-description": "Fee", "lines-0-quantity": "0", "lines-0-unit_price": "1"},
     "Line 1: the quantity must be a whole number"),
    ({"lines-0-description": "Fee", "lines-0-quantity": "1.5", "lines-0-unit_price": "1"},
     "Line 1: the quantity must be a whole number"),
    ({"lines-0-description": "Fee", "lines-0-quantity": "١", "lines-0-unit_price": "1"},
     "Line 1: the quantity must be a whole number"),
    ({"lines-1-description": "Fee", "lines-1-quantity": "1", "lines-1-unit_price": "-5"},
     "Line 2: enter the unit price"),
    ({"lines-0-description": "Fee", "lines-0-quantity": "1", "lines-0-unit_price": "1e3"},
     "Line 1: enter the unit price"),
    ({"lines-0-description": "Fee", "lines-0-quantity": "1", "lines-0-unit_price": "NaN"},
     "Line 1: enter the unit price"),
    ({"lines-0-quantity": "1", "lines-0-unit_price": "5"}, "Line 1: enter a description."),
    ({"lines-0-description": "Fee\u202e", "lines-0-quantity": "1", "lines-0-unit_price": "5"},
     "contains control characters"),
    ({"lines-0-description": "x" * 256, "lines-0-quantity": "1", "lines-0-unit_price": "5"},
     "at most 255 characters"),
    ({"lines-0-description": "Huge", "lines-0-quantity": "100000", "lines-0-unit_price": "999999999999"},
     "The total is too large"),
    ({}, "An invoice needs at least one line"),
])
def test_bad_input_saves_nothing(app, billing, form, message):
    sender = signed_in(app, billing["sender"])
    response = sender.post("/invoices/new", data={"client": "acme", **form})
    assert response.status_code == 422, response.text
    assert message in response.text
    assert invoice_count() == 0


@pytest.mark.parametrize("login", ["\x00", "acme\x00", "ac\u202eme"])
def test_a_client_login_with_control_characters_is_no_client(app, billing, login):
    """PostgreSQL refuses a NUL in a query parameter (a 500): such a login is answered as no client's."""
    sender = signed_in(app, billing["sender"])
    page = sender.get("/invoices/new", query_string={"client": login})
    assert page.status_code == 422 and "\x00" not in page.text
    assert sender.post("/invoices/new", data={"client": login}).status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Invoice)) == 0


def test_charges_of_another_client_or_already_billed_are_refused(app, billing):
    sender = signed_in(app, billing["sender"])
    for charge in (billing["foreign"], billing["cancelled"]):
        response = new_draft(sender, charges=[charge.id])
        assert response.status_code == 422 and "can no longer be billed" in response.text
    response = new_draft(sender, charges=["abc"])
    assert response.status_code == 422
    assert invoice_count() == 0


def test_a_draft_is_edited_and_deleted_after_confirmation(app, billing):
    sender = signed_in(app, billing["sender"])
    invoice = draft_for(billing["customer"], [billing["hosting"]], [("Setup", 1, "5.00")])
    invoice_id = invoice.id
    page = sender.get(f"/invoices/{invoice_id}/edit").text
    assert 'value="Setup"' in page and "Backup" in page
    response = sender.post(f"/invoices/{invoice_id}/edit", data={
        "charges": [str(billing["backup"].id)], "lines-0-description": "Setup", "lines-0-quantity": "3",
        "lines-0-unit_price": "5", "client": "globex"})  # the client of a draft does not change
    assert response.status_code == 302
    edited = fresh(Invoice, invoice_id)
    assert edited.client_id == billing["customer"].id
    assert [(line.description, line.amount) for line in edited.lines] == [("Backup", Decimal("3.00")),
                                                                          ("Setup", Decimal("15.00"))]
    assert edited.total == Decimal("18.00")
    # Deleting asks first.
    page = sender.get(f"/invoices/{invoice_id}/delete")
    assert page.status_code == 200 and "Delete the draft invoice to Acme Ltd?" in page.text
    assert fresh(Invoice, invoice_id) is not None
    assert sender.post(f"/invoices/{invoice_id}/delete").status_code == 302
    assert fresh(Invoice, invoice_id) is None
    assert db.session.scalar(select(func.count()).select_from(InvoiceLine)) == 0
    assert "Backup" in sender.get("/invoices/new", query_string={"client": "acme"}).text


def test_an_issued_invoice_is_neither_edited_nor_deleted(app, billing):
    sender = signed_in(app, billing["sender"])
    invoice = draft_for(billing["customer"], lines=[("Setup", 1, "5.00")])
    assert sender.post(f"/invoices/{invoice.id}/issue").status_code == 302
    response = sender.post(f"/invoices/{invoice.id}/edit", data={
        "lines-0-description": "Changed", "lines-0-quantity": "1", "lines-0-unit_price": "1"})
    assert response.status_code == 302
    assert [line.description for line in fresh(Invoice, invoice.id).lines] == ["Setup"]
    assert sender.get(f"/invoices/{invoice.id}/delete").status_code == 409
    assert sender.post(f"/invoices/{invoice.id}/delete").status_code == 409
    assert fresh(Invoice, invoice.id).status is InvoiceStatus.sent


# Issuing --------------------------------------------------------------------------------------------------

def test_issue_numbers_marks_charges_records_the_send_and_queues_the_email(app, billing):
    sender = signed_in(app, billing["sender"])
    first = draft_for(billing["customer"], [billing["hosting"], billing["backup"]], [("Setup", 1, "5.00")])
    second = draft_for(billing["customer"], lines=[("Support hours", 2, "40.00")])
    assert sender.post(f"/invoices/{second.id}/issue").status_code == 302
    assert sender.post(f"/invoices/{first.id}/issue").status_code == 302
    year = this_year()
    issued = fresh(Invoice, first.id)
    assert (issued.year, issued.number, issued.display_number) == (year, 2, f"{year}-00002")
    assert fresh(Invoice, second.id).number == 1
    assert issued.status is InvoiceStatus.sent and issued.sent_by_id == billing["sender"].id
    assert issued.sent_to == "billing@acme.example" and issued.sent_at is not None and issued.issued_at is not None
    assert fresh(Charge, billing["hosting"].id).invoice_id == first.id
    assert fresh(Charge, billing["backup"].id).invoice_id == first.id
    assert db.session.get(InvoiceCounter, year).last_number == 2
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.topic == "invoice.sent")
                                .order_by(OutboxMessage.id.desc()))
    assert message.recipient == "billing@acme.example" and f"{year}-00002" in message.subject
    assert "€20.50" in message.html_body and "€20.50" in message.text_body
    attachment = db.session.scalar(select(OutboxAttachment).where(OutboxAttachment.message_id == message.id))
    assert attachment.filename == f"invoice-{year}-00002.pdf" and attachment.content_type == "application/pdf"
    assert attachment.data.startswith(b"%PDF")
    page = sender.get(f"/invoices/{first.id}").text
    assert f"Invoice {year}-00002" in page and "Sam Sender" in page and "billing@acme.example" in page
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "invoice.issue")) == 2
    # Issued twice (a double click): refused, nothing changes.
    response = sender.post(f"/invoices/{first.id}/issue")
    assert response.status_code == 409 and "only a draft can be changed" in response.text
    assert fresh(Invoice, first.id).number == 2 and db.session.get(InvoiceCounter, year).last_number == 2


def test_a_client_without_email_is_refused_and_nothing_is_numbered(app, billing):
    silent = make_customer_account("silent", name="Silent Co", email="")
    silent.email = None
    db.session.commit()
    invoice = draft_for(silent, lines=[("Setup", 1, "5.00")])
    sender = signed_in(app, billing["sender"])
    assert "has no email address" in sender.get(f"/invoices/{invoice.id}").text
    response = sender.post(f"/invoices/{invoice.id}/issue")
    assert response.status_code == 422
    assert "Silent Co has no email address" in response.text and "Nothing was numbered or sent" in response.text
    assert fresh(Invoice, invoice.id).status is InvoiceStatus.draft and fresh(Invoice, invoice.id).number is None
    assert db.session.scalar(select(func.count()).select_from(InvoiceCounter)) == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_a_failed_issue_leaves_no_gap(app, billing, monkeypatch):
    from webapp.invoices import routes

    sender = signed_in(app, billing["sender"])
    first = draft_for(billing["customer"], [billing["hosting"]])
    second = draft_for(billing["customer"], lines=[("Setup", 1, "5.00")])
    assert sender.post(f"/invoices/{first.id}/issue").status_code == 302

    def broken(invoice):
        raise RuntimeError("the PDF renderer failed")

    monkeypatch.setattr(routes, "render_invoice_pdf", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = sender.post(f"/invoices/{second.id}/issue")
    assert response.status_code == 500 and "nothing was saved" in response.text
    failed = fresh(Invoice, second.id)
    assert failed.status is InvoiceStatus.draft and failed.number is None
    assert db.session.get(InvoiceCounter, this_year()).last_number == 1
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
    monkeypatch.undo()
    assert sender.post(f"/invoices/{second.id}/issue").status_code == 302
    assert fresh(Invoice, second.id).number == 2


def test_a_charge_billed_meanwhile_refuses_the_issue(app, billing):
    """Two drafts raced for one charge (each form offered it): the second issue is refused, nothing numbered."""
    one = draft_for(billing["customer"], [billing["hosting"]])
    two = draft_for(billing["customer"], [billing["hosting"]], [("Setup", 1, "5.00")])
    sender = signed_in(app, billing["sender"])
    assert sender.post(f"/invoices/{one.id}/issue").status_code == 302
    response = sender.post(f"/invoices/{two.id}/issue")
    assert response.status_code == 409 and "billed on another invoice" in response.text
    assert fresh(Invoice, two.id).number is None and db.session.get(InvoiceCounter, this_year()).last_number == 1
    assert fresh(Charge, billing["hosting"].id).invoice_id == one.id


def test_concurrent_issues_number_without_gaps_or_duplicates(app, billing):
    drafts = [draft_for(billing["customer"], lines=[(f"Work {i}", 1, "10.00")]) for i in range(6)]
    people = [billing["sender"]] + [make_staff(f"sender{i}", rights=SEND) for i in range(5)]
    db.session.commit()
    clients = [signed_in(app, person) for person in people]
    ids = [draft.id for draft in drafts]
    db.session.commit()  # no snapshot of the test's own held open while the threads write
    barrier = threading.Barrier(len(clients))
    statuses = []

    def issue(client, invoice_id):
        barrier.wait()
        statuses.append(FlaskClient.open(client, f"/invoices/{invoice_id}/issue", method="POST").status_code)

    threads = [threading.Thread(target=issue, args=pair) for pair in zip(clients, ids, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302] * len(ids)
    db.session.expire_all()
    numbers = sorted(db.session.scalars(select(Invoice.number).where(Invoice.id.in_(ids))))
    assert numbers == list(range(1, len(ids) + 1))
    assert db.session.get(InvoiceCounter, this_year()).last_number == len(ids)


def test_the_first_invoice_of_a_new_year_starts_at_one(app, billing):
    sender = billing["sender"]
    for when, expected in ((datetime(2031, 12, 31, 12), (2031, 1)), (datetime(2031, 12, 31, 13), (2031, 2)),
                           (datetime(2032, 6, 1, 12), (2032, 1))):
        invoice = draft_for(billing["customer"], lines=[("Work", 1, "1.00")])
        service.issue(sender, service.get_invoice_or_404(invoice.id, lock=True), lambda _invoice: b"%PDF-1.7",
                      now=when.replace(tzinfo=service.company_zone()))
        db.session.commit()
        assert (invoice.year, invoice.number) == expected


# Paid and cancelled ---------------------------------------------------------------------------------------

def test_mark_paid_and_cancel(app, billing):
    sender = signed_in(app, billing["sender"])
    draft = draft_for(billing["customer"], lines=[("Setup", 1, "5.00")])
    assert sender.post(f"/invoices/{draft.id}/paid").status_code == 409  # a draft is not paid
    assert sender.get(f"/invoices/{draft.id}/cancel").status_code == 409  # a draft is deleted, not cancelled
    assert sender.post(f"/invoices/{draft.id}/cancel").status_code == 409
    paid = draft_for(billing["customer"], lines=[("Paid work", 1, "5.00")])
    sender.post(f"/invoices/{paid.id}/issue")
    assert sender.post(f"/invoices/{paid.id}/paid").status_code == 302
    assert fresh(Invoice, paid.id).status is InvoiceStatus.paid and fresh(Invoice, paid.id).paid_at is not None
    assert sender.post(f"/invoices/{paid.id}/cancel").status_code == 409  # a paid invoice is not cancelled
    assert fresh(Invoice, paid.id).status is InvoiceStatus.paid

    billed = draft_for(billing["customer"], [billing["hosting"], billing["backup"]])
    sender.post(f"/invoices/{billed.id}/issue")
    page = sender.get(f"/invoices/{billed.id}/cancel")
    assert page.status_code == 200 and "Its 2 charges are released" in page.text
    assert fresh(Invoice, billed.id).status is InvoiceStatus.sent  # only asked
    assert sender.post(f"/invoices/{billed.id}/cancel").status_code == 302
    cancelled = fresh(Invoice, billed.id)
    assert cancelled.status is InvoiceStatus.cancelled and cancelled.number == 2  # keeps its number
    assert fresh(Charge, billing["hosting"].id).invoice_id is None
    assert "Hosting, November" in sender.get("/invoices/new", query_string={"client": "acme"}).text
    again = draft_for(billing["customer"], [billing["hosting"]])
    sender.post(f"/invoices/{again.id}/issue")
    assert fresh(Invoice, again.id).number == 3  # a cancelled number is never reused
    assert sender.post(f"/invoices/{billed.id}/paid").status_code == 409


# The PDF --------------------------------------------------------------------------------------------------

def test_the_pdf_is_a_real_pdf_with_the_number(app, billing):
    from webapp.models import CompanySettings

    db.session.add(CompanySettings(id=1, company_name="Northwind Hosting", company_address="1 Main St\nSpringfield",
                                   default_locale="en", currency="EUR", sms_enabled=False))
    db.session.commit()
    sender = signed_in(app, billing["sender"])
    invoice = draft_for(billing["customer"], [billing["hosting"]], [("Setup", 2, "10.00")])
    draft_pdf = sender.get(f"/invoices/{invoice.id}/pdf")
    assert draft_pdf.status_code == 200 and draft_pdf.mimetype == "application/pdf"
    assert f'filename="invoice-draft-{invoice.id}.pdf"' in draft_pdf.headers["Content-Disposition"]
    sender.post(f"/invoices/{invoice.id}/issue")
    number = fresh(Invoice, invoice.id).display_number
    response = sender.get(f"/invoices/{invoice.id}/pdf")
    assert response.data.startswith(b"%PDF-") and response.data.rstrip().endswith(b"%%EOF")
    assert f"Invoice {number}".encode() in pdf_objects(response.data)  # the document's title
    assert f'attachment; filename="invoice-{number}.pdf"' == response.headers["Content-Disposition"]
    html = invoice_html(fresh(Invoice, invoice.id))
    for text in ("Northwind Hosting", "1 Main St\nSpringfield", "Acme Ltd", "billing@acme.example", number,
                 "Hosting, November", "€12.50", "€20.00", "€32.50"):
        assert text in html, text


def test_a_pdf_is_printed_once_until_what_it_shows_changes(app, billing, monkeypatch):
    import weasyprint

    printed = []
    original = weasyprint.HTML.write_pdf

    def counted(self, *args, **kwargs):
        printed.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", counted)
    sender = signed_in(app, billing["sender"])
    invoice = draft_for(billing["customer"], [billing["hosting"]], [("Printed once", 1, "41.00")])
    sender.post(f"/invoices/{invoice.id}/issue")
    issued = len(printed)  # issuing prints the PDF it sends
    first = sender.get(f"/invoices/{invoice.id}/pdf").data
    assert sender.get(f"/invoices/{invoice.id}/pdf").data == first and len(printed) == issued
    assert sender.post(f"/invoices/{invoice.id}/paid").status_code == 302
    paid = sender.get(f"/invoices/{invoice.id}/pdf").data
    assert len(printed) == issued + 1 and paid != first  # paid: another document


def test_the_pdf_is_in_the_clients_language_and_currency(app, billing):
    customer = billing["customer"]
    customer.locale = "ru"
    db.session.commit()
    invoice = draft_for(customer, [billing["hosting"]])
    invoice.currency = "USD"
    db.session.commit()
    html = invoice_html(invoice)
    assert "12,50\xa0$" in html and 'lang="ru"' in html  # Babel's Russian format, the invoice's currency


def test_the_pdf_fetches_nothing_from_the_network(app, billing):
    """A URL in the template or in data (an image, a stylesheet) is never fetched; data: URIs are allowed."""
    from weasyprint import HTML

    from webapp.invoices.pdf import _url_fetcher

    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the standard library's name)
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        page = (f'<link rel="stylesheet" href="{url}/style.css"><img src="{url}/logo.png">'
                '<img src="file:///etc/passwd"><img src="data:image/gif;base64,'
                'R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"><p>Invoice</p>')
        pdf = HTML(string=page, url_fetcher=_url_fetcher()).write_pdf()
    finally:
        server.shutdown()
    assert pdf.startswith(b"%PDF") and hits == []
    # A client's name that looks like markup is text on the invoice.
    billing["customer"].name_en = '<img src="http://127.0.0.1:9/x">'
    db.session.commit()
    invoice = draft_for(billing["customer"], [billing["hosting"]])
    assert "&lt;img" in invoice_html(invoice)


def test_a_pdf_renders_quickly(app, billing):
    import time

    invoice = draft_for(billing["customer"], [billing["hosting"], billing["backup"]],
                        [(f"Line {i}", 1, "1.00") for i in range(20)])
    render_invoice_pdf(invoice)  # fonts loaded once per process
    started = time.perf_counter()
    render_invoice_pdf(invoice)
    assert time.perf_counter() - started < 1.5  # ~0.05–0.1 s here; generous for a busy machine


# The email ------------------------------------------------------------------------------------------------

def test_the_email_with_the_pdf_arrives_in_the_clients_language(mail_app, smtp_server, billing):
    customer = billing["customer"]
    customer.locale = "ru"
    db.session.commit()
    invoice = draft_for(customer, [billing["hosting"]], [("Setup", 1, "5.00")])
    sender = signed_in(mail_app, billing["sender"])
    assert sender.post(f"/invoices/{invoice.id}/issue").status_code == 302
    number = fresh(Invoice, invoice.id).display_number
    [email] = smtp_server.inbox.wait_for(1)
    assert email["To"] == "billing@acme.example"
    assert number in email["Subject"]
    assert email.get_content_type() == "multipart/mixed"
    html = email.get_body(("html",)).get_content()
    assert f'href="http://console.example.test/my/invoices/{invoice.id}"' in html and "17,50" in html
    assert "17,50" in email.get_body(("plain",)).get_content()
    [attachment] = list(email.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"invoice-{number}.pdf"
    data = attachment.get_content()
    assert data.startswith(b"%PDF") and data == db.session.scalar(select(OutboxAttachment.data))
    db.session.expire_all()
    assert db.session.scalar(select(OutboxMessage.status)).value == "sent"


# Lists ----------------------------------------------------------------------------------------------------

def test_the_list_filters_by_status_client_and_year(app, billing):
    sender = signed_in(app, billing["sender"])
    acme = draft_for(billing["customer"], lines=[("Acme work", 1, "1.00")])
    globex = draft_for(billing["other"], lines=[("Globex work", 1, "2.00")])
    sender.post(f"/invoices/{globex.id}/issue")
    year = this_year()
    page = sender.get("/invoices").text
    assert f"Draft #{acme.id}" in page and f"{year}-00001" in page and "€2.00" in page
    page = sender.get("/invoices", query_string={"status": "sent"}).text
    assert f"{year}-00001" in page and f"Draft #{acme.id}" not in page
    page = sender.get("/invoices", query_string={"q": "acme"}).text
    assert f"Draft #{acme.id}" in page and f"{year}-00001" not in page
    assert 'href="/invoices?q=acme"' in page  # the client's name lists the client's invoices
    page = sender.get("/invoices", query_string={"year": str(year)}).text
    assert f"{year}-00001" in page and f"Draft #{acme.id}" not in page
    assert "No invoice matches" in sender.get("/invoices", query_string={"year": "1999"}).text
    for bad in ({"status": "bogus"}, {"year": "abc"}, {"year": "١٢"}, {"page": "99999999999"}, {"q": "\x00%_"}):
        assert sender.get("/invoices", query_string=bad).status_code == 200, bad


def test_an_invoice_page_runs_constant_queries(app, billing, count_queries):
    sender = signed_in(app, billing["sender"])

    def measure(invoice):
        with count_queries() as page:
            assert sender.get(f"/invoices/{invoice.id}").status_code == 200
        return page.n

    small = measure(draft_for(billing["customer"], [billing["hosting"]], [("One", 1, "1.00")]))
    large = draft_for(billing["customer"], [billing["backup"]], [(f"Line {i}", i + 1, "2.00") for i in range(30)])
    assert measure(large) == small
    service.issue(billing["viewer"], large, lambda _invoice: b"%PDF")
    db.session.commit()
    assert measure(large) == small + 1  # who sent it (someone else)


def test_the_list_paginates_and_runs_constant_queries(app, billing, count_queries):
    sender = signed_in(app, billing["sender"])

    def measure():
        with count_queries() as counter:
            assert sender.get("/invoices").status_code == 200
        with count_queries() as searched:
            assert sender.get("/invoices", query_string={"q": "acme", "status": "sent", "year": "2026"}
                              ).status_code == 200
        return counter.n, searched.n

    draft_for(billing["customer"], lines=[("One", 1, "1.00")])
    small = measure()
    customers = [make_customer_account(f"bulk{i}", email=f"bulk{i}@example.com") for i in range(6)]
    db.session.commit()
    for index in range(14):
        invoice = draft_for(customers[index % 6], lines=[(f"Work {index}", 1, "3.00"), ("More", 2, "1.00")])
        if index % 2:
            service.issue(billing["sender"], invoice, lambda _invoice: b"%PDF")
    db.session.commit()
    assert measure() == small
    page = sender.get("/invoices").text
    assert "Page 1<" in page and 'rel="next"' in page  # not counted
    last = sender.get("/invoices", query_string={"page": 3}).text
    assert "Page 3<" in last and 'rel="next"' not in last
