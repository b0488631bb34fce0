"""Invoices end to end: a staff member who may send invoices makes one for a client from the client's charges
and a typed line, issues and sends it; the email with the PDF arrives (a local aiosmtpd server); the client opens
"My invoices" and downloads the PDF."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, create_staff, log_in, nav, query, shot
from tests.factories import make_customer_account
from tests.mail import wait_until
from webapp.extensions import db
from webapp.finance.ledger import add_charge

pytestmark = pytest.mark.browser


def make_billed_client(server, login):
    def create():
        account = make_customer_account(login, name="Acme Trading Ltd", email=f"{login}@client.example")
        add_charge(account.id, "49.90", "Virtual server S, December")
        add_charge(account.id, "5.00", "Daily backups, December")
        db.session.commit()
    query(server, create)


def fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def shots(page, name: str) -> None:
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        shot(page, f"{name}-{width}")
        fits(page, width)
    page.set_viewport_size({"width": 1366, "height": 900})


def test_staff_issue_an_invoice_and_the_client_downloads_it(new_context, live_server, watch_page, smtp_server,
                                                           tmp_path):
    make_billed_client(live_server, "acme-trading")
    create_staff(live_server, "biller", name="Bianca Biller", rights=["invoices.view", "invoices.send"])

    staff = watch_page(new_context(base_url=live_server.url).new_page())
    log_in(staff, "biller", PASSWORD)
    nav(staff).get_by_role("link", name="Invoices").click()
    expect(staff.get_by_role("heading", name="Invoices")).to_be_visible()
    staff.get_by_role("link", name="New invoice").first.click()
    staff.get_by_label("Client").fill("nobody-here")
    staff.get_by_role("button", name="Continue").click()
    expect(staff.get_by_text("There is no client with the login “nobody-here”.")).to_be_visible()
    shots(staff, "invoice-choose-client")
    staff.get_by_label("Client").fill("ACME-trading")
    staff.get_by_role("button", name="Continue").click()
    expect(staff.get_by_label(re.compile("Virtual server S, December"))).to_be_checked()
    expect(staff.get_by_label(re.compile("Daily backups, December"))).to_be_checked()
    staff.get_by_label("Line 1: description").fill("Setup of the mail domain")
    staff.get_by_label("Line 1: quantity").fill("2")
    staff.get_by_label("Line 1: unit price").fill("abc")
    staff.get_by_role("button", name="Save draft").click()
    expect(staff.get_by_role("alert")).to_contain_text("Line 1: enter the unit price")
    staff.get_by_label("Line 1: unit price").fill("12,50")
    shots(staff, "invoice-form")
    staff.get_by_role("button", name="Save draft").click()
    expect(staff.get_by_text("A draft invoice to Acme Trading Ltd is saved.")).to_be_visible()
    expect(staff.get_by_role("cell", name="€79.90")).to_be_visible()
    staff.get_by_role("button", name="Issue and send").click()
    flash = staff.get_by_text(re.compile(r"Invoice \d{4}-\d{5} is issued and sent to acme-trading@client\.example"))
    expect(flash).to_be_visible()
    number = re.search(r"\d{4}-\d{5}", flash.text_content()).group(0)
    expect(staff.get_by_role("heading", name=re.compile(f"Invoice {number}"))).to_be_visible()
    expect(staff.locator("#content dd", has_text="Bianca Biller")).to_be_visible()
    shots(staff, "invoice-view")
    nav(staff).get_by_role("link", name="Invoices").click()
    expect(staff.get_by_role("link", name=number)).to_be_visible()
    shots(staff, "invoices")

    # The email with the PDF attached.
    assert wait_until(lambda: any(m["To"] == "acme-trading@client.example" for m in smtp_server.messages))
    email = next(m for m in smtp_server.messages if m["To"] == "acme-trading@client.example")
    assert number in email["Subject"]
    [attachment] = list(email.iter_attachments())
    assert attachment.get_filename() == f"invoice-{number}.pdf"
    assert attachment.get_content().startswith(b"%PDF")

    client = watch_page(new_context(base_url=live_server.url).new_page())
    log_in(client, "acme-trading", PASSWORD)
    nav(client, "My account").get_by_role("link", name="My invoices").click()
    row = client.get_by_role("row", name=re.compile(number))
    expect(row).to_contain_text("€79.90")
    expect(row).to_contain_text("Awaiting payment")
    shots(client, "my-invoices")
    row.get_by_role("link", name=number, exact=True).click()
    expect(client.get_by_text("Setup of the mail domain")).to_be_visible()
    shots(client, "my-invoice")
    with client.expect_download() as download_info:
        client.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename == f"invoice-{number}.pdf"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
