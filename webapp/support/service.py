"""Support tickets: who sees which, the deadline clock, replies, notes, assignment, moves, closing.

Each function checks its own rules, changes the session and flushes; the caller commits (with the outbox
messages queued by the same change). Scoping: a client reaches only their tickets, a staff member only the
tickets of their departments (full access: all); anything else is a 404, the same answer as a missing id.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from flask import abort, g, has_request_context
from markupsafe import Markup
from sqlalchemy import and_, bindparam, func, literal_column, or_, select, update
from sqlalchemy.orm import aliased, selectinload

from webapp.audit import record
from webapp.errors import Refused
from webapp.extensions import db
from webapp.forms import select_options
from webapp.hours import business_time
from webapp.i18n import current_language, per_language
from webapp.i18n import gettext as _
from webapp.kept import Kept
from webapp.lists import Page
from webapp.models import (
    Account,
    AccountKind,
    AssignmentMode,
    ClientGroup,
    Department,
    DepartmentRight,
    MessageKind,
    StaffRight,
    Ticket,
    TicketAttachment,
    TicketMessage,
    TicketStatus,
    staff_departments,
)
from webapp.models.accounts import utcnow
from webapp.models.tickets import QUEUE_ORDER
from webapp.moments import as_utc as aware
from webapp.rights import can
from webapp.support import notify
from webapp.support.attachments import Upload
from webapp.text import fold, like_escape

SUBJECT_MAX = 200
BODY_MAX = 20000


# Departments a client may write to ----------------------------------------------------------------

def visible_departments_statement(client: Account):
    """Departments shown in the support center and visible to the client's group (none chosen: everyone)."""
    groups = Department.client_groups
    visible_to_group = ~groups.any()
    if client.client_group_id is not None:
        visible_to_group = or_(visible_to_group, groups.any(ClientGroup.id == client.client_group_id))
    return select(Department).where(Department.show_in_support.is_(True), visible_to_group)


def visible_departments(client: Account) -> list[Department]:
    statement = visible_departments_statement(client).options(selectinload(Department.business_hours))
    departments = list(db.session.scalars(statement))
    return sorted(departments, key=lambda d: d.name.casefold())


def calendar_of(department: Department) -> business_time.Calendar:
    return business_time.calendar_for(department.business_hours)


def deadline(department: Department, since: datetime) -> datetime | None:
    """The response target counted in the department's open hours from `since` (None if it never opens)."""
    try:
        return business_time.add(calendar_of(department), aware(since),
                                 timedelta(hours=department.response_target_hours))
    except business_time.NeverOpen:
        return None


@dataclass
class DepartmentChoice:
    """A department as a client sees it when writing: open now or when it opens, and when to expect an answer."""

    department: Department
    open_now: bool
    opens_at: datetime | None
    answer_by: datetime | None


def department_choices(client: Account, now: datetime | None = None) -> list[DepartmentChoice]:
    now = now or utcnow()
    choices = []
    for department in visible_departments(client):
        calendar = calendar_of(department)
        try:
            opens = business_time.next_opening(calendar, now)
        except business_time.NeverOpen:
            opens = None
        choices.append(DepartmentChoice(department, opens is not None and opens <= now, opens,
                                        deadline(department, now)))
    return choices


# Finding tickets ----------------------------------------------------------------------------------

def _not_found():
    abort(404, _("There is no such ticket."))


def get_client_ticket_or_404(client: Account, ticket_id: int) -> Ticket:
    ticket = db.session.scalar(select(Ticket).where(Ticket.id == ticket_id, Ticket.client_id == client.id))
    if ticket is None:
        _not_found()
    return ticket


def staff_department_ids(staff: Account) -> list[int] | None:
    """The departments whose tickets a staff member sees; None means all (full access)."""
    if staff.full_access:
        return None
    return [row.id for row in _member_departments(staff)]


def _member_departments(staff: Account) -> list:
    """(id, name_en, name_ru) of the departments a staff member belongs to, read once a request: the queue
    needs them for its scope and for its department filter."""
    cache = g.setdefault("_member_departments", {}) if has_request_context() else {}
    if staff.id not in cache:
        cache[staff.id] = db.session.execute(
            select(Department.id, Department.name_en, Department.name_ru)
            .join(staff_departments, staff_departments.c.department_id == Department.id)
            .where(staff_departments.c.account_id == staff.id)).all()
    return cache[staff.id]


