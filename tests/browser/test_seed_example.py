"""The seed document's example, end to end: the Sales department opens clients, products/services (tariff plans,
services, tasks), payments and expenses, and is refused invoices, reports, settings and support tickets. John,
added to Sales, cannot open invoices until an admin grants him "View invoices" on his rights page; with "Send
invoices" granted as well he sends an invoice to a client, and the client receives the email with the PDF."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import PASSWORD, create_staff, htmx_settled, log_in, log_in_as_admin, nav, query, shot
from tests.factories import make_customer_account
from tests.mail import wait_until
from webapp.extensions import db
from webapp.finance.ledger import add_charge
from webapp.models import Department, Invoice, InvoiceStatus

pytestmark = pytest.mark.browser

SALES_PAGES = ("Clients", "Tariff plans", "Services", "Tasks", "Payments", "Expenses")
REFUSED = {"/invoices": "View invoices", "/reports": "Financial reports", "/settings": "Global settings",
           "/support/tickets": "Support tickets"}


def test_john_in_sales_sends_an_invoice_once_granted_view_and_send(new_context, live_server, watch_page,
                                                                    smtp_server):
    sales_id = query(live_server, lambda: db.session.scalar(
        select(Department.id).where(Department.name_en == "Sales department")))
    john_id = create_staff(live_server, "john", name="John Smith", department_ids=[sales_id])

    def billed_client():
        account = make_customer_account("globex", name="Globex Corp", email="billing@globex.example")
        add_charge(account.id, "120.00", "Dedicated server, December")
        db.session.commit()
    query(live_server, billed_client)

    # John, in Sales: the department's pages, and nothing more.
    john = watch_page(new_context(base_url=live_server.url).new_page())
    log_in(john, "john", PASSWORD)
    expect(nav(john).get_by_role("link")).to_have_text(["Dashboard", *SALES_PAGES])
    for name in SALES_PAGES:
        nav(john).get_by_role("link", name=name, exact=True).click()
        expect(john.get_by_role("heading", name=name, exact=True)).to_be_visible()
    for path, missing in REFUSED.items():
        response = john.goto(path)
        assert response.status == 403, path
        expect(john.get_by_role("heading", name="Access denied")).to_be_visible()
        expect(john.get_by_text(missing).first).to_be_visible()  # the page names the function he lacks
    shot(john, "seed-john-refused")

    # The admin grants "View invoices" on John's rights page: John opens invoices, still cannot send.
    admin = watch_page(new_context(base_url=live_server.url).new_page())
    log_in_as_admin(admin)
    admin.goto(f"/provider/staff/{john_id}/rights")
    expect(admin.get_by_role("heading", name="Rights: John Smith")).to_be_visible()
    view_invoices = admin.get_by_role("switch", name="Individual grant: View invoices", exact=True)
    view_invoices.click()
    expect(view_invoices).to_have_attribute("aria-checked", "true")
    htmx_settled(admin)
    john.goto("/")
    nav(john).get_by_role("link", name="Invoices", exact=True).click()
    expect(john.get_by_role("heading", name="Invoices", exact=True)).to_be_visible()
    expect(john.get_by_role("link", name="New invoice")).to_have_count(0)
    assert john.goto("/invoices/new").status == 403

    # With "Send invoices" as well, John makes the invoice from the client's charges and sends it.
    send_invoices = admin.get_by_role("switch", name="Individual grant: Send invoices", exact=True)
    send_invoices.click()
    expect(send_invoices).to_have_attribute("aria-checked", "true")
    htmx_settled(admin)
    john.goto("/invoices")
    john.get_by_role("link", name="New invoice").first.click()
    john.get_by_label("Client").fill("globex")
    john.get_by_role("button", name="Continue").click()
    expect(john.get_by_label(re.compile("Dedicated server, December"))).to_be_checked()
    john.get_by_role("button", name="Save draft").click()
    expect(john.get_by_text("A draft invoice to Globex Corp is saved.")).to_be_visible()
    john.get_by_role("button", name="Issue and send").click()
    flash = john.get_by_text(re.compile(r"Invoice \d{4}-\d{5} is issued and sent to billing@globex\.example"))
    expect(flash).to_be_visible()
    number = re.search(r"\d{4}-\d{5}", flash.text_content()).group(0)
    shot(john, "seed-john-invoice-sent")

    # The client receives the email with the PDF; the invoice records who sent it.
    assert wait_until(lambda: any(m["To"] == "billing@globex.example" for m in smtp_server.messages))
    email = next(m for m in smtp_server.messages if m["To"] == "billing@globex.example")
    assert number in email["Subject"]
    [attachment] = list(email.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content().startswith(b"%PDF")
    sent = query(live_server, lambda: db.session.scalar(select(Invoice).where(Invoice.status == InvoiceStatus.sent)))
    assert sent.sent_by_id == john_id and sent.sent_to == "billing@globex.example"
