"""Ticket emails through the outbox to a local SMTP server: who gets what, in which language, and never lost."""
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from tests.conftest import login
from tests.factories import make_customer_account, make_department, make_staff
from tests.mail import closed_port, wait_until
from webapp.extensions import db
from webapp.models import OutboxMessage, OutboxStatus, Ticket
from webapp.outbox.tasks import sweep_outbox
from webapp.support import service
from webapp.support.notify import overdue_tickets


def setup_desk():
    desk = make_department("Helpdesk", name_ru="Служба помощи", rights=["support.tickets"], show_in_support=True)
    ann = make_staff("ann", name="Ann Agent", departments=[desk], email="ann@example.com")
    boris = make_staff("boris", name="Boris", departments=[desk], email="boris@example.com")
    boris.locale = "ru"
    quiet = make_staff("quiet", departments=[desk], email="quiet@example.com")
    quiet.ticket_emails = False
    customer = make_customer_account("acme", name="Acme Ltd", email="it@acme.example")
    customer.locale = "ru"
    db.session.commit()
    return desk, ann, boris, customer


def by_recipient(messages):
    return {message["To"]: message for message in messages}


def test_a_new_ticket_goes_to_the_department_in_each_members_language(mail_app, smtp_server):
    desk, ann, boris, customer = setup_desk()
    client = mail_app.test_client()
    login(client, customer)
    response = client.post("/my/tickets/new", data={"department": str(desk.id), "subject": "Disk full",
                                                     "message": "No space left on device."})
    assert response.status_code == 302
    ticket = db.session.scalar(select(Ticket))
    received = by_recipient(smtp_server.inbox.wait_for(2))
    assert set(received) == {"ann@example.com", "boris@example.com"}  # "quiet" opted out
    english, russian = received["ann@example.com"], received["boris@example.com"]
    assert english["Subject"] == f"New ticket #{ticket.id}: Disk full"
    assert russian["Subject"] == f"Новый запрос #{ticket.id}: Disk full"
    text = english.get_body(("plain",)).get_content()
    html = english.get_body(("html",)).get_content()
    assert "No space left on device." in text and f"/support/tickets/{ticket.id}" in text
    assert f'href="http://console.example.test/support/tickets/{ticket.id}"' in html
    assert "Acme Ltd" in russian.get_body(("plain",)).get_content()


def test_an_assigned_ticket_goes_to_the_assignee_only_and_replies_to_the_client(mail_app, smtp_server):
    desk, ann, boris, customer = setup_desk()
    ticket = service.open_ticket(customer, desk.id, "Disk full", "m", [])
    db.session.commit()
    smtp_server.inbox.wait_for(2)
    service.assign(ann, ticket, ann.id, None)
    service.client_reply(customer, ticket, "Any news?", [])
    db.session.commit()
    received = smtp_server.inbox.wait_for(3)
    assert received[2]["To"] == "ann@example.com"
    assert received[2]["Subject"] == f"Client reply in #{ticket.id}: Disk full"
    service.staff_reply(ann, ticket, "Internal only", [], None, internal=True)
    service.staff_reply(ann, ticket, "We freed 20 GB.", [], None, internal=False)
    db.session.commit()
    received = smtp_server.inbox.wait_for(4)
    assert len(received) == 4  # the note sent nothing
    to_client = received[3]
    assert to_client["To"] == "it@acme.example"
    assert to_client["Subject"] == f"Ответ на ваш запрос #{ticket.id}: Disk full"
    body = to_client.get_body(("plain",)).get_content()
    assert "We freed 20 GB." in body and "Internal only" not in body and f"/my/tickets/{ticket.id}" in body
    assert "Служба помощи" in body


def test_smtp_down_loses_nothing(mail_app, smtp_server):
    desk, ann, boris, customer = setup_desk()
    mail_app.config["SMTP_PORT"] = closed_port()
    client = mail_app.test_client()
    login(client, customer)
    response = client.post("/my/tickets/new", data={"department": str(desk.id), "subject": "Down",
                                                     "message": "m"})
    assert response.status_code == 302  # the ticket is saved whatever the mail server does
    db.session.commit()
    pending = db.session.scalars(select(OutboxMessage)).all()
    assert len(pending) == 2 and all(m.status is OutboxStatus.pending and m.attempts == 1 for m in pending)
    mail_app.config["SMTP_PORT"] = smtp_server.port
    db.session.execute(OutboxMessage.__table__.update().values(next_attempt_at=datetime.now(UTC)))
    db.session.commit()
    sweep_outbox()
    assert len(smtp_server.inbox.wait_for(2)) == 2
    assert wait_until(lambda: (db.session.commit() or True) and all(
        m.status is OutboxStatus.sent for m in db.session.scalars(select(OutboxMessage))))


def test_an_overdue_ticket_tells_its_department_once(mail_app, smtp_server):
    desk, ann, boris, customer = setup_desk()
    long_ago = datetime.now(UTC) - timedelta(days=10)
    ticket = service.open_ticket(customer, desk.id, "Old", "m", [], now=long_ago)
    db.session.commit()
    smtp_server.inbox.wait_for(2)
    assert overdue_tickets() == 1
    assert overdue_tickets() == 0  # once
    received = smtp_server.inbox.wait_for(4)
    overdue = by_recipient(received[2:])
    assert set(overdue) == {"ann@example.com", "boris@example.com"}
    assert overdue["ann@example.com"]["Subject"] == f"Overdue: ticket #{ticket.id}: Old"
    assert overdue["boris@example.com"]["Subject"].startswith("Просрочен")
    # A staff reply stops the clock; the client's next message starts a new one, which may be overdue again.
    ticket = db.session.get(Ticket, ticket.id)
    service.staff_reply(ann, ticket, "Looking", [], None, internal=False, now=long_ago + timedelta(hours=1))
    service.client_reply(customer, ticket, "Still broken", [], now=long_ago + timedelta(days=1))
    db.session.commit()
    assert overdue_tickets() == 1


def test_a_moved_ticket_tells_the_new_department(mail_app, smtp_server):
    desk, ann, boris, customer = setup_desk()
    billing = make_department("Billing", name_ru="Биллинг", rights=["support.tickets"])
    make_staff("bill", name="Bill", departments=[billing], email="bill@example.com")
    ticket = service.open_ticket(customer, desk.id, "Invoice wrong", "m", [])
    db.session.commit()
    smtp_server.inbox.wait_for(2)
    service.move(ann, ticket, billing.id)
    db.session.commit()
    received = smtp_server.inbox.wait_for(3)
    assert len(received) == 3 and received[2]["To"] == "bill@example.com"
    assert received[2]["Subject"] == f"Ticket #{ticket.id} moved to Billing: Invoice wrong"
    assert "Ann Agent moved ticket" in received[2].get_body(("plain",)).get_content()
    service.staff_reply(bill := db.session.scalar(select(type(ann)).where(type(ann).login == "bill")), ticket,
                        "Fixed", [], None, internal=False)
    service.move(bill, ticket, desk.id)  # waiting for the client: nobody needs telling
    db.session.commit()
    assert len(smtp_server.inbox.wait_for(5, timeout=2)) == 4  # only the reply to the client