def scope_to_staff(statement, staff: Account, column=Ticket.department_id):
    """The statement limited to the staff member's departments by `column` (a ticket's, a task's department);
    full access: unlimited; no department: nothing."""
    ids = staff_department_ids(staff)
    if ids is None:
        return statement
    return statement.where(column.in_(ids)) if ids else statement.where(False)


def get_staff_ticket_or_404(staff: Account, ticket_id: int, *, lock: bool = False) -> Ticket:
    statement = scope_to_staff(select(Ticket).where(Ticket.id == ticket_id), staff)
    if lock:
        statement = statement.with_for_update()
    ticket = db.session.scalar(statement)
    if ticket is None:
        _not_found()
    return ticket


def thread(ticket: Ticket, for_client: bool) -> list[TicketMessage]:
    """The messages (a client's view has no internal notes or events), with authors and file names: 2 queries."""
    statement = (select(TicketMessage).where(TicketMessage.ticket_id == ticket.id).order_by(TicketMessage.id)
                 .options(selectinload(TicketMessage.author), selectinload(TicketMessage.attachments)))
    if for_client:
        statement = statement.where(TicketMessage.kind.in_((MessageKind.client, MessageKind.reply)))
    return list(db.session.scalars(statement))


def get_attachment_or_404(ticket: Ticket, attachment_id: int, for_client: bool) -> TicketAttachment:
    statement = (select(TicketAttachment).join(TicketMessage, TicketMessage.id == TicketAttachment.message_id)
                 .where(TicketAttachment.id == attachment_id, TicketAttachment.ticket_id == ticket.id))
    if for_client:
        statement = statement.where(TicketMessage.kind.in_((MessageKind.client, MessageKind.reply)))
    attachment = db.session.scalar(statement)
    if attachment is None:
        abort(404, _("There is no such file."))
    return attachment


# Lists --------------------------------------------------------------------------------------------

CLIENT_LIST_COLUMNS = (Ticket.id, Ticket.subject, Ticket.status, Ticket.due_at, Ticket.last_message_at,
                       Department.name_en.label("department_en"), Department.name_ru.label("department_ru"))


def client_tickets(client_id: int):
    """The client's tickets, the most recent activity first: plain rows."""
    return (select(*CLIENT_LIST_COLUMNS).join(Department, Department.id == Ticket.department_id)
            .where(Ticket.client_id == client_id)
            .order_by(Ticket.last_message_at.desc(), Ticket.id.desc()))


def open_ticket_count(client: Account) -> int:
    return db.session.scalar(select(func.count()).select_from(Ticket).where(
        Ticket.client_id == client.id, Ticket.status != TicketStatus.closed)) or 0


@dataclass
class QueueFilter:
    department_id: int | None = None
    status: str = "open"  # open (not closed), all, or a TicketStatus value
    assignee: str = "anyone"  # me, unassigned, anyone
    overdue: bool = False
    q: str = ""

    @property
    def active(self) -> bool:
        return (self.department_id is not None or self.status != "open" or self.assignee != "anyone"
                or self.overdue or bool(self.q))

    def args(self) -> dict:
        """The query string that reproduces the filter (defaults left out)."""
        args = {}
        if self.department_id is not None:
            args["department"] = self.department_id
        if self.status != "open":
            args["status"] = self.status
        if self.assignee != "anyone":
            args["assignee"] = self.assignee
        if self.overdue:
            args["overdue"] = "1"
        if self.q:
            args["q"] = self.q
        return args


STATUS_FILTERS = ("open", "all", *(status.value for status in TicketStatus))
ASSIGNEE_FILTERS = ("anyone", "me", "unassigned")


# Built once: an aliased() entity costs milliseconds to build and adapt its columns on every request.
_CLIENT, _ASSIGNEE = aliased(Account, name="client"), aliased(Account, name="assignee")
QUEUE_COLUMNS = (Ticket.id, Ticket.subject, Ticket.status, Ticket.due_at, Ticket.last_message_at,
                 Ticket.assignee_id, Department.name_en.label("department_en"),
                 Department.name_ru.label("department_ru"), _CLIENT.name_en.label("client_name"),
                 _CLIENT.name_ru.label("client_name_ru"), _CLIENT.login.label("client_login"),
                 _ASSIGNEE.name_en.label("assignee_name"), _ASSIGNEE.name_ru.label("assignee_name_ru"))


