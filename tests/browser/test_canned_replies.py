"""Canned replies: a staff member writes one for their department on /support/replies, then on a ticket's
page types a few lines, inserts it at the cursor with the client's name filled in, and sends the reply;
screenshots of both pages at 1366 and 390 px."""
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, log_in, nav, query, shot
from tests.factories import make_customer_account, make_department, make_hours, make_staff
from webapp.extensions import db
from webapp.models import Account, CannedReply, TicketMessage
from webapp.support import service

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def ticket_id(live_server) -> int:
    """A ticket from Acme Ltd to Helpdesk, where Ann Agent works."""
    return query(live_server, make_ticket)


def make_ticket() -> int:
    hours = make_hours("Around the clock", open_days=range(7))
    desk = make_department("Helpdesk", hours=hours, show_in_support=True)
    make_staff("agent", name="Ann Agent", departments=[desk], rights=["support.tickets"])
    customer = make_customer_account("acme", name="Acme Ltd")
    ticket = service.open_ticket(customer, desk.id, "Server down", "It does not answer.", [])
    db.session.commit()
    return ticket.id


def test_a_canned_reply_is_written_then_inserted_at_the_cursor_and_sent(page: Page, live_server, ticket_id):
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, "agent", PASSWORD)

    nav(page).get_by_role("link", name="Canned replies").click()
    expect(page.get_by_role("heading", name="Canned replies")).to_be_visible()
    expect(page.get_by_text("No canned replies yet.")).to_be_visible()
    page.get_by_role("link", name="Add canned reply").first.click()
    page.get_by_label("Title").fill("Fixed")
    page.get_by_label("Text").fill("Hello {client_nam}, ticket {ticket_number} is fixed.")
    page.get_by_label("Available to").select_option(label="Helpdesk")
    page.get_by_role("button", name="Add canned reply").click()
    expect(page.locator("#body-errors")).to_contain_text("Unknown placeholders: {client_nam}.")
    page.get_by_label("Text").fill("Hello {client_name}, ticket {ticket_number} is fixed.")
    page.get_by_role("button", name="Add canned reply").click()
    expect(page.get_by_text("Canned reply “Fixed” added.")).to_be_visible()
    expect(page.get_by_role("cell", name="Helpdesk")).to_be_visible()
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        shot(page, f"canned-replies-{width}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.goto("/support/replies/new")
    page.set_viewport_size({"width": 1366, "height": 900})
    shot(page, "canned-reply-form-1366")

    page.goto(f"/support/tickets/{ticket_id}")
    box = page.get_by_role("textbox", name="Message")
    box.fill("Thanks for waiting.\n\n\nRegards, Ann")
    box.press("Control+Home")
    box.press("ArrowDown")
    box.press("ArrowDown")  # the cursor on the empty third line
    page.get_by_label("Canned reply").select_option(label="Fixed")
    page.get_by_role("button", name="Insert").press("Enter")  # by keyboard
    expect(box).to_have_value(f"Thanks for waiting.\n\nHello Acme Ltd, ticket #{ticket_id} is fixed.\nRegards, Ann")
    expect(box).to_be_focused()
    page.keyboard.type(" :)")  # the cursor stands right after the inserted text
    expect(box).to_have_value(
        f"Thanks for waiting.\n\nHello Acme Ltd, ticket #{ticket_id} is fixed. :)\nRegards, Ann")
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.get_by_label("Canned reply").scroll_into_view_if_needed()
        shot(page, f"canned-picker-{width}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width

    page.set_viewport_size({"width": 1366, "height": 900})
    page.get_by_role("button", name="Reply", exact=True).click()
    expect(page.get_by_text("Your reply is sent to the client.")).to_be_visible()
    expect(page.locator(".message-reply .message-body")).to_have_text(
        f"Thanks for waiting.\n\nHello Acme Ltd, ticket #{ticket_id} is fixed. :)\nRegards, Ann")
    sent = query(live_server, lambda: db.session.scalar(
        db.select(TicketMessage.body).where(TicketMessage.ticket_id == ticket_id).order_by(TicketMessage.id.desc())))
    assert "Hello Acme Ltd" in sent
    assert query(live_server, lambda: db.session.scalar(db.select(db.func.count()).select_from(CannedReply))) == 1


def test_insert_without_touching_the_box_appends_at_the_end(page: Page, live_server, ticket_id):
    def personal_reply():
        agent = db.session.scalar(db.select(Account).where(Account.login == "agent"))
        db.session.add(CannedReply(title="Sign-off", body="Best, {my_name}", owner_id=agent.id))
        db.session.commit()

    query(live_server, personal_reply)
    log_in(page, "agent", PASSWORD)
    page.goto(f"/support/tickets/{ticket_id}")
    box = page.get_by_role("textbox", name="Message")
    page.get_by_role("button", name="Insert").click()  # nothing chosen: the list gets the focus, nothing changes
    expect(page.get_by_label("Canned reply")).to_be_focused()
    expect(box).to_have_value("")
    page.get_by_label("Canned reply").select_option(label="Sign-off")
    page.get_by_role("button", name="Insert").click()
    expect(box).to_have_value("Best, Ann Agent")
    box.press("Control+Home")
    page.get_by_role("button", name="Insert").click()  # the cursor was put at the start: inserted there
    expect(box).to_have_value("Best, Ann AgentBest, Ann Agent")
    box.fill("Dear client, ")
    page.get_by_role("button", name="Insert").click()
    expect(box).to_have_value("Dear client, Best, Ann Agent")
