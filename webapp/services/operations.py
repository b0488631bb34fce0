"""What happens to a service: ordered, activated, suspended, resumed, closed.

`request()` is the one entry point: an automatic plan's operation applies at once; a manual plan's waits for
its task (the service remembers the operation pending), and the task's "Done" applies it.

Both are race-safe: request() claims the service with a conditional UPDATE (its status allows the operation
and nothing else waits), apply() with another (the service waits for this operation, or for nothing, and is
not closed). Two people suspending at once: one claim matches, the other is refused (409) with the reason.
"""
from datetime import date, datetime
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from sqlalchemy import or_, select, update

from webapp.errors import Refused
from webapp.extensions import db
from webapp.finance.ledger import add_charge
from webapp.i18n import force_locale, gettext, per_language
from webapp.models import (
    OPEN_TASK_STATUSES,
    BillingPeriod,
    Provisioning,
    Service,
    ServiceEvent,
    ServiceOperation,
    ServiceStatus,
    Task,
    TaskEvent,
    TaskStatus,
)
from webapp.models.accounts import utcnow
from webapp.moments import as_utc

RESULT = {
    ServiceOperation.order: ServiceStatus.active,
    ServiceOperation.suspend: ServiceStatus.suspended,
    ServiceOperation.resume: ServiceStatus.active,
    ServiceOperation.close: ServiceStatus.closed,
}
DONE_ACTION = {
    ServiceOperation.order: "activated",
    ServiceOperation.suspend: "suspended",
    ServiceOperation.resume: "resumed",
    ServiceOperation.close: "closed",
}
# The statuses an operation may start from (and nothing else may wait meanwhile).
ALLOWED_FROM = {
    ServiceOperation.order: frozenset({ServiceStatus.pending}),
    ServiceOperation.suspend: frozenset({ServiceStatus.active}),
    ServiceOperation.resume: frozenset({ServiceStatus.suspended}),
    ServiceOperation.close: frozenset({ServiceStatus.pending, ServiceStatus.active, ServiceStatus.suspended}),
}


def record(service: Service, actor, action: str, reason: str | None = None, now: datetime | None = None) -> None:
    db.session.add(ServiceEvent(service_id=service.id, actor_id=actor.id if actor is not None else None,
                                action=action, reason=reason or None, created_at=now or utcnow()))


def billing_date(now: datetime | None = None) -> date:
    """Today (or `now`'s day) in the company's time zone: periods start and end on its calendar."""
    from webapp.hours.service import server_timezone
    from webapp.settings.service import company_settings

    zone = company_settings().timezone or server_timezone()
    return as_utc(now or utcnow()).astimezone(ZoneInfo(zone)).date()


def period_end(start: date, period: BillingPeriod, anchor: int | None = None) -> date:
    """The end (exclusive) of the period starting at `start`. `anchor`, a day of the month, keeps periods on the
    day the service started (31 Jan → 28 Feb → 31 Mar, not 28 Mar)."""
    end = start + (relativedelta(months=1) if period is BillingPeriod.month else relativedelta(years=1))
    return end + relativedelta(day=anchor) if anchor else end  # clipped to the month's last day


def charge_period(service: Service, start: date, actor=None) -> None:
    """Charge the plan's price for the period starting at `start` (the description in the company's default
    language: a charge is a ledger line, read by staff and client alike)."""
    from webapp.settings.service import company_settings

    tariff = service.tariff
    end = period_end(start, tariff.period, anchor_day(service))
    with force_locale(company_settings().default_locale or "en"):
        description = gettext("%(plan)s, service #%(number)s, %(start)s – %(end)s",
                              plan=tariff.name, number=service.id, start=start.isoformat(),
                              end=(end - relativedelta(days=1)).isoformat())
    add_charge(service.client_id, tariff.price, description, actor=actor, service_id=service.id,
               period_start=start, period_end=end)
    service.paid_until = end


def anchor_day(service: Service) -> int | None:
    return billing_date(service.activated_at).day if service.activated_at is not None else None


# Refusals ---------------------------------------------------------------------------------------------

def waiting_label(operation: ServiceOperation) -> str:
    """"setup", "suspension", ...: what a service waits for."""
    return {
        ServiceOperation.order: gettext("setup"),
        ServiceOperation.suspend: gettext("suspension"),
        ServiceOperation.resume: gettext("resumption"),
        ServiceOperation.close: gettext("closing"),
    }[operation]


@per_language
def waiting_labels() -> dict:
    """Each operation's "waiting for …" label, translated once for a page."""
    return {operation: waiting_label(operation) for operation in ServiceOperation}


def status_label(status: ServiceStatus) -> str:
    return status_labels()[status]


@per_language
def status_labels() -> dict:
    return {ServiceStatus.pending: gettext("Pending"), ServiceStatus.active: gettext("Active"),
            ServiceStatus.suspended: gettext("Suspended"), ServiceStatus.closed: gettext("Closed")}


def _withdraws_order(service: Service, operation: ServiceOperation) -> bool:
    """Closing a service whose setup still waits withdraws the order: nothing was set up, nothing to undo."""
    return (operation is ServiceOperation.close and service.status is ServiceStatus.pending
            and service.pending_operation is ServiceOperation.order)