def _queue_shape(staff: Account, wanted: QueueFilter) -> tuple[tuple, dict]:
    """What kind of queue query the filter needs (its shape) and the values to run it with."""
    department_ids = staff_department_ids(staff)
    scope = "all" if department_ids is None else ("some" if department_ids else "none")
    status = wanted.status if wanted.status in ("open", "all") else "one"
    key = fold(wanted.q)
    params = {"scope": department_ids, "department": wanted.department_id, "staff": staff.id,
              "status": None if status != "one" else TicketStatus(wanted.status),
              "pattern": f"%{like_escape(key)}%" if key else None}
    shape = (scope, wanted.department_id is not None, status, wanted.assignee, wanted.overdue, bool(key))
    return shape, {name: value for name, value in params.items() if value is not None}


@cache
def _queue_ids(shape: tuple):
    """The ids of a queue, in its order (QUEUE_ORDER: deadlines first, overdue on top, then the latest
    activity), with its values as parameters: built once per shape (building it cost more than running it).
    Tickets alone, so the queue's indexes serve it; a search joins the clients."""
    scope, by_department, status, assignee, overdue, search = shape
    statement = select(Ticket.id)
    if scope == "some":
        statement = statement.where(Ticket.department_id.in_(bindparam("scope", expanding=True)))
    elif scope == "none":
        statement = statement.where(False)
    if by_department:
        statement = statement.where(Ticket.department_id == bindparam("department"))
    if status == "open":
        # "!= closed", not an IN list: a list of statuses sent SQLite's planner to the dashboard's (status,
        # department, deadline) index, reading every open ticket to sort them (the admin's queue: 20 req/s).
        statement = statement.where(Ticket.status != TicketStatus.closed)
    elif status == "one":
        statement = statement.where(Ticket.status == bindparam("status", type_=Ticket.status.type))
    if assignee == "me":
        statement = statement.where(Ticket.assignee_id == bindparam("staff"))
    elif assignee == "unassigned" and status == "one" and scope == "some":
        statement = statement.where(Ticket.assignee_id.is_(None))  # (assignee, status, department): a few seeks
    elif assignee == "unassigned":
        # Of every open status, or of all departments: "+ 0" keeps the planner on the queue-order indexes, which
        # give the first page in order; the assignee index read every unassigned ticket to sort them (2.4 ms
        # against 0.2 for a member, 13 ms against under 1 for the admin, on 100,000 tickets, SQLite).
        statement = statement.where(literal_column("0") + Ticket.assignee_id == None)  # noqa: E711
    if overdue:
        statement = statement.where(Ticket.due_at.is_not(None), Ticket.due_at <= bindparam("now",
                                                                                           type_=Ticket.due_at.type))
    if search:
        pattern = bindparam("pattern")
        statement = statement.join(Account, Account.id == Ticket.client_id).where(or_(
            Ticket.subject_key.like(pattern, escape="\\"), Account.search_key.like(pattern, escape="\\")))
    return statement.order_by(*QUEUE_ORDER)


@cache
def _queue_page_statement(shape: tuple):
    """One page of a queue: its ids (limit and offset as parameters), joined to their client, department and
    assignee."""
    ids = _queue_ids(shape).limit(bindparam("limit")).offset(bindparam("offset"))
    return (select(*QUEUE_COLUMNS)
            .join(_CLIENT, _CLIENT.id == Ticket.client_id)
            .join(Department, Department.id == Ticket.department_id)
            .outerjoin(_ASSIGNEE, _ASSIGNEE.id == Ticket.assignee_id)
            .where(Ticket.id.in_(ids)).order_by(*QUEUE_ORDER))


def queue(staff: Account, wanted: QueueFilter, now: datetime | None = None):
    """The ids of the staff member's queue, in its order, as a statement ready to run."""
    shape, params = _queue_shape(staff, wanted)
    return _queue_ids(shape).params(now=now or utcnow(), **params)


