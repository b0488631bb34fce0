"""Support statistics: counts, median, 90th percentile, share within target, open and overdue per department and
month; the viewer's months; the scope; bad periods; the CSV (BOM, formula injection); the SVG chart; the CSP."""
import csv
import io
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import login
from tests.factories import make_customer_account, make_department, make_hours, make_staff
from webapp.extensions import db
from webapp.models import Account, Ticket, TicketStatus
from webapp.moments import local
from webapp.support import service
from webapp.support.stats import percentile

PAST = datetime(2020, 1, 1, tzinfo=UTC)  # an overdue deadline
FUTURE = datetime(2099, 1, 1, tzinfo=UTC)  # a deadline still ahead
SVG = "{http://www.w3.org/2000/svg}"
MARCH_APRIL = {"from": "2026-03", "to": "2026-04"}


def signed_in(app, account):
    client = app.test_client()
    assert login(client, account).status_code == 302
    return client


def make_ticket(customer, department, created, minutes=None, in_target=None, status=None, due=None):
    """A ticket received at `created`; answered `minutes` business minutes later when given; with the status
    and deadline given (no deadline by default, so it is never overdue)."""
    ticket = service.open_ticket(customer, department.id, "Subject", "Message", [], now=created)
    ticket.due_at = due
    if minutes is not None:
        ticket.first_response_at = created + timedelta(minutes=minutes)
        ticket.first_response_minutes = minutes
        ticket.first_response_in_target = in_target
        ticket.status = TicketStatus.waiting_client
    if status is not None:
        ticket.status = status
        if status is TicketStatus.closed:
            ticket.closed_at = created + timedelta(days=1)
    db.session.flush()
    return ticket


@pytest.fixture
def desk(app):
    """Two support departments (Mon–Fri 09:00–18:00 UTC, 4-hour target), their members, a client, and tickets
    with known figures in March and April 2026."""
    hours = make_hours("Office", timezone="UTC")
    helpdesk = make_department("Helpdesk", name_ru="Служба помощи", hours=hours, show_in_support=True)
    billing = make_department("Billing", hours=hours, show_in_support=True)
    agent = make_staff("agent", departments=[helpdesk], rights=["support.tickets"])
    biller = make_staff("biller", departments=[billing], rights=["support.tickets"])
    for person in (agent, biller):
        person.timezone = "UTC"
    customer = make_customer_account("acme")
    march = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)
    # Helpdesk, March: six received, five answered (30, 60, 90, 120, 600 minutes; four within target).
    for minutes in (30, 60, 90, 120):
        make_ticket(customer, helpdesk, march, minutes, True, status=TicketStatus.closed)
    make_ticket(customer, helpdesk, march + timedelta(days=5), 600, False)
    make_ticket(customer, helpdesk, march + timedelta(days=6), due=PAST)  # unanswered, overdue now
    # Helpdesk, April: one, answered in 48 minutes but late (a 0-hour target would say so); a second overdue.
    make_ticket(customer, helpdesk, datetime(2026, 4, 1, 9, 0, tzinfo=UTC), 48, False, due=PAST,
                status=TicketStatus.waiting_staff)
    # Billing, March: two answered (240 and 300 minutes; one within target), one open with a deadline ahead.
    make_ticket(customer, billing, march, 240, True)
    make_ticket(customer, billing, march, 300, False, status=TicketStatus.closed)
    make_ticket(customer, billing, datetime(2026, 3, 31, 23, 30, tzinfo=UTC), due=FUTURE)
    # Outside the period: not counted by month, but open now.
    make_ticket(customer, helpdesk, datetime(2026, 2, 28, 23, 59, tzinfo=UTC))
    db.session.commit()
    return {"helpdesk": helpdesk, "billing": billing, "agent": agent, "biller": biller, "customer": customer,
            "hours": hours}


