"""/reports: payments and charges per month of a period, in the company's time zone, exact; the period's bounds and
fallbacks; the SVG chart under its own CSP; the CSV (BOM, language, no formula can run); the rights."""
import csv
import io
import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import insert

from tests.conftest import login
from tests.factories import make_customer_account, make_staff
from webapp.extensions import db
from webapp.finance import ledger
from webapp.models import Charge, Payment, PaymentMethod, PaymentStatus
from webapp.settings.service import company_settings

SVG = "{http://www.w3.org/2000/svg}"
PERIOD = {"from": "2026-01", "to": "2026-03"}


def signed_in(app, account):
    client = app.test_client()
    assert login(client, account).status_code == 302
    return client


def pay(customer, amount, day, status=PaymentStatus.confirmed):
    db.session.add(Payment(client_id=customer.id, amount=Decimal(amount), method=PaymentMethod.bank_transfer,
                           status=status, received_on=day))


def charge(customer, amount, moment, cancelled=False, description="Hosting"):
    made = ledger.add_charge(customer.id, amount, description)
    made.created_at = moment
    if cancelled:
        made.cancelled_at = moment
    db.session.flush()


def set_company_zone(zone):
    settings = company_settings()
    settings.timezone = zone
    db.session.merge(settings)
    db.session.commit()


@pytest.fixture
def books(app):
    """Payments and charges in January–March 2026 and around them, with the company in UTC."""
    acme = make_customer_account("acme")
    pay(acme, "100.10", date(2026, 1, 1))
    pay(acme, "0.20", date(2026, 1, 31))
    pay(acme, "50.00", date(2026, 2, 15), PaymentStatus.pending)  # not confirmed: not counted
    pay(acme, "70.00", date(2026, 2, 16), PaymentStatus.cancelled)
    pay(acme, "999.00", date(2025, 12, 31))  # before the period
    pay(acme, "30.00", date(2026, 3, 31))
    charge(acme, "40.05", datetime(2026, 1, 5, 10, tzinfo=UTC))
    charge(acme, "25.00", datetime(2026, 2, 28, 23, 30, tzinfo=UTC))  # March in Moscow
    charge(acme, "12.00", datetime(2026, 2, 20, tzinfo=UTC), cancelled=True)
    charge(acme, "80.00", datetime(2026, 3, 31, 23, 59, tzinfo=UTC))  # April in Moscow
    reporter = make_staff("reporter", rights=["reports.finance"])
    db.session.commit()
    set_company_zone("UTC")
    return {"acme": acme, "reporter": reporter}


def table(html: str) -> dict:
    rows = {}
    for month, cells in re.findall(r'<tr data-month="([^"]+)"[^>]*>(.*?)</tr>', html, re.S):
        rows[month] = dict(re.findall(r'data-col="(\w+)" data-amount="([^"]+)"', cells))
    return rows


def test_the_months_in_the_companys_zone(app, books):
    page = signed_in(app, books["reporter"]).get("/reports", query_string=PERIOD)
    assert page.status_code == 200
    assert table(page.text) == {
        "2026-01": {"payments": "100.30", "charges": "40.05", "net": "60.25"},
        "2026-02": {"payments": "0.00", "charges": "25.00", "net": "-25.00"},
        "2026-03": {"payments": "30.00", "charges": "80.00", "net": "-50.00"},
        "total": {"payments": "130.30", "charges": "145.05", "net": "-14.75"},
    }
    assert "time zone (UTC)" in page.text
    set_company_zone("Europe/Moscow")
    moscow = table(signed_in(app, books["reporter"]).get("/reports", query_string=PERIOD).text)
    assert moscow["2026-02"]["charges"] == "0.00" and moscow["2026-03"]["charges"] == "25.00"
    assert moscow["total"]["charges"] == "65.05"


def test_a_single_month_and_the_default_period(app, books):
    as_reporter = signed_in(app, books["reporter"])
    one = table(as_reporter.get("/reports", query_string={"from": "2026-01", "to": "2026-01"}).text)
    assert one == {"2026-01": {"payments": "100.30", "charges": "40.05", "net": "60.25"},
                   "total": {"payments": "100.30", "charges": "40.05", "net": "60.25"}}
    default = table(as_reporter.get("/reports").text)
    assert len(default) == 13  # the last 12 months and the total
    today = date.today()
    assert f"{today:%Y-%m}" in default


@pytest.mark.parametrize("args,note,months", [
    ({"from": "2026-13", "to": "2026-03"}, "is not a month", 12),
    ({"from": "2026-03", "to": "2026-01"}, "they are swapped", 3),
    ({"from": "2010-01", "to": "2026-03"}, "At most 60 months", 60),
    ({"from": "=1+1", "to": "nonsense"}, "is not a month", 12),
])
def test_bad_periods_fall_back_and_say_so(app, books, args, note, months):
    page = signed_in(app, books["reporter"]).get("/reports", query_string=args)
    assert page.status_code == 200 and note in page.text
    assert len(table(page.text)) == months + 1