def queue_page(staff: Account, wanted: QueueFilter, page: int, per_page: int,
               now: datetime | None = None) -> Page:
    """One page of the queue as plain rows, not counted (Previous and Next: a count would read every open
    ticket of the staff member's departments on each refresh). The page's ids are chosen first, on tickets
    alone; only those rows are joined to their client, department and assignee: one query, run on the
    connection (plain rows: the ORM's result handling cost a third of the query)."""
    shape, params = _queue_shape(staff, wanted)
    params.update(now=now or utcnow(), limit=per_page + 1, offset=(page - 1) * per_page)
    rows = db.session.connection().execute(_queue_page_statement(shape), params).all()
    return Page(rows[:per_page], page, per_page, None, more=len(rows) > per_page)


@dataclass(frozen=True)
class Option:
    id: int
    name: str


def department_options(staff: Account) -> list[Option]:
    """The departments whose tickets the staff member sees, for the queue's filter: ids and names in the
    viewer's language (an administrator's list has every department: no objects built, the language asked once)."""
    if staff.full_access:
        departments = db.session.execute(select(Department.id, Department.name_en, Department.name_ru)).all()
    else:
        departments = _member_departments(staff)
    russian = current_language() == "ru"
    options = [Option(d.id, d.name_ru if russian and d.name_ru else d.name_en) for d in departments]
    return sorted(options, key=lambda option: option.name.casefold())


_FILTERS = Kept(256)


def department_filter(staff: Account, selected: int | None) -> Markup:
    """The department filter's <option>s of the queue and the task list, sorted by name in the viewer's language.
    An administrator's has every department (200 in the bench: building and writing them was a quarter of the
    queue's page): written once per language, choice and departments' names, and kept. The names are read on
    every request (plain rows), so a rename, a new or a deleted department shows at once."""
    if staff.full_access:
        rows = db.session.connection().execute(_ALL_DEPARTMENT_NAMES).all()
    else:
        rows = _member_departments(staff)
    return _FILTERS.get((current_language(), selected, tuple(tuple(row) for row in rows)), lambda: select_options(
        ((option.id, option.name) for option in department_options(staff)), selected))


_ALL_DEPARTMENT_NAMES = select(Department.id, Department.name_en, Department.name_ru)


@per_language
def status_labels() -> dict[TicketStatus, str]:
    """Each status's label, translated once for a page's rows."""
    return {status: str(status.label) for status in TicketStatus}


def holds_function(function_id: str):
    """An account holds the function, as the rights engine decides it (full access, a department's grant or
    their own), in SQL: a department's members are checked in one query, not one rights query each. Correlated
    (EXISTS per member, by primary keys), so the cost follows the department's size, not the grants'."""
    held = aliased(staff_departments)
    through_department = (select(DepartmentRight.department_id)
                          .join(held, held.c.department_id == DepartmentRight.department_id)
                          .where(held.c.account_id == Account.id, DepartmentRight.function_id == function_id))
    individually = select(StaffRight.account_id).where(StaffRight.account_id == Account.id,
                                                        StaffRight.function_id == function_id)
    return or_(Account.full_access.is_(True), through_department.exists(), individually.exists())


def _answers_tickets():
    return holds_function("support.tickets")


def _members_answering(department_id: int, *columns):
    return (select(*(columns or (Account,))).join(staff_departments, staff_departments.c.account_id == Account.id)
            .where(staff_departments.c.department_id == department_id, Account.active.is_(True),
                   Account.kind == AccountKind.staff, _answers_tickets()))


def assignable_members(department: Department) -> list:
    """Who may be given the department's tickets: active members who can open the queue, as rows (id, name_en,
    name_ru) in login order: one query."""
    return db.session.execute(_members_answering(department.id, Account.id, Account.name_en, Account.name_ru)
                              .order_by(Account.login)).all()


# The clock ----------------------------------------------------------------------------------------

def _start_clock(ticket: Ticket, department: Department, since: datetime) -> None:
    ticket.awaiting_since = since
    ticket.due_at = deadline(department, since)
    ticket.overdue_notified = False


def _stop_clock(ticket: Ticket) -> None:
    ticket.awaiting_since = None
    ticket.due_at = None
    ticket.overdue_notified = False