def rows_of(html: str, department_id: int) -> dict:
    """{month: {column: text}} and the open/overdue counts of one department's block on the page."""
    block = re.search(rf'<tbody data-department="{department_id}">(.*?)</tbody>', html, re.S)
    assert block, f"no block for department {department_id}"
    body = block.group(1)
    months = {}
    for month, cells in re.findall(r'<tr[^>]*data-month="([^"]+)">(.*?)</tr>', body, re.S):
        months[month] = dict(re.findall(r'data-col="(\w+)"[^>]*>([^<]*)</td>', cells))
    open_now = int(re.search(r'data-open="(\d+)"', body).group(1))
    overdue_now = int(re.search(r'data-overdue="(\d+)"', body).group(1))
    return {"months": months, "open": open_now, "overdue": overdue_now}


def test_percentile_interpolates_between_the_nearest_values():
    assert percentile([], 0.5) is None
    assert percentile([7], 0.9) == 7
    assert percentile([1, 2, 3, 4], 0.5) == 2.5
    assert percentile([1, 2, 3, 4], 0.9) == pytest.approx(3.7)
    assert percentile([30, 60, 90, 120, 600], 0.9) == pytest.approx(408)


def test_figures_per_department_and_month(app, admin, desk):
    admin.timezone = "UTC"
    page = signed_in(app, admin).get("/support/stats", query_string=MARCH_APRIL)
    assert page.status_code == 200
    helpdesk = rows_of(page.text, desk["helpdesk"].id)
    assert helpdesk["months"]["2026-03"] == {"received": "6", "answered": "5", "median": "1.5", "p90": "6.8",
                                             "share": "80%"}
    assert helpdesk["months"]["2026-04"] == {"received": "1", "answered": "1", "median": "0.8", "p90": "0.8",
                                             "share": "0%"}
    assert helpdesk["months"]["total"] == {"received": "7", "answered": "6", "median": "1.3", "p90": "6.0",
                                           "share": "66.7%"}
    # Open now: the unanswered March ticket, April's waiting one, March's answered-but-open one, February's.
    assert (helpdesk["open"], helpdesk["overdue"]) == (4, 2)
    billing = rows_of(page.text, desk["billing"].id)
    assert billing["months"]["2026-03"] == {"received": "3", "answered": "2", "median": "4.5", "p90": "4.9",
                                            "share": "50%"}
    assert billing["months"]["2026-04"] == {"received": "0", "answered": "0", "median": "—", "p90": "—",
                                            "share": "—"}
    assert (billing["open"], billing["overdue"]) == (2, 0)
    assert "your time zone (UTC)" in page.text


def test_first_response_minutes_from_real_replies_count(app, admin, desk):
    """Through the service: a reply 3.5 business hours after arrival; the weekend does not count."""
    monday = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
    quick = service.open_ticket(desk["customer"], desk["helpdesk"].id, "Quick", "m", [], now=monday)
    service.staff_reply(desk["agent"], quick, "r", [], None, internal=False, now=monday + timedelta(hours=3.5))
    friday = datetime(2026, 5, 8, 17, 0, tzinfo=UTC)
    slow = service.open_ticket(desk["customer"], desk["helpdesk"].id, "Slow", "m", [], now=friday)
    service.staff_reply(desk["agent"], slow, "r", [], None, internal=False,
                        now=datetime(2026, 5, 11, 13, 0, tzinfo=UTC))  # 1 h on Friday + 4 h on Monday
    db.session.commit()
    admin.timezone = "UTC"
    page = signed_in(app, admin).get("/support/stats", query_string={"from": "2026-05", "to": "2026-05"})
    may = rows_of(page.text, desk["helpdesk"].id)["months"]["2026-05"]
    assert may == {"received": "2", "answered": "2", "median": "4.3", "p90": "4.9", "share": "50%"}


