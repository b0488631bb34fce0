"""Finance in a browser: a cashier records a payment for a client found by typing, confirms it, and sees it in
the client's balance; a charge lowers the balance; the report's chart loads as an image under the strict CSP.
Screenshots of /payments, /expenses, /reports and the client's page at 1366 and 390 px."""
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, create_staff, log_in, nav, query, shot
from tests.factories import make_customer_account
from webapp.extensions import db
from webapp.finance import ledger
from webapp.models import Account, Payment, PaymentMethod, PaymentStatus

pytestmark = pytest.mark.browser


def seed():
    """A client to pay, and a year of history for other clients so the lists and the chart have something."""
    customer = make_customer_account("flow-client", name="Flow Client Ltd")
    now = datetime.now(UTC)
    for index in range(14):
        other = make_customer_account(f"history-{index}", name=f"History Customer {index}")
        day = (now - timedelta(days=27 * index)).date()
        db.session.add(Payment(client_id=other.id, amount=f"{120 + index * 15}.50", method=list(PaymentMethod)[index % 4],
                               status=list(PaymentStatus)[index % 3], received_on=day,
                               note="Invoice 2026-0001" if index % 2 else None))
        charge = ledger.add_charge(other.id, f"{90 + index * 7}.25", f"Hosting M, period {index}")
        charge.created_at = now - timedelta(days=27 * index + 1)
    db.session.commit()
    return customer.id


def chart_loaded(page: Page) -> None:
    page.wait_for_function("() => { const img = document.querySelector('img.report-chart');"
                           " return img && img.complete && img.naturalWidth > 0; }")


def shots(page: Page, name: str, chart: bool = False) -> None:
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 844})
        if chart:
            chart_loaded(page)
        shot(page, f"{name}-{width}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
    page.set_viewport_size({"width": 1366, "height": 844})


def test_record_confirm_and_see_the_balance_then_the_report(page: Page, live_server):
    customer_id = query(live_server, seed)
    create_staff(live_server, "cashier", rights=["clients.view", "payments.view", "payments.edit", "expenses.view",
                                                 "expenses.edit", "reports.finance"], name="Cass Cashier")
    log_in(page, "cashier", PASSWORD)

    nav(page).get_by_role("link", name="Payments").click()
    expect(page.get_by_role("heading", name="Payments")).to_be_visible()
    page.get_by_role("link", name="Record payment").first.click()
    client_field = page.get_by_label("Client")
    client_field.press_sequentially("flow-cl", delay=30)
    expect(page.locator("#client-suggestions option[value='flow-client']")).to_have_count(1)
    client_field.fill("flow-client")
    page.get_by_label("Amount").fill("1e3")
    page.get_by_role("button", name="Record payment").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the amount as a number with at most two decimals")
    expect(page.get_by_label("Client")).to_have_value("flow-client")
    shots(page, "finance-payment-form")
    page.get_by_label("Amount").fill("1 250,50")
    page.get_by_label("Method").select_option(label="Cash")
    page.get_by_role("button", name="Record payment").click()
    expect(page.get_by_role("status").filter(has_text="recorded; it counts in the balance once confirmed")).to_be_visible()
    row = page.locator("tr", has_text="flow-client")
    expect(row.get_by_text("Pending")).to_be_visible()
    row.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status").filter(has_text="confirmed: it counts in the client's balance")).to_be_visible()
    expect(row.get_by_text("Confirmed", exact=True)).to_be_visible()
    shots(page, "finance-payments")

    row.get_by_role("link", name="flow-client").click()
    expect(page.get_by_role("heading", name="Flow Client Ltd")).to_be_visible()
    expect(page.locator("[data-balance]")).to_have_text("€1,250.50")
    expect(page.get_by_role("heading", name="Payments")).to_be_visible()

    page.get_by_role("link", name="Add charge").click()
    expect(page.get_by_label("Client")).to_have_value("flow-client")
    page.get_by_label("Amount").fill("250.25")
    page.get_by_label("Description").fill("Setup of the server")
    page.get_by_role("button", name="Add charge").click()
    expect(page.get_by_role("status").filter(has_text="flow-client charged €250.25.")).to_be_visible()
    shots(page, "finance-expenses")
    page.goto(f"/clients/{customer_id}")
    expect(page.locator("[data-balance]")).to_have_text("€1,000.25")
    expect(page.get_by_role("cell", name="Setup of the server")).to_be_visible()
    shots(page, "finance-client")

    nav(page).get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Financial report")).to_be_visible()
    chart_loaded(page)
    expect(page.get_by_role("img", name="Chart: payments and charges per month.")).to_be_visible()
    assert page.evaluate("document.querySelector('img.report-chart').naturalWidth") == 760
    shots(page, "finance-reports", chart=True)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    content = open(download_info.value.path(), "rb").read()
    assert content.startswith(b"\xef\xbb\xbf") and b"Net (EUR)" in content

    def balance():
        account = db.session.query(Account).filter_by(login="flow-client").one()
        return ledger.balance(account.id)
    assert str(query(live_server, balance)) == "1000.25"
