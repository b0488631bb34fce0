"""Services for staff and clients: finding them (scoped in the query), listing, ordering, and the operations
staff ask for; flushes, never commits."""
from dataclasses import dataclass
from datetime import timedelta

from flask import abort
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from webapp.audit import record
from webapp.errors import Refused
from webapp.extensions import db
from webapp.i18n import current_language
from webapp.i18n import gettext as _
from webapp.ids import parse_id
from webapp.models import (
    Account,
    AccountKind,
    Department,
    Provisioning,
    Service,
    ServiceEvent,
    ServiceOperation,
    ServiceStatus,
    Tariff,
)
from webapp.models.accounts import utcnow
from webapp.rights import can
from webapp.services import operations
from webapp.text import fold

STATUS_FILTERS = ("all", *(status.value for status in ServiceStatus))
STAFF_OPERATIONS = {"suspend": ServiceOperation.suspend, "resume": ServiceOperation.resume,
                    "close": ServiceOperation.close}
LIST_COLUMNS = (Service.id, Service.status, Service.pending_operation, Service.paid_until, Service.created_at,
                Service.client_id, Account.login.label("client_login"), Account.name_en.label("client_en"),
                Account.name_ru.label("client_ru"), Service.tariff_id, Tariff.name_en.label("tariff_en"),
                Tariff.name_ru.label("tariff_ru"), Tariff.price, Tariff.period)


def event_labels() -> dict[str, str]:
    """A history's actions as people read them, translated once a page."""
    return {
        "ordered": _("Ordered"),
        "order_requested": _("Setup requested"),
        "activated": _("Activated"),
        "suspend_requested": _("Suspension requested"),
        "suspended": _("Suspended"),
        "resume_requested": _("Resumption requested"),
        "resumed": _("Resumed"),
        "close_requested": _("Closing requested"),
        "closed": _("Closed"),
        "renewed": _("Renewed: the next period charged"),
    }


@dataclass
class ServiceFilter:
    status: str = "all"
    client: str = ""  # a client's login, name or email (a part of it), or their id
    tariff_id: int | None = None

    @property
    def active(self) -> bool:
        return self.status != "all" or bool(self.client) or self.tariff_id is not None


# Staff --------------------------------------------------------------------------------------------------

def get_service_or_404(service_id: int) -> Service:
    """A service with its client and plan (staff with services.view see every service)."""
    found = db.session.scalar(select(Service).options(joinedload(Service.client), joinedload(Service.tariff)
                                                      .joinedload(Tariff.department))
                              .where(Service.id == service_id))
    if found is None:
        abort(404, _("There is no such service."))
    return found


def list_services(wanted: ServiceFilter):
    """Services matching the filter, newest first, with their client's and plan's names: plain rows."""
    statement = (select(*LIST_COLUMNS).join(Account, Account.id == Service.client_id)
                 .join(Tariff, Tariff.id == Service.tariff_id))
    if wanted.status != "all":
        statement = statement.where(Service.status == ServiceStatus(wanted.status))
    if wanted.tariff_id is not None:
        statement = statement.where(Service.tariff_id == wanted.tariff_id)
    text = wanted.client.lstrip("#").strip()
    if text:
        conditions = []
        key = fold(text)
        if key:
            conditions.append(Service.client_id.in_(select(Account.id).where(
                Account.kind == AccountKind.client, Account.search_key.contains(key, autoescape=True))))
        client_id = parse_id(text)
        if client_id is not None:
            conditions.append(Service.client_id == client_id)
        statement = statement.where(or_(*conditions)) if conditions else statement.where(False)
    return statement.order_by(Service.id.desc())


def tariff_options() -> list[tuple[int, str]]:
    """Every plan (archived ones too: their services are still listed), for the list's filter: plain rows, the
    language asked once (42 plans as objects cost a fifth of the page)."""
    russian = current_language() == "ru"
    rows = db.session.connection().execute(select(Tariff.id, Tariff.name_en, Tariff.name_ru)).all()
    return sorted(((row.id, row.name_ru if russian and row.name_ru else row.name_en) for row in rows),
                  key=lambda option: option[1].casefold())


def history(service: Service) -> list[ServiceEvent]:
    """The service's events, oldest first, with who did them: one query."""
    return list(db.session.scalars(select(ServiceEvent).options(joinedload(ServiceEvent.actor))
                                   .where(ServiceEvent.service_id == service.id).order_by(ServiceEvent.id)))


