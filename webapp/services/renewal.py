"""Renewal: an active service whose paid period has ended is charged the next period, once per period.

Each period is claimed with a conditional UPDATE of paid_until (from the end just read to the next one): two
workers renewing at once both read the same end, one UPDATE matches, the other matches nothing and charges
nothing.
"""
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from webapp.extensions import db
from webapp.models import Service, ServiceStatus
from webapp.services.operations import anchor_day, billing_date, charge_period, period_end, record

BATCH = 500


def renew_service(service_id: int, today: date) -> int:
    """Charge every period of one active service that has started by `today` (flushes); the periods charged."""
    charged = 0
    while True:
        service = db.session.scalar(select(Service).options(joinedload(Service.tariff))
                                    .where(Service.id == service_id).execution_options(populate_existing=True))
        if service is None or service.status is not ServiceStatus.active or service.paid_until is None \
                or service.paid_until > today:
            return charged
        start = service.paid_until
        end = period_end(start, service.tariff.period, anchor_day(service))
        claimed = db.session.execute(
            update(Service).where(Service.id == service.id, Service.status == ServiceStatus.active,
                                  Service.paid_until == start)
            .values(paid_until=end).execution_options(synchronize_session=False)).rowcount
        if claimed != 1:
            return charged  # another worker renewed it (or it was suspended) meanwhile
        charge_period(service, start)
        record(service, None, "renewed")
        db.session.flush()
        charged += 1


def due_service_ids(today: date, limit: int = BATCH) -> list[int]:
    return list(db.session.scalars(
        select(Service.id).where(Service.status == ServiceStatus.active, Service.paid_until.is_not(None),
                                 Service.paid_until <= today).order_by(Service.paid_until, Service.id).limit(limit)))


def renew_due_services(today: date | None = None) -> int:
    """The worker's job: renew every due service, each in its own transaction (a failure loses one service's
    renewal until the next run, never another's). Returns the number of periods charged."""
    today = today or billing_date()
    charged = 0
    while True:
        ids = due_service_ids(today)
        db.session.rollback()  # the claims below start their own transactions, with nothing read before them
        if not ids:
            return charged
        progress = 0
        for service_id in ids:
            # SQLite: take the write lock before reading, so the read and the claim see the same state.
            db.session.connection(execution_options={"sqlite_immediate": True})
            done = renew_service(service_id, today)
            db.session.commit()
            progress += done
        charged += progress
        if progress == 0 or len(ids) < BATCH:
            return charged