def test_months_are_the_viewers(app, admin, desk):
    """23:30 UTC on 31 March is already April in Tokyo; 23:59 UTC on 28 February is 1 March there."""
    admin.timezone = "Asia/Tokyo"
    page = signed_in(app, admin).get("/support/stats", query_string=MARCH_APRIL)
    billing = rows_of(page.text, desk["billing"].id)["months"]
    assert (billing["2026-03"]["received"], billing["2026-04"]["received"]) == ("2", "1")
    helpdesk = rows_of(page.text, desk["helpdesk"].id)["months"]
    assert (helpdesk["2026-03"]["received"], helpdesk["2026-04"]["received"]) == ("7", "1")
    assert "your time zone (Asia/Tokyo)" in page.text


def test_numbers_in_the_viewers_language(app, admin, desk):
    admin.timezone, admin.locale = "UTC", "ru"
    page = signed_in(app, admin).get("/support/stats", query_string=MARCH_APRIL)
    helpdesk = rows_of(page.text, desk["helpdesk"].id)["months"]
    assert helpdesk["2026-03"]["median"] == "1,5" and helpdesk["2026-03"]["share"] == "80\xa0%"
    assert "Служба помощи" in page.text


def test_the_scope_is_the_queues(app, admin, desk):
    biller = signed_in(app, desk["biller"])
    page = biller.get("/support/stats", query_string=MARCH_APRIL).text
    assert f'data-department="{desk["billing"].id}"' in page
    assert f'data-department="{desk["helpdesk"].id}"' not in page and "Helpdesk" not in page
    for path in ("/support/stats", "/support/stats.csv", "/support/stats/chart.svg"):
        for forged in (str(desk["helpdesk"].id), "99999", "abc", "-1"):
            response = biller.get(path, query_string={**MARCH_APRIL, "department": forged})
            assert response.status_code == 404, (path, forged)
            assert "Helpdesk" not in response.text
    response = biller.get("/support/stats", query_string={"department": str(desk["helpdesk"].id)})
    assert "There is no such department among those whose tickets you see." in response.text
    csv_text = biller.get("/support/stats.csv", query_string=MARCH_APRIL).data.decode("utf-8-sig")
    assert "Billing" in csv_text and "Helpdesk" not in csv_text
    svg = biller.get("/support/stats/chart.svg", query_string=MARCH_APRIL).text
    assert "Billing" in svg and "Helpdesk" not in svg
    # One department of one's own: only its rows.
    admin_page = signed_in(app, admin).get("/support/stats", query_string={
        **MARCH_APRIL, "department": str(desk["billing"].id)}).text
    assert f'data-department="{desk["billing"].id}"' in admin_page
    assert f'data-department="{desk["helpdesk"].id}"' not in admin_page


def test_staff_in_no_department_see_a_clear_empty_page(app, desk):
    loner = make_staff("loner", rights=["support.tickets"])
    db.session.commit()
    page = signed_in(app, loner).get("/support/stats")
    assert page.status_code == 200 and "You see the tickets of no department" in page.text
    assert signed_in(app, loner).get("/support/stats/chart.svg").status_code == 200


@pytest.mark.parametrize("args, note", [
    ({"from": "garbage", "to": "2026-04"}, "“garbage” is not a month (YYYY-MM)"),
    ({"from": "2026-03", "to": "2026-13"}, "“2026-13” is not a month (YYYY-MM)"),
    ({"from": "99999-01", "to": "2026-04"}, "is not a month"),
    ({"from": "1999-12", "to": "2026-04"}, "is not a month"),
    ({"from": "2026-04", "to": "2026-03"}, "The first month was after the last one: they are swapped."),
    ({"from": "2020-01", "to": "2026-04"}, "At most 24 months at a time"),
    ({"from": "\x00", "to": "\u202e"}, "is not a month"),
    ({"from": "2026-01", "to": "9999-12"}, "“9999-12” is not a month (YYYY-MM)"),
])
def test_bad_periods_fall_back_with_a_message(app, admin, desk, args, note):
    client = signed_in(app, admin)
    response = client.get("/support/stats", query_string=args)
    assert response.status_code == 200 and note in response.text
    assert "\x00" not in response.text and "\u202e" not in response.text
    for path in ("/support/stats.csv", "/support/stats/chart.svg"):
        assert client.get(path, query_string=args).status_code == 200


