"""Ticket emails, written to the outbox in the transaction of the change that causes them.

- a new ticket and each client reply: to the assignee, or to the department's members when unassigned;
- a staff reply: to the client;
- a ticket becoming overdue: to the department's members, once per deadline.
Each in the recipient's language, HTML with a plain-text part, linking to the ticket. Staff who turned ticket
emails off on My profile, disabled accounts and accounts without an email address get none.
"""
from sqlalchemy import select, update

from webapp.extensions import db
from webapp.models import Account, AccountKind, Ticket, TicketMessage, TicketStatus, staff_departments
from webapp.models.accounts import utcnow
from webapp.outbox.service import absolute_url, queue_templated_email
from webapp.rights import can
from webapp.settings.service import default_timezone

EXCERPT = 2000


def _wants_ticket_emails(person: Account | None) -> bool:
    return bool(person is not None and person.active and person.ticket_emails and person.email
                and can(person, "support.tickets"))


def _staff_recipients(ticket: Ticket) -> list[Account]:
    """The assignee; the department's members when nobody is assigned, or when the assignee cannot be told
    (disabled meanwhile, lost the right, turned ticket emails off): a client's message never goes unnoticed."""
    if ticket.assignee_id is not None and _wants_ticket_emails(ticket.assignee):
        return [ticket.assignee]
    return _department_recipients(ticket.department_id)


def _department_recipients(department_id: int) -> list[Account]:
    """The department's staff who want ticket emails."""
    people = db.session.scalars(
        select(Account).join(staff_departments, staff_departments.c.account_id == Account.id)
        .where(staff_departments.c.department_id == department_id, Account.kind == AccountKind.staff)
        .order_by(Account.id))
    return [person for person in people if _wants_ticket_emails(person)]


def _excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT else text[:EXCERPT].rstrip() + "…"


def ticket_from_client(ticket: Ticket, message: TicketMessage, new: bool) -> int:
    """A new ticket or a client's reply: tell whoever answers it."""
    url = absolute_url("support.ticket", ticket_id=ticket.id)
    sent = 0
    for person in _staff_recipients(ticket):
        queue_templated_email(person.email, "ticket_from_client", person.locale,
                              "ticket.new" if new else "ticket.client_reply", account_id=person.id, new=new,
                              ticket=ticket, body=_excerpt(message.body), url=url, recipient=person,
                              zone=person.timezone or default_timezone())
        sent += 1
    return sent


def moved(ticket: Ticket, actor: Account, old_department) -> int:
    """A ticket moved to another department while it waits for staff: whoever answers it there is told
    (the assignee, else the department's members); the one who moved it is not."""
    if not ticket.status.awaits_staff:
        return 0
    url = absolute_url("support.ticket", ticket_id=ticket.id)
    sent = 0
    for person in _staff_recipients(ticket):
        if person.id == actor.id:
            continue
        queue_templated_email(person.email, "ticket_moved", person.locale, "ticket.moved", account_id=person.id,
                              ticket=ticket, actor=actor, old_department=old_department, url=url,
                              recipient=person, zone=person.timezone or default_timezone())
        sent += 1
    return sent


def staff_replied(ticket: Ticket, message: TicketMessage) -> bool:
    """A staff reply: the client reads it in their area (never an internal note: those are not sent)."""
    client = ticket.client
    if client is None or not client.email or not client.active:
        return False
    queue_templated_email(client.email, "ticket_reply", client.locale, "ticket.reply", account_id=client.id,
                          ticket=ticket, body=_excerpt(message.body), url=absolute_url("my.ticket", ticket_id=ticket.id),
                          recipient=client, author=message.author)
    return True


def overdue_tickets(now=None) -> int:
    """Tickets whose deadline passed tell their department once; the conditional UPDATE makes two workers
    running this at once notify once. Commits each ticket with its messages."""
    now = now or utcnow()
    ids = list(db.session.scalars(
        select(Ticket.id).where(Ticket.due_at.is_not(None), Ticket.due_at <= now,
                                Ticket.overdue_notified.is_(False),
                                Ticket.status.in_((TicketStatus.new, TicketStatus.waiting_staff)))
        .order_by(Ticket.due_at).limit(500)))
    db.session.rollback()
    notified = 0
    for ticket_id in ids:
        claimed = db.session.execute(
            update(Ticket).where(Ticket.id == ticket_id, Ticket.overdue_notified.is_(False),
                                 Ticket.due_at <= now).values(overdue_notified=True)
            .execution_options(synchronize_session=False)).rowcount
        if claimed != 1:
            db.session.rollback()
            continue
        ticket = db.session.get(Ticket, ticket_id)
        url = absolute_url("support.ticket", ticket_id=ticket.id)
        for person in _department_recipients(ticket.department_id):
            queue_templated_email(person.email, "ticket_overdue", person.locale, "ticket.overdue",
                                  account_id=person.id, ticket=ticket, url=url, recipient=person,
                                  zone=person.timezone or default_timezone())
        db.session.commit()
        notified += 1
    return notified
