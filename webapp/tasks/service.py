"""Tasks: manual work on a service for the plan's department, written in the department's task language.

Each function checks its own rules, changes the session and flushes; the caller commits (with the outbox
messages queued by the same change). Scoping: a staff member reaches only the tasks of their departments
(full access: all); anything else is a 404, the same answer as a missing id.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import abort
from sqlalchemy import and_, bindparam, case, func, or_, select, update
from sqlalchemy.orm import aliased, joinedload, selectinload

from webapp.audit import record
from webapp.errors import Refused
from webapp.extensions import db
from webapp.hours import business_time
from webapp.i18n import force_locale, gettext, per_language
from webapp.i18n import gettext as _
from webapp.i18n import lazy_gettext as _l
from webapp.lists import Page, kept
from webapp.models import (
    Account,
    AccountKind,
    AssignmentMode,
    Department,
    Service,
    ServiceOperation,
    Task,
    TaskEvent,
    TaskStatus,
    staff_departments,
)
from webapp.models.accounts import utcnow
from webapp.models.tasks import OPEN_TASK_STATUSES
from webapp.moments import as_utc
from webapp.support.service import holds_function, lock_department, staff_department_ids
from webapp.support.service import scope_to_staff as support_scope

# What to do, in the department's task language (msgids extracted; translated when the task is written).
TITLES = {
    ServiceOperation.order: "Set up service #%(number)s (%(plan)s) for %(client)s",
    ServiceOperation.suspend: "Suspend service #%(number)s (%(plan)s) of %(client)s",
    ServiceOperation.resume: "Resume service #%(number)s (%(plan)s) of %(client)s",
    ServiceOperation.close: "Close service #%(number)s (%(plan)s) of %(client)s",
}


def _titles():
    # Listed for extraction: gettext() below receives these msgids.
    return (gettext("Set up service #%(number)s (%(plan)s) for %(client)s"),
            gettext("Suspend service #%(number)s (%(plan)s) of %(client)s"),
            gettext("Resume service #%(number)s (%(plan)s) of %(client)s"),
            gettext("Close service #%(number)s (%(plan)s) of %(client)s"))


STATUS_LABELS = {
    TaskStatus.open: _l("Open"),
    TaskStatus.taken: _l("Taken"),
    TaskStatus.done: _l("Done"),
    TaskStatus.cancelled: _l("Cancelled"),
}
OPERATION_LABELS = {
    ServiceOperation.order: _l("Set up"),
    ServiceOperation.suspend: _l("Suspend"),
    ServiceOperation.resume: _l("Resume"),
    ServiceOperation.close: _l("Close"),
}


@per_language
def status_labels() -> dict[TaskStatus, str]:
    """Each status's label, translated once for a page's rows."""
    return {status: str(label) for status, label in STATUS_LABELS.items()}


def task_deadline(department: Department, since: datetime) -> datetime | None:
    """The department's task target counted in its open hours (None if its schedule never opens)."""
    try:
        return business_time.add(business_time.calendar_for(department.business_hours), as_utc(since),
                                 timedelta(hours=department.task_target_hours))
    except business_time.NeverOpen:
        return None


def write_task_text(service: Service, operation: ServiceOperation, locale: str) -> tuple[str, str]:
    """(title, text) in `locale`: what to do, for which client and service."""
    from webapp.models.localized import localized

    tariff, client = service.tariff, service.client
    with force_locale(locale):
        plan = localized(tariff.name_en, tariff.name_ru)
        client_name = localized(client.name_en, client.name_ru)
        title = gettext(TITLES[operation], number=service.id, plan=plan, client=client_name)
        text = gettext("Client: %(client)s (%(login)s, %(email)s). Service #%(number)s on the plan %(plan)s.",
                       client=client_name, login=client.login, email=client.email or "—", number=service.id,
                       plan=plan)
    return title, text


def _event(task: Task, actor: Account | None, action: str, now: datetime, detail: str | None = None) -> None:
    db.session.add(TaskEvent(task_id=task.id, actor_id=actor.id if actor is not None else None, action=action,
                             detail=detail, created_at=now))


def create_task(service: Service, operation: ServiceOperation, actor, now: datetime | None = None) -> Task:
    """A task for the plan's department, written in its task language, with a deadline in its business hours;
    given to a member by the department's automatic assignment, and told to its members (email, SMS)."""
    from webapp.tasks import notify

    now = now or utcnow()
    department = service.tariff.department
    if department.assignment is not AssignmentMode.off:
        lock_department(department)  # before the task's insert: one lock order for every arrival
    locale = department.task_locale or "en"
    title, text = write_task_text(service, operation, locale)
    task = Task(department_id=department.id, service_id=service.id, client_id=service.client_id,
                operation=operation, locale=locale, title=title[:255], text=text, status=TaskStatus.open,
                created_at=now, due_at=task_deadline(department, now))
    db.session.add(task)
    db.session.flush()
    _event(task, actor, "created", now)
    auto_assign(task, department, now)
    db.session.flush()
    notify.new_task(task)
    return task