def test_the_period_chosen_is_kept_and_at_most_24_months(app, admin, desk):
    client = signed_in(app, admin)
    page = client.get("/support/stats", query_string={"from": "2024-01", "to": "2026-04"}).text
    assert 'name="from" value="2024-05"' in page and 'name="to" value="2026-04"' in page
    assert len(rows_of(page, desk["billing"].id)["months"]) == 24 + 1  # and the whole period
    swapped = client.get("/support/stats", query_string={"from": "2026-04", "to": "2026-03"}).text
    assert 'name="from" value="2026-03"' in swapped and 'name="to" value="2026-04"' in swapped


def test_the_default_period_is_the_last_six_months_in_the_viewers_zone(app, admin, desk):
    admin.timezone = "Pacific/Kiritimati"
    page = signed_in(app, admin).get("/support/stats").text
    current = local(datetime.now(UTC), "Pacific/Kiritimati").date().replace(day=1)
    index = current.year * 12 + current.month - 1 - 5
    first = f"{index // 12:04d}-{index % 12 + 1:02d}"
    assert f'name="to" value="{current:%Y-%m}"' in page and f'name="from" value="{first}"' in page
    assert list(rows_of(page, desk["billing"].id)["months"])[:1] == [first]


def test_csv_has_a_bom_a_header_and_neutralised_formulas(app, admin, desk):
    evil = make_department('=HYPERLINK("http://evil.example","x")', hours=desk["hours"], show_in_support=True)
    for name in ("+cmd", "-2+3", "@SUM(A1)"):
        make_department(name, hours=desk["hours"], show_in_support=True)
    make_ticket(desk["customer"], evil, datetime(2026, 3, 10, 10, tzinfo=UTC), 60, True)
    admin.timezone = "UTC"
    db.session.commit()
    response = signed_in(app, admin).get("/support/stats.csv", query_string=MARCH_APRIL)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="support-statistics-2026-03_2026-04.csv"')
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["Department", "Month", "Tickets received", "Answered",
                       "Median first response (business hours)", "90th percentile first response (business hours)",
                       "Answered within target (%)", "Open now", "Overdue now"]
    by_key = {(row[0], row[1]): row for row in rows[1:]}
    assert by_key[("Helpdesk", "2026-03")] == ["Helpdesk", "2026-03", "6", "5", "1.5", "6.8", "80", "4", "2"]
    assert by_key[("Billing", "2026-04")] == ["Billing", "2026-04", "0", "0", "", "", "", "2", "0"]
    assert by_key[("'=HYPERLINK(\"http://evil.example\",\"x\")", "2026-03")][2:7] == ["1", "1", "1.0", "1.0", "100"]
    names = {row[0] for row in rows[1:]}
    assert {"'+cmd", "'-2+3", "'@SUM(A1)"} <= names
    assert not any(cell[:1] in ("=", "+", "-", "@", "\t", "\r") for row in rows for cell in row)


def test_csv_in_russian_uses_semicolons_and_decimal_commas(app, admin, desk):
    admin.timezone, admin.locale = "UTC", "ru"
    response = signed_in(app, admin).get("/support/stats.csv", query_string=MARCH_APRIL)
    text = response.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows[0]) == 9
    assert ["Служба помощи", "2026-03", "6", "5", "1,5", "6,8", "80", "4", "2"] in rows


def test_the_chart_is_valid_svg_with_escaped_names(app, admin, desk):
    make_department('<script>alert(1)</script> & "Co"', hours=desk["hours"], show_in_support=True)
    admin.timezone = "UTC"
    db.session.commit()
    response = signed_in(app, admin).get("/support/stats/chart.svg", query_string=MARCH_APRIL)
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'"
    assert b"<script>" not in response.data and b"&lt;script&gt;" in response.data
    root = ET.fromstring(response.data)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Tickets received per month and department"
    description = root.find(f"{SVG}desc").text
    assert "Helpdesk: 7 tickets received" in description and "Billing: 3 tickets received" in description
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert "Tickets received" in texts and "Mar 2026" in texts and "Apr 2026" in texts
    assert any(text and text.startswith("<script>alert(1)</script>") for text in texts)  # the legend
    bar_titles = [element.text for element in root.iter(f"{SVG}title")]
    assert "Helpdesk, March 2026: 6" in bar_titles and "Billing, March 2026: 3" in bar_titles
    assert not any(element.get("style") for element in root.iter())