def refusal(service: Service, operation: ServiceOperation) -> str | None:
    """Why the operation cannot be asked for now (None: it can)."""
    if _withdraws_order(service, operation):
        return None
    if service.pending_operation is not None:
        return gettext("Service #%(number)s is waiting for %(operation)s: nothing else can be done to it until "
                       "that task is done.", number=service.id, operation=waiting_label(service.pending_operation))
    if service.status in ALLOWED_FROM[operation]:
        return None
    status = status_label(service.status)
    if operation is ServiceOperation.suspend:
        return gettext("Only an active service can be suspended; service #%(number)s is %(status)s.",
                       number=service.id, status=status.lower())
    if operation is ServiceOperation.resume:
        return gettext("Only a suspended service can be resumed; service #%(number)s is %(status)s.",
                       number=service.id, status=status.lower())
    if operation is ServiceOperation.close:
        return gettext("Service #%(number)s is already closed.", number=service.id)
    return gettext("Service #%(number)s has already been set up.", number=service.id)


def _refuse_after_race(service: Service, operation: ServiceOperation):
    """The claim matched nothing: someone changed the service meanwhile. Say what it is now."""
    db.session.refresh(service)
    reason = refusal(service, operation) or gettext("Someone else changed service #%(number)s just now. Look "
                                                    "again, then choose.", number=service.id)
    raise Refused(reason, 409)


# Operations -------------------------------------------------------------------------------------------

def apply(service: Service, operation: ServiceOperation, actor, reason: str | None = None,
          now: datetime | None = None) -> None:
    """Do the operation now: an order activates the service and charges its first period; a resumption whose
    paid period has ended charges a new one from today. Refused (409) when the service was closed meanwhile or
    waits for another operation."""
    now = now or utcnow()
    values = {"status": RESULT[operation], "pending_operation": None}
    if operation is ServiceOperation.order:
        values["activated_at"] = now
    elif operation is ServiceOperation.close:
        values["closed_at"] = now
    claimed = db.session.execute(
        update(Service).where(Service.id == service.id, Service.status != ServiceStatus.closed,
                              or_(Service.pending_operation.is_(None), Service.pending_operation == operation))
        .values(**values).execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        db.session.refresh(service)
        raise Refused(gettext("Service #%(number)s no longer waits for %(operation)s (it is %(status)s now); "
                              "nothing was changed.", number=service.id, operation=waiting_label(operation),
                              status=status_label(service.status).lower()), 409)
    db.session.refresh(service)
    today = billing_date(now)
    if operation is ServiceOperation.order:
        charge_period(service, today, actor)
    elif operation is ServiceOperation.resume and (service.paid_until is None or service.paid_until <= today):
        charge_period(service, today, actor)
    record(service, actor, DONE_ACTION[operation], reason, now)
    db.session.flush()


def request(service: Service, operation: ServiceOperation, actor, reason: str | None = None,
            now: datetime | None = None) -> None:
    """Ask for an operation: at once on an automatic plan; on a manual plan, a task for the plan's department.
    Refused (409) when the service's status does not allow it or another operation waits."""
    from webapp.tasks.service import create_task

    now = now or utcnow()
    if _withdraws_order(service, operation):
        _withdraw_order(service, actor, reason, now)
        return
    message = refusal(service, operation)
    if message:
        raise Refused(message, 409)
    claimed = db.session.execute(
        update(Service).where(Service.id == service.id, Service.status.in_(ALLOWED_FROM[operation]),
                              Service.pending_operation.is_(None))
        .values(pending_operation=operation).execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        _refuse_after_race(service, operation)
    db.session.refresh(service)
    if operation is ServiceOperation.order:
        record(service, actor, "ordered", reason, now)
    if service.tariff.provisioning is Provisioning.automatic:
        apply(service, operation, actor, reason, now)
        return
    if operation is not ServiceOperation.order:
        record(service, actor, f"{operation.value}_requested", reason, now)
    db.session.flush()
    create_task(service, operation, actor, now)


def _withdraw_order(service: Service, actor, reason: str | None, now: datetime) -> None:
    """Close a service whose setup task has not been done: the service closes, the task is cancelled."""
    claimed = db.session.execute(
        update(Service).where(Service.id == service.id, Service.status == ServiceStatus.pending,
                              Service.pending_operation == ServiceOperation.order)
        .values(status=ServiceStatus.closed, pending_operation=None, closed_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        _refuse_after_race(service, ServiceOperation.close)
    db.session.refresh(service)
    task_ids = list(db.session.scalars(select(Task.id).where(
        Task.service_id == service.id, Task.operation == ServiceOperation.order,
        Task.status.in_(OPEN_TASK_STATUSES))))
    if task_ids:
        db.session.execute(update(Task).where(Task.id.in_(task_ids), Task.status.in_(OPEN_TASK_STATUSES))
                           .values(status=TaskStatus.cancelled).execution_options(synchronize_session=False))
        for task_id in task_ids:
            db.session.add(TaskEvent(task_id=task_id, actor_id=actor.id if actor is not None else None,
                                     action="cancelled", created_at=now))
    record(service, actor, "closed", reason, now)
    db.session.flush()