# Finding tasks ------------------------------------------------------------------------------------

def scope_to_staff(statement, staff: Account):
    return support_scope(statement, staff, Task.department_id)


def get_staff_task_or_404(staff: Account, task_id: int) -> Task:
    """The task with what its page shows (department, client, service and plan, assignee) in one query."""
    statement = scope_to_staff(select(Task).where(Task.id == task_id), staff).options(
        joinedload(Task.department), joinedload(Task.client), joinedload(Task.assignee),
        joinedload(Task.service).joinedload(Service.tariff))
    task = db.session.scalar(statement)
    if task is None:
        abort(404, _("There is no such task."))
    return task


@dataclass
class TaskFilter:
    department_id: int | None = None
    status: str = "active"  # active (open or taken), all, or a TaskStatus value
    assignee: str = "anyone"  # me, unassigned, anyone

    @property
    def active(self) -> bool:
        return self.department_id is not None or self.status != "active" or self.assignee != "anyone"

    def args(self) -> dict:
        """The query string that reproduces the filter (defaults left out)."""
        args = {}
        if self.department_id is not None:
            args["department"] = self.department_id
        if self.status != "active":
            args["status"] = self.status
        if self.assignee != "anyone":
            args["assignee"] = self.assignee
        return args


STATUS_FILTERS = ("active", "all", *(status.value for status in TaskStatus))
ASSIGNEE_FILTERS = ("anyone", "me", "unassigned")

_IS_OPEN = Task.status.in_(OPEN_TASK_STATUSES)
# Open ones first by deadline (none last), then done and cancelled ones, the newest first.
LIST_ORDER = (case((_IS_OPEN, 0), else_=1), case((_IS_OPEN, Task.due_at)).asc().nulls_last(),
              func.coalesce(Task.done_at, Task.created_at).desc(), Task.id.desc())
# Only open tasks (the default "all open", or open or taken): by deadline alone, which the indexes on
# (department, status, deadline) and (status, deadline) give in order.
OPEN_ORDER = (Task.due_at.is_(None), Task.due_at, Task.id.desc())


def list_order(wanted) -> tuple:
    return OPEN_ORDER if wanted.status in ("active", *(s.value for s in OPEN_TASK_STATUSES)) else LIST_ORDER

_CLIENT, _ASSIGNEE = aliased(Account, name="client"), aliased(Account, name="assignee")
LIST_COLUMNS = (Task.id, Task.title, Task.status, Task.due_at, Task.created_at, Task.done_at, Task.assignee_id,
                Department.name_en.label("department_en"), Department.name_ru.label("department_ru"),
                _CLIENT.name_en.label("client_name"), _CLIENT.name_ru.label("client_name_ru"),
                _CLIENT.login.label("client_login"), _ASSIGNEE.name_en.label("assignee_name"),
                _ASSIGNEE.name_ru.label("assignee_name_ru"))


def task_ids(staff: Account, wanted: TaskFilter):
    """The ids of the staff member's tasks under the filter, in the list's order: tasks alone, so the
    indexes on (department, status, deadline), (status, deadline) and (assignee, status) serve it."""
    statement = scope_to_staff(select(Task.id), staff)
    if wanted.department_id is not None:
        statement = statement.where(Task.department_id == wanted.department_id)
    if wanted.status == "active":
        statement = statement.where(_IS_OPEN)
    elif wanted.status != "all":
        statement = statement.where(Task.status == TaskStatus(wanted.status))
    if wanted.assignee == "me":
        statement = statement.where(Task.assignee_id == staff.id)
    elif wanted.assignee == "unassigned":
        statement = statement.where(Task.assignee_id.is_(None))
    return statement.order_by(*list_order(wanted))


def task_page(staff: Account, wanted: TaskFilter, page: int, per_page: int) -> Page:
    """One page of the list as plain rows, not counted (Previous and Next, as the ticket queue): the page's ids
    are chosen on tasks alone, then joined to their client, department and assignee: one query, kept per
    filter and scope (lists.kept), run on the connection."""
    scope = staff_department_ids(staff)
    key = ("tasks", repr(wanted), None if scope is None else tuple(scope), staff.id if wanted.assignee == "me" else 0)
    statement = kept(key, lambda: _task_page_statement(staff, wanted))
    rows = db.session.connection().execute(statement, {"_limit": per_page + 1,
                                                       "_offset": (page - 1) * per_page}).all()
    return Page(rows[:per_page], page, per_page, None, more=len(rows) > per_page)