def test_the_chart_of_an_empty_period_says_so(app, admin, desk):
    response = signed_in(app, admin).get("/support/stats/chart.svg", query_string={"from": "2001-01", "to": "2001-01"})
    root = ET.fromstring(response.data)
    assert "No tickets were received in this period." in [element.text for element in root.iter(f"{SVG}text")]


def test_the_page_has_no_inline_style_script_or_svg(app, admin, desk):
    page = signed_in(app, admin).get("/support/stats", query_string={**MARCH_APRIL, "department": str(
        desk["billing"].id)})
    html = page.text
    assert "<svg" not in html and " style=" not in html and "javascript:" not in html
    assert not re.search(r"<script(?![^>]*\ssrc=)", html)
    assert not re.search(r"\son[a-z]+=", html)
    assert f'<img class="stats-chart" src="/support/stats/chart.svg?from=2026-03&amp;to=2026-04&amp;department=' \
           f'{desk["billing"].id}"' in html
    assert f'href="/support/stats.csv?from=2026-03&amp;to=2026-04&amp;department={desk["billing"].id}"' in html
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]


def test_the_navigation_marks_statistics_not_tickets(app, desk):
    agent = signed_in(app, desk["agent"])
    nav = re.search(r'<nav class="sidebar".*?</nav>', agent.get("/support/stats").text, re.S).group(0)
    assert re.search(r'href="/support/stats" aria-current="page">Statistics<', nav)
    assert re.search(r'href="/support/tickets"\s*>Tickets<', nav)
    ticket_id = db.session.scalar(select(Ticket.id).where(Ticket.department_id == desk["helpdesk"].id).limit(1))
    nav = re.search(r'<nav class="sidebar".*?</nav>', agent.get(f"/support/tickets/{ticket_id}").text, re.S).group(0)
    assert re.search(r'href="/support/tickets" aria-current="page">Tickets<', nav)
    assert re.search(r'href="/support/stats"\s*>Statistics<', nav)


@pytest.mark.parametrize("path", ["/support/stats", "/support/stats/chart.svg", "/support/stats.csv"])
def test_refused_without_the_right_and_for_clients(app, desk, path):
    other = make_staff("no-support", departments=[desk["helpdesk"]], rights=["clients.view"])
    db.session.commit()
    response = signed_in(app, other).get(path)
    assert response.status_code == 403 and "Helpdesk" not in response.text
    response = signed_in(app, desk["customer"]).get(path)
    assert response.status_code == 403 and "This page is for staff only." in response.text
    response = app.test_client().get(path)
    assert response.status_code == 302 and response.location.startswith("/login")


def test_constant_queries_at_two_scales(app, desk, count_queries):
    agent = signed_in(app, desk["agent"])

    def measure():
        counts = []
        for path in ("/support/stats", "/support/stats/chart.svg", "/support/stats.csv"):
            with count_queries() as counter:
                assert agent.get(path, query_string=MARCH_APRIL).status_code == 200
            counts.append(counter.n)
        return counts

    small = measure()
    extra = make_department("Extra", hours=desk["hours"], show_in_support=True)
    agent_account = db.session.get(Account, desk["agent"].id)
    agent_account.departments = [*agent_account.departments, extra]
    for index in range(30):
        department = extra if index % 2 else desk["helpdesk"]
        make_ticket(desk["customer"], department, datetime(2026, 3, 1 + index % 28, 10, tzinfo=UTC),
                    index * 7 if index % 3 else None, index % 4 == 0, due=PAST if index % 5 == 0 else None)
    db.session.commit()
    assert measure() == small
