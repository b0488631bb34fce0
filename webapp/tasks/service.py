"""Tasks: manual work on a service for the plan's department, written in the department's task language."""
from datetime import datetime, timedelta

from webapp.extensions import db
from webapp.hours import business_time
from webapp.i18n import force_locale, gettext
from webapp.models import Department, Service, ServiceOperation, Task, TaskEvent, TaskStatus
from webapp.models.accounts import utcnow
from webapp.moments import as_utc

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


def create_task(service: Service, operation: ServiceOperation, actor, now: datetime | None = None) -> Task:
    """A task for the plan's department, written in its task language, with a deadline in its business hours."""
    now = now or utcnow()
    department = service.tariff.department
    locale = department.task_locale or "en"
    title, text = write_task_text(service, operation, locale)
    task = Task(department_id=department.id, service_id=service.id, client_id=service.client_id,
                operation=operation, locale=locale, title=title[:255], text=text, status=TaskStatus.open,
                created_at=now, due_at=task_deadline(department, now))
    db.session.add(task)
    db.session.flush()
    db.session.add(TaskEvent(task_id=task.id, actor_id=actor.id if actor is not None else None, action="created",
                             created_at=now))
    db.session.flush()
    return task