def _task_page_statement(staff: Account, wanted: TaskFilter):
    ids = task_ids(staff, wanted).limit(bindparam("_limit")).offset(bindparam("_offset"))
    return (select(*LIST_COLUMNS)
            .join(_CLIENT, _CLIENT.id == Task.client_id)
            .join(Department, Department.id == Task.department_id)
            .outerjoin(_ASSIGNEE, _ASSIGNEE.id == Task.assignee_id)
            .where(Task.id.in_(ids)).order_by(*list_order(wanted)))


def is_open(task: Task) -> bool:
    return task.status in OPEN_TASK_STATUSES


def is_overdue(task, now: datetime | None = None) -> bool:
    """Its deadline passed while it is still open (a row or a task)."""
    due = as_utc(task.due_at)
    return due is not None and task.status in OPEN_TASK_STATUSES and due <= (now or utcnow())


# History ------------------------------------------------------------------------------------------

def history(task: Task) -> list[TaskEvent]:
    """The task's events, oldest first, with who did them: one query."""
    return list(db.session.scalars(select(TaskEvent).where(TaskEvent.task_id == task.id).order_by(TaskEvent.id)
                                   .options(selectinload(TaskEvent.actor))))


def describe_events(events: list[TaskEvent]) -> dict[int, str]:
    """What each event says, in the viewer's language, with names as they are now (one query at most)."""
    ids = {int(event.detail.partition(":")[2]) for event in events
           if event.detail and event.detail.partition(":")[2].isdigit()}
    people = {a.id: a for a in db.session.scalars(select(Account).where(Account.id.in_(ids)))} if ids else {}
    gone = _("(deleted)")

    def person(event) -> str:
        found = people.get(int(event.detail.partition(":")[2])) if event.detail else None
        return found.name if found else gone

    told = {}
    for event in events:
        if event.action == "created":
            told[event.id] = _("Created.")
        elif event.action == "assigned":
            told[event.id] = _("Assigned to %(name)s.", name=person(event))
        elif event.action == "taken":
            told[event.id] = _("Taken.")
        elif event.action == "released":
            told[event.id] = _("Released from %(name)s: back to the department.", name=person(event))
        elif event.action == "done":
            told[event.id] = _("Done.")
        elif event.action == "cancelled":
            told[event.id] = _("Cancelled.")
        else:
            told[event.id] = event.action
    return told


# Taking and doing ---------------------------------------------------------------------------------

def _holder_refusal(task: Task) -> Refused:
    """Why a task someone else changed meanwhile cannot be taken or done: who has it, or that it is closed."""
    db.session.refresh(task, ["status", "assignee_id", "done_by_id"])
    if task.status is TaskStatus.done:
        who = db.session.get(Account, task.done_by_id) if task.done_by_id else None
        return Refused(_("%(name)s has done this task already.", name=who.name if who else _("(deleted)")), 409)
    if task.status is TaskStatus.cancelled:
        return Refused(_("This task is cancelled: there is nothing left to do."), 409)
    holder = db.session.get(Account, task.assignee_id) if task.assignee_id else None
    if holder is None:
        return Refused(_("Someone else changed this task just now. Look again, then choose."), 409)
    return Refused(_("%(name)s has this task now: someone took it just before you.", name=holder.name), 409)