def _add_message(ticket: Ticket, author: Account | None, kind: MessageKind, body: str, now: datetime,
                 uploads: list[Upload] = ()) -> TicketMessage:
    message = TicketMessage(ticket=ticket, author=author, kind=kind, body=body, created_at=now)
    db.session.add(message)
    if ticket.id is None:
        db.session.flush()
    for upload in uploads:
        message.attachments.append(TicketAttachment(ticket_id=ticket.id, filename=upload.filename,
                                                    content_type=upload.content_type, size=len(upload.data),
                                                    data=upload.data))
    db.session.flush()
    if kind is not MessageKind.event:  # "a new message arrived" means a message, not "Assigned to …"
        ticket.last_message_id = message.id
    if kind in (MessageKind.client, MessageKind.reply):  # the client's "Last activity": never a note
        ticket.last_message_at = now
    return message


def _event(ticket: Ticket, actor: Account | None, code: str, now: datetime) -> None:
    """A line in the thread for staff, stored as a code ("assigned:12", "moved:3:5", "closed") and told in the
    viewer's language by describe_events()."""
    _add_message(ticket, actor, MessageKind.event, code, now)


def describe_events(messages: list[TicketMessage]) -> dict[int, str]:
    """The sentence of each event in the thread, in the viewer's language, names as they are now (2 queries
    at most, whatever the number of events)."""
    events = [m for m in messages if m.kind is MessageKind.event]
    account_ids, department_ids = set(), set()
    for event in events:
        kind, _colon, rest = event.body.partition(":")
        if kind == "assigned":
            account_ids.add(int(rest))
        elif kind == "moved":
            department_ids.update(int(part) for part in rest.split(":"))
    people = {a.id: a for a in db.session.scalars(select(Account).where(Account.id.in_(account_ids)))} \
        if account_ids else {}
    departments = {d.id: d for d in db.session.scalars(select(Department).where(Department.id.in_(department_ids)))} \
        if department_ids else {}
    gone = _("(deleted)")
    told = {}
    for event in events:
        kind, _colon, rest = event.body.partition(":")
        if kind == "assigned":
            person = people.get(int(rest))
            told[event.id] = _("Assigned to %(name)s.", name=person.name if person else gone)
        elif kind == "unassigned":
            told[event.id] = _("Unassigned.")
        elif kind == "moved":
            first, second = (departments.get(int(part)) for part in rest.split(":"))
            told[event.id] = _("Moved from %(old)s to %(new)s.", old=first.name if first else gone,
                               new=second.name if second else gone)
        elif kind == "closed":
            told[event.id] = _("Closed.")
        elif kind == "reopened":
            told[event.id] = _("Reopened.")
        else:
            told[event.id] = event.body
    return told


# Client actions -----------------------------------------------------------------------------------

def open_ticket(client: Account, department_id: int, subject: str, body: str, uploads: list[Upload],
                now: datetime | None = None) -> Ticket:
    """A client's new ticket to a department they may write to; anything else is refused and creates nothing."""
    now = now or utcnow()
    department = db.session.scalar(visible_departments_statement(client).where(Department.id == department_id))
    if department is None:
        raise Refused(_("Choose a department from the list."), 422)
    if department.assignment is not AssignmentMode.off:
        lock_department(department)  # before the ticket's insert: one lock order for every arrival
    ticket = Ticket(client=client, department=department, subject=subject, subject_key=fold(subject)[:200],
                    status=TicketStatus.new, created_at=now, last_message_at=now)
    db.session.add(ticket)
    _start_clock(ticket, department, now)
    message = _add_message(ticket, client, MessageKind.client, body, now, uploads)
    auto_assign(ticket, department, now)
    notify.ticket_from_client(ticket, message, new=True)
    return ticket


def client_reply(client: Account, ticket: Ticket, body: str, uploads: list[Upload],
                 now: datetime | None = None) -> TicketMessage:
    """A client's reply: reopens a closed ticket; starts the clock unless it already runs."""
    now = now or utcnow()
    if ticket.client_id != client.id:  # pragma: no cover - the loader already scoped it
        _not_found()
    if not ticket.status.awaits_staff:
        _start_clock(ticket, ticket.department, now)
    if ticket.status is TicketStatus.closed:
        ticket.closed_at = None
    if ticket.status is not TicketStatus.new:
        ticket.status = TicketStatus.waiting_staff
    message = _add_message(ticket, client, MessageKind.client, body, now, uploads)
    if ticket.assignee_id is None:
        auto_assign(ticket, ticket.department, now)
    notify.ticket_from_client(ticket, message, new=False)
    return message


