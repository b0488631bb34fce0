"""What happens to a service: ordered, activated, suspended, resumed, closed.

`request()` is the one entry point: an automatic plan's operation applies at once; a manual plan's waits for
its task (the service remembers the operation pending), and the task's "Done" applies it.
"""
from datetime import date, datetime

from dateutil.relativedelta import relativedelta

from webapp.extensions import db
from webapp.finance.ledger import add_charge
from webapp.i18n import force_locale, gettext
from webapp.models import (
    BillingPeriod,
    Provisioning,
    Service,
    ServiceEvent,
    ServiceOperation,
    ServiceStatus,
)
from webapp.models.accounts import utcnow

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


def record(service: Service, actor, action: str, reason: str | None = None, now: datetime | None = None) -> None:
    db.session.add(ServiceEvent(service_id=service.id, actor_id=actor.id if actor is not None else None,
                                action=action, reason=reason or None, created_at=now or utcnow()))


def period_end(start: date, period: BillingPeriod) -> date:
    return start + (relativedelta(months=1) if period is BillingPeriod.month else relativedelta(years=1))


def charge_period(service: Service, start: date, actor=None) -> None:
    """Charge the plan's price for the period starting at `start` (the description in the company's default
    language: a charge is a ledger line, read by staff and client alike)."""
    from webapp.settings.service import company_settings

    tariff = service.tariff
    end = period_end(start, tariff.period)
    with force_locale(company_settings().default_locale or "en"):
        description = gettext("%(plan)s, service #%(number)s, %(start)s – %(end)s",
                              plan=tariff.name, number=service.id, start=start.isoformat(),
                              end=(end - relativedelta(days=1)).isoformat())
    add_charge(service.client_id, tariff.price, description, actor=actor, service_id=service.id,
               period_start=start, period_end=end)
    service.paid_until = end


def apply(service: Service, operation: ServiceOperation, actor, reason: str | None = None,
          now: datetime | None = None) -> None:
    """Do the operation now: an order activates the service and charges its first period."""
    now = now or utcnow()
    service.status = RESULT[operation]
    service.pending_operation = None
    if operation is ServiceOperation.order:
        service.activated_at = now
        charge_period(service, now.date(), actor)
    elif operation is ServiceOperation.close:
        service.closed_at = now
    record(service, actor, DONE_ACTION[operation], reason, now)
    db.session.flush()


def request(service: Service, operation: ServiceOperation, actor, reason: str | None = None,
            now: datetime | None = None) -> None:
    """Ask for an operation: at once on an automatic plan; on a manual plan, a task for the plan's department."""
    from webapp.tasks.service import create_task

    now = now or utcnow()
    if service.tariff.provisioning is Provisioning.automatic:
        if operation is not ServiceOperation.order:
            record(service, actor, f"{operation.value}_requested", reason, now)
        apply(service, operation, actor, reason, now)
        return
    service.pending_operation = operation
    record(service, actor, f"{operation.value}_requested", reason, now)
    db.session.flush()
    create_task(service, operation, actor, now)