def change(actor: Account, service: Service, operation: ServiceOperation, reason: str) -> None:
    """Suspend, resume or close a service for a reason (kept in its history with who and when): at once on an
    automatic plan, through a task on a manual one. Refused (409) when its status does not allow it or another
    operation waits; two people asking at once: the first wins."""
    if not can(actor, "services.manage"):
        raise Refused(_("You need the right %(rights)s to do this.", rights="“" + _("Manage services") + "”"))
    if operation not in STAFF_OPERATIONS.values():
        raise ValueError(operation)
    operations.request(service, operation, actor, reason, utcnow())
    record(actor, f"service.{operation.value}", f"service:{service.id}", reason[:200])


# Clients ------------------------------------------------------------------------------------------------

def client_services(client: Account):
    """The client's own services, newest first: plain rows."""
    return (select(Service.id, Service.status, Service.pending_operation, Service.paid_until, Service.created_at,
                   Tariff.name_en.label("tariff_en"), Tariff.name_ru.label("tariff_ru"), Tariff.price, Tariff.period)
            .join(Tariff, Tariff.id == Service.tariff_id)
            .where(Service.client_id == client.id).order_by(Service.id.desc()))


def client_service_count(client: Account) -> int:
    """How many services the client has that are not closed."""
    return db.session.scalar(select(func.count()).select_from(Service).where(
        Service.client_id == client.id, Service.status != ServiceStatus.closed)) or 0


def get_client_service_or_404(client: Account, service_id: int) -> Service:
    """One of the client's services; another client's id is a 404, as one that does not exist."""
    found = db.session.scalar(select(Service).options(joinedload(Service.tariff))
                              .where(Service.id == service_id, Service.client_id == client.id))
    if found is None:
        abort(404, _("There is no such service among yours."))
    return found


# A second order of the same plan by the same client this soon after the first is its double click.
REPEAT_WINDOW = timedelta(seconds=10)
# Orders on manual plans a client may have waiting for setup at once: each one notifies the department's
# members by email and SMS, so a client cannot flood them.
MAX_WAITING_ORDERS = 10


def recent_order(client: Account, tariff_id: int, window: timedelta) -> Service | None:
    """The client's service on this plan ordered within `window` (the newest), if any."""
    return db.session.scalar(select(Service).where(
        Service.client_id == client.id, Service.tariff_id == tariff_id,
        Service.created_at >= utcnow() - window).order_by(Service.id.desc()).limit(1))


def order(client: Account, tariff_id: int, repeat_window: timedelta | None = None) -> Service:
    """A client orders a service on an active plan: an automatic plan's starts at once (its first period
    charged), a manual plan's waits for its department's task. An archived or unknown plan is refused (422).
    With `repeat_window`, an order of the same plan made within it is answered instead of a new one: the
    client's row is locked first (PostgreSQL; SQLite's write transactions are serialized), so two requests of
    one double click cannot both miss it."""
    if client.kind is not AccountKind.client:
        raise Refused(_("Only clients order services."))
    if repeat_window is not None:
        db.session.execute(select(Account.id).where(Account.id == client.id).with_for_update())
        repeated = recent_order(client, tariff_id, repeat_window)
        if repeated is not None:
            return repeated
    # FOR SHARE (PostgreSQL): an archive at the same moment waits for the order, or the order sees it archived.
    tariff = db.session.scalar(
        select(Tariff).options(joinedload(Tariff.department).joinedload(Department.business_hours))
        .where(Tariff.id == tariff_id, Tariff.archived.is_(False)).with_for_update(read=True, of=Tariff))
    if tariff is None:
        raise Refused(_("This tariff plan cannot be ordered: choose one of the plans offered."), 422)
    if tariff.provisioning is Provisioning.manual and db.session.scalar(
            select(func.count()).select_from(Service).where(
                Service.client_id == client.id, Service.pending_operation == ServiceOperation.order)) \
            >= MAX_WAITING_ORDERS:
        raise Refused(_("You have %(count)d orders waiting for our staff to set them up. You can order more once "
                        "they are set up.", count=MAX_WAITING_ORDERS), 409)
    service = Service(client_id=client.id, tariff_id=tariff.id, status=ServiceStatus.pending, created_at=utcnow())
    db.session.add(service)
    db.session.flush()
    service.tariff = tariff
    operations.request(service, ServiceOperation.order, client, None, service.created_at)
    record(client, "service.order", f"service:{service.id}", f"tariff:{tariff.id}")
    return service
