"""Support tickets: visibility, routing, refusals, the 404 scoping, replies and notes, the clock, assignment."""
import io
import threading
from datetime import UTC, datetime, time, timedelta

import pytest
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import func, select

from tests.conftest import login
from tests.factories import make_customer_account, make_department, make_hours, make_staff
from webapp.extensions import db
from webapp.models import (
    AssignmentMode,
    ClientGroup,
    Department,
    MessageKind,
    Ticket,
    TicketAttachment,
    TicketMessage,
    TicketStatus,
)
from webapp.support import service


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, format="PNG")
    return out.getvalue()


def signed_in(app, account):
    client = app.test_client()
    assert login(client, account).status_code == 302
    return client


def fresh(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


@pytest.fixture
def support(app):
    """A visible support department (Mon–Fri 09:00–18:00 UTC, 4-hour target) with one member, a hidden one, and
    a client."""
    hours = make_hours("Office", timezone="UTC")
    desk = make_department("Helpdesk", name_ru="Служба помощи", hours=hours, show_in_support=True)
    hidden = make_department("Back office", hours=hours, show_in_support=False)
    agent = make_staff("agent", name="Ann Agent", departments=[desk], rights=["support.tickets"])
    outsider = make_staff("outsider", departments=[hidden], rights=["support.tickets"])
    customer = make_customer_account("acme", name="Acme Ltd")
    db.session.commit()
    return {"desk": desk, "hidden": hidden, "agent": agent, "outsider": outsider, "customer": customer,
            "hours": hours}


def open_via_form(client, department, subject="Server down", message="It does not answer.", files=None):
    data = {"department": str(department.id), "subject": subject, "message": message}
    if files:
        data["attachments"] = files
    return client.post("/my/tickets/new", data=data, content_type="multipart/form-data")


def test_the_new_ticket_form_lists_only_visible_departments_with_hours(app, support):
    group = ClientGroup(name_en="Partners")
    db.session.add(group)
    partners_only = make_department("Partner desk", hours=support["hours"], show_in_support=True)
    partners_only.client_groups = [group]
    db.session.commit()
    client = signed_in(app, support["customer"])
    page = client.get("/my/tickets/new").text
    assert "Helpdesk" in page and "Back office" not in page and "Partner desk" not in page
    assert "Expect an answer by" in page and ("Open now" in page or "Opens " in page)
    support["customer"].client_group_id = group.id
    db.session.commit()
    page = client.get("/my/tickets/new").text
    assert "Partner desk" in page and "Helpdesk" in page


def test_the_department_list_is_in_the_client_language(app, support):
    support["customer"].locale = "ru"
    db.session.commit()
    client = signed_in(app, support["customer"])
    assert "Служба помощи" in client.get("/my/tickets/new").text


@pytest.mark.parametrize("which", ["hidden", "unknown", "not visible"])
def test_a_forged_department_is_refused_and_creates_nothing(app, support, which):
    group = ClientGroup(name_en="Partners")
    db.session.add(group)
    partner_desk = make_department("Partner desk", hours=support["hours"], show_in_support=True)
    partner_desk.client_groups = [group]
    db.session.commit()
    client = signed_in(app, support["customer"])
    department_id = {"hidden": support["hidden"].id, "unknown": 99999, "not visible": partner_desk.id}[which]
    response = client.post("/my/tickets/new", data={"department": str(department_id), "subject": "S",
                                                     "message": "M"})
    assert response.status_code == 422 and "Choose a department from the list." in response.text
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 0
    with pytest.raises(Exception, match="Choose a department"):
        service.open_ticket(fresh(type(support["customer"]), support["customer"].id), department_id, "S", "M", [])
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 0


def test_a_client_opens_a_ticket_and_sees_it_with_its_deadline(app, support):
    client = signed_in(app, support["customer"])
    response = open_via_form(client, support["desk"])
    assert response.status_code == 302
    ticket = db.session.scalar(select(Ticket))
    assert response.location == f"/my/tickets/{ticket.id}"
    assert ticket.status is TicketStatus.new and ticket.due_at is not None
    assert ticket.department_id == support["desk"].id and ticket.client_id == support["customer"].id
    listing = client.get("/my/tickets").text
    assert "Server down" in listing and "New" in listing
    assert f"{service.aware(ticket.due_at):%Y-%m-%d %H:%M}" in listing
    page = client.get(f"/my/tickets/{ticket.id}").text
    assert "It does not answer." in page and "Expected answer" in page


def test_validation_messages_and_nothing_created(app, support):
    client = signed_in(app, support["customer"])
    response = client.post("/my/tickets/new", data={"department": "", "subject": " ", "message": ""})
    assert response.status_code == 422
    for text in ("Choose a department.", "Enter a subject.", "Write a message."):
        assert text in response.text
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 0


def test_attachments_are_checked_by_content_and_only_reachable_by_the_right_people(app, support):
    client = signed_in(app, support["customer"])
    files = [(io.BytesIO(png_bytes()), "screen.png"), (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "invoice.pdf"),
             (io.BytesIO("лог: ошибка\n".encode()), "log.txt")]
    assert open_via_form(client, support["desk"], files=files).status_code == 302
    ticket = db.session.scalar(select(Ticket))
    stored = db.session.scalars(select(TicketAttachment).order_by(TicketAttachment.id)).all()
    assert [(a.filename, a.content_type) for a in stored] == [
        ("screen.png", "image/png"), ("invoice.pdf", "application/pdf"), ("log.txt", "text/plain")]
    url = f"/my/tickets/{ticket.id}/files/{stored[0].id}"
    download = client.get(url)
    assert download.status_code == 200 and download.data == png_bytes()
    assert download.headers["Content-Type"] == "image/png" and "attachment" in download.headers["Content-Disposition"]
    agent = signed_in(app, support["agent"])
    assert agent.get(f"/support/tickets/{ticket.id}/files/{stored[0].id}").status_code == 200
    outsider = signed_in(app, support["outsider"])
    assert outsider.get(f"/support/tickets/{ticket.id}/files/{stored[0].id}").status_code == 404
    other = signed_in(app, make_customer_account("other"))
    assert other.get(url).status_code == 404
    assert client.get(f"/my/tickets/{ticket.id}/files/999999").status_code == 404


@pytest.mark.parametrize("content, name, message", [
    (b"MZ\x90\x00\x03binary", "tool.png", "is not a PNG, JPEG or GIF image, a PDF or a plain text file"),
    (b"\x89PNG\r\n\x1a\nnot really", "fake.png", "is not a PNG, JPEG or GIF image, a PDF or a plain text file"),
    (b"", "empty.txt", "is empty"),
    (b"a" * (2 * 1024 * 1024 + 1), "big.txt", "is larger than 2 MB"),
])
def test_bad_attachments_are_refused_and_nothing_is_created(app, support, content, name, message):
    client = signed_in(app, support["customer"])
    response = open_via_form(client, support["desk"], files=[(io.BytesIO(content), name)])
    assert response.status_code == 422 and message in response.text
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 0


def test_at_most_five_files(app, support):
    client = signed_in(app, support["customer"])
    files = [(io.BytesIO(b"note %d" % i), f"n{i}.txt") for i in range(6)]
    response = open_via_form(client, support["desk"], files=files)
    assert response.status_code == 422 and "Attach at most 5 files." in response.text


def test_every_ticket_that_is_not_the_clients_answers_404(app, support):
    other = make_customer_account("other")
    db.session.commit()
    theirs = service.open_ticket(other, support["desk"].id, "Theirs", "Secret", [])
    db.session.commit()
    client = signed_in(app, support["customer"])
    for path in (f"/my/tickets/{theirs.id}", "/my/tickets/999999"):
        assert client.get(path).status_code == 404
    assert client.post(f"/my/tickets/{theirs.id}", data={"message": "hi"}).status_code == 404
    assert client.post(f"/my/tickets/{theirs.id}/close").status_code == 404
    assert fresh(Ticket, theirs.id).status is TicketStatus.new and len(fresh(Ticket, theirs.id).messages) == 1


def test_staff_outside_the_department_get_404_on_get_and_post(app, support):
    ticket = service.open_ticket(support["customer"], support["desk"].id, "Help", "Please", [])
    db.session.commit()
    outsider = signed_in(app, support["outsider"])
    for path in (f"/support/tickets/{ticket.id}",):
        assert outsider.get(path).status_code == 404
    for path, data in ((f"/support/tickets/{ticket.id}", {"message": "x", "action": "reply"}),
                       (f"/support/tickets/{ticket.id}/assign", {"action": "me"}),
                       (f"/support/tickets/{ticket.id}/move", {"department": str(support["hidden"].id)}),
                       (f"/support/tickets/{ticket.id}/close", {}), (f"/support/tickets/{ticket.id}/reopen", {})):
        assert outsider.post(path, data=data).status_code == 404, path
    unchanged = fresh(Ticket, ticket.id)
    assert unchanged.status is TicketStatus.new and unchanged.department_id == support["desk"].id
    assert "Help" not in outsider.get("/support/tickets").text
    agent = signed_in(app, support["agent"])
    assert "Help" in agent.get("/support/tickets").text


def test_a_client_never_reaches_staff_ticket_pages(app, support):
    ticket = service.open_ticket(support["customer"], support["desk"].id, "Help", "Please", [])
    db.session.commit()
    client = signed_in(app, support["customer"])
    assert client.get("/support/tickets").status_code == 403
    assert client.get(f"/support/tickets/{ticket.id}").status_code == 403


def test_reply_and_internal_note(app, support):
    ticket = service.open_ticket(support["customer"], support["desk"].id, "Help", "Please", [])
    db.session.commit()
    agent = signed_in(app, support["agent"])
    page = agent.get(f"/support/tickets/{ticket.id}").text
    assert "Please" in page and "Reply" in page and "Internal note" in page
    last = fresh(Ticket, ticket.id).last_message_id
    response = agent.post(f"/support/tickets/{ticket.id}", data={
        "message": "Check the disk quota first.", "action": "note", "last_seen": str(last)})
    assert response.status_code == 302
    assert fresh(Ticket, ticket.id).status is TicketStatus.new  # a note changes nothing for the client
    last = fresh(Ticket, ticket.id).last_message_id
    response = agent.post(f"/support/tickets/{ticket.id}", data={
        "message": "We restarted it.", "action": "reply", "last_seen": str(last)})
    assert response.status_code == 302
    answered = fresh(Ticket, ticket.id)
    assert answered.status is TicketStatus.waiting_client and answered.due_at is None
    assert answered.assignee_id == support["agent"].id and answered.first_response_minutes is not None
    client = signed_in(app, support["customer"])
    thread = client.get(f"/my/tickets/{ticket.id}").text
    assert "We restarted it." in thread and "Check the disk quota first." not in thread
    assert "Internal note" not in thread


def test_a_reply_after_a_new_message_asks_to_confirm(app, support):
    ticket = service.open_ticket(support["customer"], support["desk"].id, "Help", "Please", [])
    db.session.commit()
    agent = signed_in(app, support["agent"])
    shown = fresh(Ticket, ticket.id).last_message_id
    service.client_reply(fresh(type(support["customer"]), support["customer"].id), fresh(Ticket, ticket.id),
                         "Also the mail is down.", [])
    db.session.commit()
    response = agent.post(f"/support/tickets/{ticket.id}", data={
        "message": "Fixed the server.", "action": "reply", "last_seen": str(shown)})
    assert response.status_code == 409
    assert "Also the mail is down." in response.text and "A new message arrived" in response.text
    assert "Fixed the server." in response.text  # the text typed is kept
    assert db.session.scalar(select(func.count()).select_from(TicketMessage)
                             .where(TicketMessage.kind == MessageKind.reply)) == 0
    confirmed = fresh(Ticket, ticket.id).last_message_id
    response = agent.post(f"/support/tickets/{ticket.id}", data={
        "message": "Fixed the server.", "action": "reply", "last_seen": str(confirmed)})
    assert response.status_code == 302
    assert fresh(Ticket, ticket.id).status is TicketStatus.waiting_client


def test_client_reply_to_a_closed_ticket_reopens_it_and_the_client_can_close(app, support):
    client = signed_in(app, support["customer"])
    open_via_form(client, support["desk"])
    ticket = db.session.scalar(select(Ticket))
    assert client.post(f"/my/tickets/{ticket.id}/close").status_code == 302
    closed = fresh(Ticket, ticket.id)
    assert closed.status is TicketStatus.closed and closed.due_at is None
    assert client.post(f"/my/tickets/{ticket.id}", data={"message": "Again broken"}).status_code == 302
    reopened = fresh(Ticket, ticket.id)
    assert reopened.status is TicketStatus.waiting_staff and reopened.due_at is not None


def test_the_clock(app, support):
    """Friday 17:30 with a 4-hour target in Mon–Fri 09:00–18:00: Monday 12:30; a staff reply stops it; a client
    reply starts a new one; a move recomputes from the new department's schedule."""
    friday = datetime(2026, 11, 27, 17, 30, tzinfo=UTC)
    ticket = service.open_ticket(support["customer"], support["desk"].id, "Help", "Please", [], now=friday)
    assert service.aware(ticket.due_at) == datetime(2026, 11, 30, 12, 30, tzinfo=UTC)
    service.staff_reply(support["agent"], ticket, "On it", [], None, internal=False,
                        now=friday + timedelta(minutes=10))
    assert ticket.due_at is None and ticket.status is TicketStatus.waiting_client
    assert ticket.first_response_minutes == 10 and ticket.first_response_in_target is True
    monday = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    service.client_reply(support["customer"], ticket, "Still down", [], now=monday)
    assert ticket.status is TicketStatus.waiting_staff
    assert service.aware(ticket.due_at) == datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
    # Another client message while waiting does not restart the clock.
    service.client_reply(support["customer"], ticket, "Hello?", [], now=monday + timedelta(hours=1))
    assert service.aware(ticket.due_at) == datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
    night = make_hours("Nights", timezone="UTC", open_days=range(7), opens=time(0), closes=time(6))
    night_desk = make_department("Night desk", hours=night)
    night_desk.response_target_hours = 2
    service.move(support["agent"], ticket, night_desk.id, now=monday + timedelta(hours=2))
    assert service.aware(ticket.due_at) == datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    db.session.rollback()


def test_queue_filters_search_and_overdue_first(app, support):
    now = datetime.now(UTC)
    early = service.open_ticket(support["customer"], support["desk"].id, "Disk full", "x", [],
                                now=now - timedelta(days=30))
    late = service.open_ticket(support["customer"], support["desk"].id, "Mail bounce", "y", [])
    done = service.open_ticket(support["customer"], support["desk"].id, "Old question", "z", [])
    service.staff_close(support["agent"], done)
    db.session.commit()
    agent = signed_in(app, support["agent"])
    page = agent.get("/support/tickets").text
    assert page.index("Disk full") < page.index("Mail bounce") and "Old question" not in page
    assert "row-overdue" in page and "overdue by" in page
    assert "Mail bounce" not in agent.get("/support/tickets?overdue=1").text
    assert "Old question" in agent.get("/support/tickets?status=closed").text
    assert "Disk full" not in agent.get("/support/tickets?q=mail").text
    assert "Mail bounce" in agent.get("/support/tickets?q=ACME").text  # the client's name
    assert "Mail bounce" in agent.get("/support/tickets?assignee=unassigned").text
    assert "Mail bounce" not in agent.get("/support/tickets?assignee=me").text
    assert agent.get("/support/tickets?status=bogus&assignee=bogus&department=x").status_code == 200
    fragment = agent.get("/support/tickets?q=mail", headers={"HX-Request": "true", "HX-Target": "queue-results"})
    assert fragment.text.lstrip().startswith('<div id="queue-results"') and "<html" not in fragment.text
    assert 'hx-trigger="every' in fragment.text and "q=mail" in fragment.text
    assert early.id and late.id


def test_queue_search_takes_like_wildcards_literally_and_combines_filters(app, support):
    service.open_ticket(support["customer"], support["desk"].id, "100% down", "x", [])
    service.open_ticket(support["customer"], support["desk"].id, "1000 users", "x", [])
    service.open_ticket(support["customer"], support["desk"].id, "a_b test", "x", [])
    waiting = service.open_ticket(support["customer"], support["desk"].id, "aXb test", "x", [])
    service.staff_reply(support["agent"], waiting, "On it", [], waiting.last_message_id, False)
    db.session.commit()
    agent = signed_in(app, support["agent"])
    page = agent.get("/support/tickets?q=100%25").text
    assert "100% down" in page and "1000 users" not in page
    page = agent.get("/support/tickets?q=a_b").text
    assert "a_b test" in page and "aXb test" not in page
    page = agent.get("/support/tickets?status=waiting_client").text
    assert "aXb test" in page and "a_b test" not in page
    assert "a_b test" in agent.get("/support/tickets?status=new&assignee=unassigned").text
    assert "aXb test" not in agent.get("/support/tickets?status=new&assignee=unassigned").text


def test_queue_and_ticket_pages_run_constant_queries(app, support, count_queries):
    agent = signed_in(app, support["agent"])

    def measure():
        with count_queries() as queue_count:
            assert agent.get("/support/tickets").status_code == 200
        ticket_id = db.session.scalar(select(func.max(Ticket.id)))
        with count_queries() as ticket_count:
            assert agent.get(f"/support/tickets/{ticket_id}").status_code == 200
        customer = signed_in(app, support["customer"])
        with count_queries() as mine_count:
            assert customer.get("/my/tickets").status_code == 200
        return queue_count.n, ticket_count.n, mine_count.n

    for _ in range(2):
        ticket = service.open_ticket(support["customer"], support["desk"].id, "T", "m", [])
        service.staff_reply(support["agent"], ticket, "r", [], None, internal=False)
    db.session.commit()
    small = measure()
    for index in range(12):
        ticket = service.open_ticket(support["customer"], support["desk"].id, f"T{index}", "m", [])
        service.client_reply(support["customer"], ticket, "more", [])
        service.staff_reply(support["agent"], ticket, "r", [], None, internal=index % 2 == 0)
    db.session.commit()
    assert measure() == small


def test_assign_to_me_to_a_member_and_the_race(app, support):
    colleague = make_staff("colleague", name="Carl Colleague", departments=[support["desk"]],
                           rights=["support.tickets"])
    ticket = service.open_ticket(support["customer"], support["desk"].id, "Help", "Please", [])
    db.session.commit()
    agent = signed_in(app, support["agent"])
    carl = signed_in(app, colleague)
    assert agent.post(f"/support/tickets/{ticket.id}/assign", data={"action": "me", "expected": ""}).status_code == 302
    assert fresh(Ticket, ticket.id).assignee_id == support["agent"].id
    # Carl's page still showed "unassigned": he is told who has it, and nothing changes.
    response = carl.post(f"/support/tickets/{ticket.id}/assign", data={"action": "me", "expected": ""})
    assert response.status_code == 409 and "Ann Agent has this ticket now" in response.text
    assert fresh(Ticket, ticket.id).assignee_id == support["agent"].id
    # Assigning to someone outside the department is refused.
    response = agent.post(f"/support/tickets/{ticket.id}/assign", data={
        "assignee": str(support["outsider"].id), "expected": str(support["agent"].id)})
    assert response.status_code == 422 and fresh(Ticket, ticket.id).assignee_id == support["agent"].id
    response = agent.post(f"/support/tickets/{ticket.id}/assign", data={
        "assignee": str(colleague.id), "expected": str(support["agent"].id)})
    assert response.status_code == 302 and fresh(Ticket, ticket.id).assignee_id == colleague.id


def test_two_people_assigning_at_once_one_wins(app, support):
    people = [support["agent"]] + [make_staff(f"peer{i}", departments=[support["desk"]], rights=["support.tickets"])
                                   for i in range(3)]
    ticket = service.open_ticket(support["customer"], support["desk"].id, "Help", "Please", [])
    db.session.commit()
    clients = [signed_in(app, person) for person in people]
    url = f"/support/tickets/{ticket.id}/assign"
    ticket_id = ticket.id
    db.session.commit()  # no snapshot of the test's own held open while the threads write
    barrier = threading.Barrier(len(clients))
    statuses = []

    def grab(client):
        barrier.wait()
        statuses.append(FlaskClient.open(client, url, method="POST",
                                         data={"action": "me", "expected": ""}).status_code)

    threads = [threading.Thread(target=grab, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [302] + [409] * (len(clients) - 1), statuses
    assert fresh(Ticket, ticket_id).assignee_id in {p.id for p in people}


def test_round_robin_and_fewest_open(app, support):
    desk = support["desk"]
    second = make_staff("second", departments=[desk], rights=["support.tickets"])
    away = make_staff("away", departments=[desk], rights=["support.tickets"])
    away.away = True
    disabled = make_staff("disabled", departments=[desk], active=False, rights=["support.tickets"])
    make_staff("no-right", departments=[desk])  # cannot open the queue: never chosen
    desk.assignment = AssignmentMode.round_robin
    db.session.commit()
    got = [service.open_ticket(support["customer"], desk.id, f"T{i}", "m", []).assignee_id for i in range(4)]
    assert got == [support["agent"].id, second.id, support["agent"].id, second.id]
    assert away.id not in got and disabled.id not in got
    desk.assignment = AssignmentMode.fewest_open
    for ticket in db.session.scalars(select(Ticket).where(Ticket.assignee_id == second.id)):
        service.staff_close(second, ticket)
    assert service.open_ticket(support["customer"], desk.id, "Next", "m", []).assignee_id == second.id
    away.away_until = datetime.now(UTC).date() - timedelta(days=1)  # the away period is over
    assert service.open_ticket(support["customer"], desk.id, "After", "m", []).assignee_id == away.id
    db.session.commit()


def test_nobody_eligible_leaves_the_ticket_unassigned(app, support):
    desk = make_department("Empty desk", hours=support["hours"], show_in_support=True)
    desk.assignment = AssignmentMode.round_robin
    db.session.commit()
    assert service.open_ticket(support["customer"], desk.id, "T", "m", []).assignee_id is None


def test_move_and_close_reopen_from_the_page(app, support):
    support["agent"].departments.append(support["hidden"])
    db.session.commit()
    ticket = service.open_ticket(support["customer"], support["desk"].id, "Help", "Please", [])
    db.session.commit()
    agent = signed_in(app, support["agent"])
    assert agent.post(f"/support/tickets/{ticket.id}/move", data={"department": str(support["hidden"].id)}
                      ).status_code == 302
    assert fresh(Ticket, ticket.id).department_id == support["hidden"].id
    assert agent.post(f"/support/tickets/{ticket.id}/move", data={"department": "abc"}).status_code == 422
    assert agent.post(f"/support/tickets/{ticket.id}/close").status_code == 302
    assert fresh(Ticket, ticket.id).status is TicketStatus.closed
    assert agent.post(f"/support/tickets/{ticket.id}/reopen").status_code == 302
    reopened = fresh(Ticket, ticket.id)
    assert reopened.status is TicketStatus.waiting_staff and reopened.due_at is not None
    page = agent.get(f"/support/tickets/{ticket.id}").text
    assert "Moved from Helpdesk to Back office." in page and "Reopened." in page


def test_a_department_with_tickets_is_deleted_only_with_a_target(app, as_admin, support):
    old = make_department("Old desk", hours=support["hours"], show_in_support=True)
    db.session.commit()
    old_id, department_type = old.id, type(old)
    ticket = service.open_ticket(support["customer"], old.id, "Kept", "m", [])
    db.session.commit()
    page = as_admin.get(f"/provider/departments/{old.id}/delete").text
    assert "Its 1 ticket moves to" in page and "Helpdesk" in page
    response = as_admin.post(f"/provider/departments/{old.id}/delete", data={})
    assert response.status_code == 422 and "choose the department they move to" in response.text
    assert fresh(department_type, old_id) is not None
    response = as_admin.post(f"/provider/departments/{old.id}/delete",
                             data={"move_tickets_to": str(support["desk"].id)})
    assert response.status_code == 302
    moved = fresh(Ticket, ticket.id)
    assert moved.department_id == support["desk"].id and moved.due_at is not None
    assert fresh(department_type, old_id) is None


def test_disabling_or_deleting_a_member_gives_their_tickets_back(app, as_admin, support):
    desk = support["desk"]
    desk.assignment = AssignmentMode.round_robin
    helper = make_staff("helper", departments=[desk], rights=["support.tickets"])
    db.session.commit()
    first = service.open_ticket(support["customer"], desk.id, "One", "m", [])
    second = service.open_ticket(support["customer"], desk.id, "Two", "m", [])
    db.session.commit()
    assert {first.assignee_id, second.assignee_id} == {support["agent"].id, helper.id}
    helper_ticket = first.id if first.assignee_id == helper.id else second.id
    response = as_admin.post(f"/provider/staff/{helper.id}/disable")
    assert response.status_code in (200, 302)
    assert fresh(Ticket, helper_ticket).assignee_id == support["agent"].id  # picked up by the one left
    agent_id = support["agent"].id
    response = as_admin.post(f"/provider/staff/{agent_id}/delete")
    assert response.status_code in (200, 302)
    assert fresh(Ticket, helper_ticket).assignee_id is None  # nobody eligible is left: unassigned


@pytest.mark.parametrize("mode", [AssignmentMode.round_robin, AssignmentMode.fewest_open])
def test_automatic_assignment_is_fair_under_concurrent_arrivals(app, support, mode):
    desk = support["desk"]
    desk.assignment = mode
    second = make_staff("second", departments=[desk], rights=["support.tickets"])
    customers = [make_customer_account(f"buyer{i}") for i in range(8)]
    db.session.commit()
    clients = [signed_in(app, customer) for customer in customers]
    form = {"department": str(desk.id), "subject": "Concurrent", "message": "m"}
    db.session.commit()
    barrier = threading.Barrier(len(clients))
    statuses = []

    def post(client):
        barrier.wait()
        statuses.append(FlaskClient.open(client, "/my/tickets/new", method="POST", data=form).status_code)

    threads = [threading.Thread(target=post, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302] * len(clients)
    db.session.commit()
    counts = dict(db.session.execute(select(Ticket.assignee_id, func.count()).group_by(Ticket.assignee_id)).all())
    assert counts == {support["agent"].id: 4, second.id: 4}


def test_files_up_to_2_mb_pass_the_csrf_check(tmp_path):
    """CSRFProtect reads the form before the view: the ticket forms' larger limit must hold already then."""
    from tests.conftest import csrf_token_of, running_app

    with running_app(tmp_path, WTF_CSRF_ENABLED=True) as csrf_app:
        desk = make_department("Upload desk", show_in_support=True)
        customer = make_customer_account("uploader")
        db.session.commit()
        client = csrf_app.test_client()
        token = csrf_token_of(client.get("/login").text)
        client.post("/login", data={"login": "uploader", "password": "correct-horse-battery", "csrf_token": token})
        token = csrf_token_of(client.get("/my/tickets/new").text)
        big = b"log line\n" * (1_900_000 // 9)
        response = client.post("/my/tickets/new", content_type="multipart/form-data", data={
            "csrf_token": token, "department": str(desk.id), "subject": "Big log", "message": "See the log.",
            "attachments": [(io.BytesIO(big), "big.log.txt")]})
        assert response.status_code == 302, response.status_code
        assert db.session.scalar(select(TicketAttachment.size)) == len(big)
        assert customer.id


def test_notes_and_events_stay_out_of_the_clients_view(app, support):
    ticket = service.open_ticket(support["customer"], support["desk"].id, "Help", "Please", [],
                                 now=datetime(2026, 11, 2, 10, tzinfo=UTC))
    db.session.commit()
    shown = ticket.last_message_id
    before = ticket.last_message_at
    service.staff_reply(support["agent"], ticket, "Internal", [], shown, internal=True,
                        now=datetime(2026, 11, 3, 10, tzinfo=UTC))
    assert ticket.last_message_at == before  # the client's "Last activity" does not move for a note
    shown = ticket.last_message_id
    service.assign(support["agent"], ticket, support["agent"].id, None)
    # An event ("Assigned to …") is not a new message: the reply written meanwhile goes.
    service.staff_reply(support["agent"], ticket, "Answer", [], shown, internal=False)
    db.session.commit()
    support["agent"].locale = "ru"
    db.session.commit()
    agent = signed_in(app, support["agent"])
    page = agent.get(f"/support/tickets/{ticket.id}").text
    assert "Назначен" in page or "Assigned to" not in page


def test_deleting_the_only_group_of_a_department_takes_it_out_of_the_support_center(app, as_admin, support):
    group = ClientGroup(name_en="Partners")
    db.session.add(group)
    partner_desk = make_department("Partner desk", hours=support["hours"], show_in_support=True)
    partner_desk.client_groups = [group]
    db.session.commit()
    page = as_admin.get(f"/clients/groups/{group.id}/delete").text
    assert "Partner desk" in page and "leave the support center" in page
    assert as_admin.post(f"/clients/groups/{group.id}/delete").status_code == 302
    assert fresh(type(partner_desk), partner_desk.id).show_in_support is False
    client = signed_in(app, support["customer"])
    assert "Partner desk" not in client.get("/my/tickets/new").text


def test_the_queue_names_people_in_the_viewers_language_and_escapes_them(app, support):
    support["agent"].name_ru = "Анна Агент"
    support["customer"].name_en = "<b>Acme</b>"
    ticket = service.open_ticket(support["customer"], support["desk"].id, "<script>x</script>", "m", [])
    ticket.assignee_id = support["agent"].id
    support["agent"].locale = "ru"
    db.session.commit()
    page = signed_in(app, support["agent"]).get("/support/tickets").text
    assert "Анна Агент" in page and "Служба помощи" in page
    assert "&lt;b&gt;Acme&lt;/b&gt;" in page and "&lt;script&gt;x&lt;/script&gt;" in page and "<script>x" not in page


def test_the_administrators_department_filter_follows_renames_new_and_deleted_departments(app, as_admin, support):
    """An administrator's filter lists every department and is kept between requests: a change shows at once."""
    page = as_admin.get("/support/tickets").text
    assert ">Helpdesk</option>" in page and ">Back office</option>" in page
    desk = fresh(Department, support["desk"].id)
    desk.name_en = "Front desk"
    db.session.commit()
    page = as_admin.get("/support/tickets").text
    assert ">Front desk</option>" in page and ">Helpdesk</option>" not in page
    extra = make_department("Night shift")
    db.session.commit()
    assert ">Night shift</option>" in as_admin.get("/support/tickets").text
    assert f'<option value="{extra.id}" selected>Night shift' in as_admin.get(
        f"/support/tickets?department={extra.id}").text
    assert ">Night shift</option>" in as_admin.get("/tasks").text
    db.session.delete(extra)
    db.session.commit()
    assert "Night shift" not in as_admin.get("/support/tickets").text


# --- the client's list of tickets (kept statement per client, kept rows) -------------------------------------

def test_each_client_lists_only_their_own_tickets_in_their_language(app, support):
    other = make_customer_account("globex", name="Globex")
    other.locale = "ru"
    db.session.commit()
    mine, theirs = signed_in(app, support["customer"]), signed_in(app, other)
    assert open_via_form(mine, support["desk"], subject="Acme disk").status_code == 302
    assert open_via_form(theirs, support["desk"], subject="Globex mail").status_code == 302
    for _ in range(2):  # the second time from what is kept
        acme, globex = mine.get("/my/tickets").text, theirs.get("/my/tickets").text
        assert "Acme disk" in acme and "Globex mail" not in acme and "Helpdesk" in acme
        assert "Globex mail" in globex and "Acme disk" not in globex and "Служба помощи" in globex


def test_the_clients_list_marks_the_expected_answer_late_once_it_has_passed(app):
    from collections import namedtuple

    from webapp.support.queue_rows import client_ticket_rows

    Row = namedtuple("Row", "id subject status due_at last_message_at department_en department_ru")
    due = datetime(2026, 11, 27, 12, 30, tzinfo=UTC)
    waiting = Row(7, "Disk <full>", TicketStatus.waiting_staff, due, due - timedelta(hours=4), "Support", None)
    answered = waiting._replace(id=8, status=TicketStatus.waiting_client)
    with app.test_request_context("/my/tickets"):
        before = client_ticket_rows([waiting, answered], now=due - timedelta(minutes=1))
        after = client_ticket_rows([waiting, answered], now=due + timedelta(minutes=1))
    assert "<time>2026-11-27 12:30 UTC</time>" in before and "deadline-late" not in before
    assert '<span class="deadline deadline-late"><time>2026-11-27 12:30 UTC</time>' in after
    assert after.count("deadline-late") == 1 and after.count('<span class="muted">—</span>') == 1  # answered
    assert "Disk &lt;full&gt;" in after and "<full>" not in after
    assert "Overdue" not in after and "left" not in after  # the client is told when, not the queue's countdown


def test_the_clients_list_pages_without_counting(app, support):
    app.config["TICKETS_PER_PAGE"] = 2
    client = signed_in(app, support["customer"])
    for n in range(3):
        assert open_via_form(client, support["desk"], subject=f"Question {n}").status_code == 302
    first = client.get("/my/tickets").text
    assert "Question 2" in first and "Question 1" in first and "Question 0" not in first
    assert 'href="/my/tickets?page=2" rel="next"' in first and "Page 1<" in first
    second = client.get("/my/tickets?page=2").text
    assert "Question 0" in second and 'rel="next"' not in second and 'rel="prev"' in second
    assert client.get("/my/tickets?page=3").status_code == 404