def take(staff: Account, task: Task, now: datetime | None = None) -> None:
    """Take the task (it is mine now). One conditional UPDATE: of two people taking it at once, one gets it and
    the other is told who has it; a task assigned to someone else is theirs."""
    now = now or utcnow()
    if task.status is TaskStatus.taken and task.assignee_id == staff.id:
        return
    result = db.session.execute(
        update(Task).where(Task.id == task.id, Task.status == TaskStatus.open,
                           or_(Task.assignee_id.is_(None), Task.assignee_id == staff.id))
        .values(status=TaskStatus.taken, assignee_id=staff.id).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise _holder_refusal(task)
    db.session.refresh(task, ["status", "assignee_id"])
    _event(task, staff, "taken", now)
    record(staff, "task.take", f"task:{task.id}")
    db.session.flush()


def complete(staff: Account, task: Task, now: datetime | None = None) -> None:
    """The manual work is done: the operation applies to the service (an order activates it and charges its
    first period, a suspension suspends it ...). Anyone who solves the department's tasks may do it; an
    unassigned task is taken by them on the way. One conditional UPDATE: done once, applied once."""
    from webapp.services.operations import apply

    now = now or utcnow()
    unassigned = task.assignee_id is None
    result = db.session.execute(
        update(Task).where(Task.id == task.id, Task.status.in_(OPEN_TASK_STATUSES))
        .values(status=TaskStatus.done, done_at=now, done_by_id=staff.id,
                assignee_id=func.coalesce(Task.assignee_id, staff.id))
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise _holder_refusal(task)
    db.session.refresh(task, ["status", "assignee_id", "done_at", "done_by_id"])
    if unassigned:
        _event(task, staff, "taken", now)
    apply(task.service, task.operation, staff, now=now)
    _event(task, staff, "done", now)
    record(staff, "task.done", f"task:{task.id}", task.operation.value)
    if task.operation is ServiceOperation.close:
        _cancel_the_rest(task, staff, now)
    db.session.flush()


def _cancel_the_rest(closing: Task, staff: Account, now: datetime) -> None:
    """A closed service needs no more work: its other open tasks (an order or a suspension still waiting) are
    cancelled, with who and when in their history."""
    others = list(db.session.scalars(select(Task.id).where(Task.service_id == closing.service_id,
                                                           Task.id != closing.id,
                                                           Task.status.in_(OPEN_TASK_STATUSES))))
    if not others:
        return
    db.session.execute(update(Task).where(Task.id.in_(others), Task.status.in_(OPEN_TASK_STATUSES))
                       .values(status=TaskStatus.cancelled, done_at=now, done_by_id=staff.id)
                       .execution_options(synchronize_session="fetch"))
    for task_id in others:
        db.session.add(TaskEvent(task_id=task_id, actor_id=staff.id, action="cancelled", created_at=now))


# Automatic assignment -----------------------------------------------------------------------------

def _eligible_solvers(department: Department, today) -> list[Account]:
    """Active members who are not away and may solve tasks, by id: one query."""
    statement = (select(Account).join(staff_departments, staff_departments.c.account_id == Account.id)
                 .where(staff_departments.c.department_id == department.id, Account.active.is_(True),
                        Account.kind == AccountKind.staff, holds_function("tasks.solve"),
                        or_(Account.away.is_(False), and_(Account.away_until.is_not(None),
                                                          Account.away_until < today)))
                 .order_by(Account.id))
    return list(db.session.scalars(statement))


def auto_assign(task: Task, department: Department, now: datetime | None = None) -> Account | None:
    """The department's automatic assignment, as for tickets: round robin (after whom it gave a task last) or
    the fewest open tasks, among active members who are not away and solve tasks; nobody eligible leaves the
    task unassigned. The department row is locked first, so concurrent arrivals take turns."""
    if department.assignment is AssignmentMode.off or task.status not in OPEN_TASK_STATUSES:
        return None
    now = now or utcnow()
    lock_department(department)
    db.session.refresh(department, ["last_task_assigned_id"])
    members = _eligible_solvers(department, now.date())
    if not members:
        return None
    if department.assignment is AssignmentMode.round_robin:
        last = department.last_task_assigned_id
        after = [m for m in members if last is not None and m.id > last]
        chosen = (after or members)[0]
    else:
        open_counts = dict(db.session.execute(
            select(Task.assignee_id, func.count()).where(Task.assignee_id.in_([m.id for m in members]),
                                                        Task.status.in_(OPEN_TASK_STATUSES), Task.id != task.id)
            .group_by(Task.assignee_id)).all())
        chosen = min(members, key=lambda m: (open_counts.get(m.id, 0), m.id))
    task.assignee_id = chosen.id
    department.last_task_assigned_id = chosen.id
    _event(task, None, "assigned", now, f"assigned:{chosen.id}")
    db.session.flush()
    return chosen


def release_tasks(person: Account, now: datetime | None = None, keep_departments=None) -> int:
    """A disabled, deleted or away staff member's open tasks (or those of departments they left, when
    `keep_departments` names the ones they stay in) go back to their departments, open and unassigned, and
    automatic assignment picks them up."""
    now = now or utcnow()
    statement = select(Task).where(Task.assignee_id == person.id, Task.status.in_(OPEN_TASK_STATUSES))
    if keep_departments is not None:
        statement = statement.where(Task.department_id.not_in(list(keep_departments)))
    tasks = list(db.session.scalars(statement.order_by(Task.id)))
    for task in tasks:
        task.assignee_id = None
        task.status = TaskStatus.open
        _event(task, None, "released", now, f"released:{person.id}")
        db.session.flush()
        auto_assign(task, task.department, now)
    return len(tasks)