def client_close(client: Account, ticket: Ticket, now: datetime | None = None) -> None:
    now = now or utcnow()
    if ticket.status is TicketStatus.closed:
        return
    _close(ticket, client, now)


# Staff actions ------------------------------------------------------------------------------------

class StaleThread(Exception):
    """New messages arrived after the sender opened the page: show them and ask again."""


def staff_reply(staff: Account, ticket: Ticket, body: str, uploads: list[Upload], last_seen: int | None,
                internal: bool, now: datetime | None = None) -> TicketMessage:
    """A reply (the client sees it; stops the clock) or an internal note (the client never does).
    Refused with StaleThread when a message arrived after `last_seen`, the newest message the page showed."""
    now = now or utcnow()
    if last_seen is not None and (ticket.last_message_id or 0) > last_seen:
        raise StaleThread()
    if internal:
        return _add_message(ticket, staff, MessageKind.note, body, now, uploads)
    if ticket.first_response_at is None:
        ticket.first_response_at = now
        calendar = calendar_of(ticket.department)
        if calendar.ever_open:  # a department that never opens has no business time to count
            spent = business_time.elapsed(calendar, aware(ticket.created_at), now)
            ticket.first_response_minutes = int(spent.total_seconds() // 60)
            ticket.first_response_in_target = spent <= timedelta(hours=ticket.department.response_target_hours)
    if ticket.status is TicketStatus.closed:
        ticket.closed_at = None
        _event(ticket, staff, "reopened", now)
    ticket.status = TicketStatus.waiting_client
    _stop_clock(ticket)
    if ticket.assignee_id is None:
        ticket.assignee_id = staff.id
    message = _add_message(ticket, staff, MessageKind.reply, body, now, uploads)
    notify.staff_replied(ticket, message)
    return message


def assign(staff: Account, ticket: Ticket, assignee_id: int | None, expected_id: int | None,
           now: datetime | None = None) -> None:
    """Give the ticket to a member of its department (None: nobody). `expected_id` is the assignee the page
    showed: when someone else changed it meanwhile, the first change wins and this one is refused, naming
    who has it."""
    now = now or utcnow()
    if assignee_id is not None:
        person = db.session.get(Account, assignee_id)
        eligible = (person is not None and person.is_staff and person.active and can(person, "support.tickets")
                    and (person.id == staff.id and staff.full_access
                         or ticket.department_id in {d.id for d in person.departments}))
        if not eligible:
            raise Refused(_("Choose a member of the ticket's department."), 422)
    if assignee_id == ticket.assignee_id == expected_id:
        return
    expected = Ticket.assignee_id.is_(None) if expected_id is None else Ticket.assignee_id == expected_id
    result = db.session.execute(update(Ticket).where(Ticket.id == ticket.id, expected)
                                .values(assignee_id=assignee_id).execution_options(synchronize_session=False))
    db.session.refresh(ticket, ["assignee_id"])
    if result.rowcount != 1:
        holder = db.session.get(Account, ticket.assignee_id) if ticket.assignee_id else None
        if holder is None:
            raise Refused(_("Someone else changed the assignee of this ticket just now: it is unassigned now. "
                            "Look again, then choose."), 409)
        raise Refused(_("%(name)s has this ticket now: someone assigned it just before you.",
                        name=holder.name), 409)
    person = db.session.get(Account, assignee_id) if assignee_id else None
    _event(ticket, staff, f"assigned:{person.id}" if person else "unassigned", now)
    record(staff, "ticket.assign", f"ticket:{ticket.id}", person.login if person else "-")


def move(staff: Account, ticket: Ticket, department_id: int, now: datetime | None = None) -> Department:
    """Send the ticket to another department: its deadline is recomputed from that department's schedule and
    target; an assignee who is not a member there lets go of it (automatic assignment may pick it up)."""
    now = now or utcnow()
    target = db.session.get(Department, department_id)
    if target is None:
        raise Refused(_("Choose a department from the list."), 422)
    if target.id == ticket.department_id:
        return target
    old_department = ticket.department
    old_name, old_department_id = old_department.name_en, ticket.department_id
    ticket.department = target
    ticket.department_id = target.id
    if ticket.status.awaits_staff and ticket.awaiting_since is not None:
        _start_clock(ticket, target, aware(ticket.awaiting_since))
    if ticket.assignee_id is not None and target.id not in {d.id for d in ticket.assignee.departments}:
        ticket.assignee_id = None
    _event(ticket, staff, f"moved:{old_department_id}:{target.id}", now)
    record(staff, "ticket.move", f"ticket:{ticket.id}", f"{old_name} → {target.name_en}")
    if ticket.assignee_id is None and ticket.status is not TicketStatus.closed:
        auto_assign(ticket, target, now)
    db.session.flush()
    notify.moved(ticket, staff, old_department)
    return target


def _close(ticket: Ticket, actor: Account, now: datetime) -> None:
    ticket.status = TicketStatus.closed
    ticket.closed_at = now
    _stop_clock(ticket)
    _event(ticket, actor, "closed", now)


def staff_close(staff: Account, ticket: Ticket, now: datetime | None = None) -> None:
    if ticket.status is not TicketStatus.closed:
        _close(ticket, staff, now or utcnow())
        record(staff, "ticket.close", f"ticket:{ticket.id}")


def staff_reopen(staff: Account, ticket: Ticket, now: datetime | None = None) -> None:
    """A reopened ticket waits for staff again, with a new clock."""
    now = now or utcnow()
    if ticket.status is not TicketStatus.closed:
        return
    ticket.status = TicketStatus.waiting_staff
    ticket.closed_at = None
    _start_clock(ticket, ticket.department, now)
    _event(ticket, staff, "reopened", now)
    record(staff, "ticket.reopen", f"ticket:{ticket.id}")


# Automatic assignment -----------------------------------------------------------------------------

def _eligible_members(department: Department, today) -> list[Account]:
    statement = (_members_answering(department.id)
                 .where(or_(Account.away.is_(False), and_(Account.away_until.is_not(None),
                                                          Account.away_until < today)))
                 .order_by(Account.id))
    return list(db.session.scalars(statement))


def lock_department(department: Department) -> None:
    """Concurrent arrivals in one department take turns for automatic assignment. FOR NO KEY UPDATE on
    PostgreSQL: it waits for another arrival's lock, but not for the key-share locks that inserting tickets
    (their foreign key) takes; SQLite writes one transaction at a time anyway."""
    db.session.execute(select(Department.id).where(Department.id == department.id)
                       .with_for_update(key_share=True))


def auto_assign(ticket: Ticket, department: Department, now: datetime | None = None) -> Account | None:
    """Round robin or fewest open tickets among active members who are not away; nobody eligible leaves the
    ticket unassigned. The department row is locked first, so concurrent arrivals take turns."""
    if department.assignment is AssignmentMode.off or ticket.status is TicketStatus.closed:
        return None
    now = now or utcnow()
    lock_department(department)
    db.session.refresh(department, ["last_assigned_id"])
    members = _eligible_members(department, now.date())
    if not members:
        return None
    if department.assignment is AssignmentMode.round_robin:
        after = [m for m in members if department.last_assigned_id is not None and m.id > department.last_assigned_id]
        chosen = (after or members)[0]
    else:
        open_counts = dict(db.session.execute(
            select(Ticket.assignee_id, func.count()).where(Ticket.assignee_id.in_([m.id for m in members]),
                                                          Ticket.status != TicketStatus.closed,
                                                          Ticket.id != ticket.id)
            .group_by(Ticket.assignee_id)).all())
        chosen = min(members, key=lambda m: (open_counts.get(m.id, 0), m.id))
    ticket.assignee_id = chosen.id
    department.last_assigned_id = chosen.id
    db.session.flush()
    return chosen


def release_tickets(person: Account, now: datetime | None = None, keep_departments=None) -> int:
    """A disabled, deleted or away staff member's open tickets (or those of departments they left, when
    `keep_departments` names the ones they stay in) become unassigned in their departments, and automatic
    assignment picks them up."""
    statement = select(Ticket).where(Ticket.assignee_id == person.id, Ticket.status != TicketStatus.closed)
    if keep_departments is not None:
        statement = statement.where(Ticket.department_id.not_in(list(keep_departments)))
    tickets = list(db.session.scalars(statement))
    for ticket in tickets:
        ticket.assignee_id = None
        db.session.flush()
        auto_assign(ticket, ticket.department, now)
    return len(tickets)