def test_sums_are_exact_over_many_small_amounts(app, books):
    acme = books["acme"]
    db.session.execute(insert(Payment), [
        {"client_id": acme.id, "amount": Decimal(a), "method": PaymentMethod.cash, "status": PaymentStatus.confirmed,
         "received_on": date(2026, 2, 3)} for a in ["0.10", "0.20"] * 5000])
    db.session.execute(insert(Charge), [
        {"client_id": acme.id, "amount": Decimal("0.01"), "description": "tick",
         "created_at": datetime(2026, 2, 4, tzinfo=UTC)} for _ in range(3333)])
    db.session.commit()
    rows = table(signed_in(app, books["reporter"]).get("/reports", query_string=PERIOD).text)
    assert rows["2026-02"] == {"payments": "1500.00", "charges": "58.33", "net": "1441.67"}


def test_the_chart_is_svg_that_runs_nothing(app, books):
    response = signed_in(app, books["reporter"]).get("/reports/chart.svg", query_string=PERIOD)
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'"
    root = ET.fromstring(response.data)
    assert root.tag == f"{SVG}svg" and root.find(f"{SVG}title").text == "Payments and charges per month"
    titles = [t.text for t in root.iter(f"{SVG}title")]
    assert "Payments, January 2026: €100.30" in titles and "Charges, March 2026: €80.00" in titles
    assert "net -€14.75" in root.find(f"{SVG}desc").text
    assert b"<script" not in response.data and b"style=" not in response.data
    page = signed_in(app, books["reporter"]).get("/reports", query_string=PERIOD)
    assert '<img class="stats-chart report-chart" src="/reports/chart.svg?from=2026-01&amp;to=2026-03"' in page.text


def test_an_empty_period_draws_an_empty_chart(app, books):
    response = signed_in(app, books["reporter"]).get("/reports/chart.svg", query_string={"from": "2020-01",
                                                                                         "to": "2020-02"})
    assert b"No payments or charges in this period." in response.data


def test_the_csv_is_exact_and_no_cell_can_run_a_formula(app, books):
    acme = books["acme"]
    # Text that people type never reaches the report's cells: it is all aggregates.
    charge(acme, "1.00", datetime(2026, 1, 2, tzinfo=UTC), description='=HYPERLINK("http://evil","x")')
    acme.name_en = "@SUM(1+1)"
    db.session.commit()
    response = signed_in(app, books["reporter"]).get("/reports/finance.csv", query_string=PERIOD)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="finance-2026-01_2026-03.csv"'
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["Month", "Payments (EUR)", "Charges (EUR)", "Net (EUR)"]
    assert rows[1:] == [["2026-01", "100.30", "41.05", "59.25"], ["2026-02", "0.00", "25.00", "-25.00"],
                        ["2026-03", "30.00", "80.00", "-50.00"], ["Total", "130.30", "146.05", "-15.75"]]
    for row in rows:
        for cell in row:
            # A number (a negative one is a number to a spreadsheet, not a formula), a month, or plain text.
            assert re.fullmatch(r"-?[0-9]+\.[0-9]{2}|[0-9]{4}-[0-9]{2}", cell) or not cell.startswith(
                ("=", "+", "-", "@", "\t", "\r")), cell


def test_the_csv_neutralises_its_text_cells(app, books, monkeypatch):
    """Should a header ever start like a formula (a translation), it is neutralised."""
    from webapp.finance import report_csv

    monkeypatch.setattr(report_csv, "_", lambda text, **kw: "=" + text % kw if kw else "@" + text)
    from webapp.finance.reports import ReportFilter, report

    with app.test_request_context():
        text = report_csv.report_csv(report(ReportFilter(date(2026, 1, 1), date(2026, 1, 1), "UTC")), "EUR")
    header, *rest = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert header[0] == "'@Month" and header[1] == "'=Payments (EUR)"
    assert rest[-1][0] == "'@Total"


def test_the_csv_in_russian_uses_decimal_commas_and_semicolons(app, books):
    reporter = books["reporter"]
    reporter.locale = "ru"
    db.session.commit()
    response = signed_in(app, reporter).get("/reports/finance.csv", query_string=PERIOD)
    lines = response.data.decode("utf-8-sig").splitlines()
    assert lines[1] == "2026-01;100,30;40,05;60,25"
    assert lines[-1].endswith(";130,30;145,05;-14,75")


def test_only_reports_finance_opens_the_report(app, books):
    others = make_staff("others", rights=["payments.view", "expenses.view", "payments.edit", "expenses.edit"])
    db.session.commit()
    for account in (others, books["acme"]):
        client = signed_in(app, account)
        for url in ("/reports", "/reports/chart.svg", "/reports/finance.csv"):
            assert client.get(url).status_code == 403, (account.login, url)
    as_reporter = signed_in(app, books["reporter"])
    for url in ("/reports", "/reports/chart.svg", "/reports/finance.csv"):
        assert as_reporter.get(url).status_code == 200
    assert '>Reports</a>' in as_reporter.get("/").text


def test_the_report_runs_a_constant_number_of_queries(app, books, count_queries):
    as_reporter = signed_in(app, books["reporter"])

    def queries():
        counts = []
        for url in ("/reports", "/reports/chart.svg", "/reports/finance.csv"):
            as_reporter.get(url, query_string={"from": "2022-01", "to": "2026-12"})
            with count_queries() as counter:
                as_reporter.get(url, query_string={"from": "2022-01", "to": "2026-12"})
            counts.append(counter.n)
        return counts

    small = queries()
    acme = books["acme"]
    for month in range(1, 13):
        for _ in range(5):
            pay(acme, "3.00", date(2025, month, 2))
            charge(acme, "1.50", datetime(2024, month, 3, tzinfo=UTC))
    db.session.commit()
    assert queries() == small
