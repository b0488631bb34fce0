"""Task notifications, written to the outbox in the transaction of the change that causes them.

- a new task: to the department's active members who can open it, by email, and by SMS to those with a phone
  number (E.164), each in the member's own language (the task's title stays as written, in the department's);
- a task becoming overdue: by email to the same people, once per task.
A message that cannot be written (a template error) is logged and left out: it never fails the order or the
request that created the task; the outbox retries what it could not deliver.
"""
import logging

from flask import current_app
from sqlalchemy import select, update

from webapp.extensions import db
from webapp.hours.service import server_timezone
from webapp.i18n import force_locale
from webapp.i18n import gettext as _
from webapp.models import Account, AccountKind, Task, TaskStatus, staff_departments
from webapp.models.accounts import utcnow
from webapp.models.tasks import OPEN_TASK_STATUSES
from webapp.outbox.service import absolute_url, queue_sms, queue_templated_email
from webapp.support.service import holds_function

log = logging.getLogger(__name__)


def department_recipients(department_id: int) -> list[Account]:
    """The department's active staff members who may open its tasks, by id: one query."""
    return list(db.session.scalars(
        select(Account).join(staff_departments, staff_departments.c.account_id == Account.id)
        .where(staff_departments.c.department_id == department_id, Account.kind == AccountKind.staff,
               Account.active.is_(True), holds_function("tasks.view"))
        .order_by(Account.id)))


def _language(person: Account) -> str:
    languages = current_app.config["LANGUAGES"]
    return person.locale if person.locale in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def sms_text(task: Task, person: Account, url: str) -> str:
    """Short: the task's number, its department and the link, in the member's language."""
    with force_locale(_language(person)):
        return _("New task #%(number)s for %(department)s: %(url)s", number=task.id,
                 department=task.department.name, url=url)


def new_task(task: Task) -> int:
    """Tell the department's members about a new task; returns how many messages were written."""
    url = absolute_url("tasks.detail", task_id=task.id)
    written = 0
    for person in department_recipients(task.department_id):
        try:
            if person.email:
                queue_templated_email(person.email, "task_new", person.locale, "task.new", account_id=person.id,
                                      task=task, url=url, recipient=person,
                                      zone=person.timezone or server_timezone())
                written += 1
            if person.phone:
                queue_sms(to=person.phone, text=sms_text(task, person, url), topic="task.new",
                          account_id=person.id)
                written += 1
        except Exception:  # a broken template must not cost the client their order
            log.exception("Task %s: no notification written for account %s", task.id, person.id)
    return written


def overdue_tasks(now=None) -> int:
    """Tasks whose deadline passed while open tell their department once; the conditional UPDATE makes two
    workers running this at once notify once. Commits each task with its messages."""
    now = now or utcnow()
    ids = list(db.session.scalars(
        select(Task.id).where(Task.due_at.is_not(None), Task.due_at <= now, Task.overdue_notified.is_(False),
                              Task.status.in_(OPEN_TASK_STATUSES))
        .order_by(Task.due_at).limit(500)))
    db.session.rollback()
    notified = 0
    for task_id in ids:
        claimed = db.session.execute(
            update(Task).where(Task.id == task_id, Task.overdue_notified.is_(False), Task.due_at <= now,
                               Task.status.in_((TaskStatus.open, TaskStatus.taken)))
            .values(overdue_notified=True).execution_options(synchronize_session=False)).rowcount
        if claimed != 1:
            db.session.rollback()
            continue
        task = db.session.get(Task, task_id)
        url = absolute_url("tasks.detail", task_id=task.id)
        for person in department_recipients(task.department_id):
            if not person.email:
                continue
            try:
                queue_templated_email(person.email, "task_overdue", person.locale, "task.overdue",
                                      account_id=person.id, task=task, url=url, recipient=person,
                                      zone=person.timezone or server_timezone())
            except Exception:
                log.exception("Task %s: no overdue email written for account %s", task.id, person.id)
        db.session.commit()
        notified += 1
    return notified
