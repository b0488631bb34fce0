"""Tariff plans: finding, creating, changing, archiving; each checks the right, flushes and audits."""
from dataclasses import dataclass
from decimal import Decimal

from flask import abort
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from webapp.audit import record
from webapp.errors import Refused
from webapp.extensions import db
from webapp.forms import check_version
from webapp.i18n import gettext as _
from webapp.models import (
    Account,
    BillingPeriod,
    Department,
    Provisioning,
    Service,
    ServiceStatus,
    Tariff,
)
from webapp.models.accounts import utcnow
from webapp.rights import can
from webapp.text import fold

SHOW_FILTERS = ("active", "archived", "all")


@dataclass
class TariffValues:
    """What the plan form submits (the department is None for an automatic plan)."""

    name_en: str
    name_ru: str | None
    price: Decimal
    period: BillingPeriod
    provisioning: Provisioning
    department_id: int | None


def _check_edit(actor: Account) -> None:
    if not can(actor, "tariffs.edit"):
        raise Refused(_("You need the right %(rights)s to do this.", rights="“" + _("Edit tariff plans") + "”"))


def get_tariff_or_404(tariff_id: int) -> Tariff:
    tariff = db.session.scalar(select(Tariff).options(joinedload(Tariff.department)).where(Tariff.id == tariff_id))
    if tariff is None:
        abort(404, _("There is no such tariff plan."))
    return tariff


def list_tariffs(query: str = "", show: str = "active"):
    """Plans by name (either language), active ones first, with their department's names: plain rows."""
    statement = (select(Tariff.id, Tariff.name_en, Tariff.name_ru, Tariff.price, Tariff.period, Tariff.provisioning,
                        Tariff.archived, Department.name_en.label("department_en"),
                        Department.name_ru.label("department_ru"))
                 .outerjoin(Department, Department.id == Tariff.department_id))
    if show == "active":
        statement = statement.where(Tariff.archived.is_(False))
    elif show == "archived":
        statement = statement.where(Tariff.archived.is_(True))
    key = fold(query)
    if key:
        statement = statement.where(or_(Tariff.name_key.contains(key, autoescape=True),
                                        Tariff.name_ru_key.contains(key, autoescape=True)))
    return statement.order_by(Tariff.archived, Tariff.name_key, Tariff.id)


def live_service_counts(tariff_ids) -> dict[int, int]:
    """How many services that are not closed each plan has: one query for a page."""
    ids = list(tariff_ids)
    if not ids:
        return {}
    return dict(db.session.execute(
        select(Service.tariff_id, func.count()).where(Service.tariff_id.in_(ids),
                                                      Service.status != ServiceStatus.closed)
        .group_by(Service.tariff_id)).all())


def orderable_tariffs() -> list[Tariff]:
    """Active plans, as a client chooses among them (by name in the viewer's language)."""
    return sorted(db.session.scalars(select(Tariff).where(Tariff.archived.is_(False))),
                  key=lambda t: t.name.casefold())


def _apply(tariff: Tariff, values: TariffValues) -> list[str]:
    fields = {"name_en": values.name_en, "name_ru": values.name_ru or None, "price": values.price,
              "period": values.period, "provisioning": values.provisioning,
              "department_id": values.department_id if values.provisioning is Provisioning.manual else None}
    changed = sorted(k for k, v in fields.items() if getattr(tariff, k) != v)
    for key, value in fields.items():
        setattr(tariff, key, value)
    return changed


def _check_department(values: TariffValues) -> None:
    if values.provisioning is Provisioning.manual and (
            values.department_id is None or db.session.get(Department, values.department_id) is None):
        raise Refused(_("A manual plan needs the department that handles it."), 422)


def create_tariff(actor: Account, values: TariffValues) -> Tariff:
    _check_edit(actor)
    _check_department(values)
    tariff = Tariff(archived=False, created_at=utcnow(), updated_at=utcnow(), updated_by_id=actor.id)
    _apply(tariff, values)
    db.session.add(tariff)
    db.session.flush()
    record(actor, "tariff.create", f"tariff:{tariff.id}:{tariff.name_en}", f"{tariff.price} / {tariff.period.value}")
    return tariff


def update_tariff(actor: Account, tariff: Tariff, values: TariffValues, version: int | None) -> None:
    """Save a plan from a form showing `version` (a newer one refuses the save, 409). A new price applies from
    the next period each service is charged."""
    _check_edit(actor)
    check_version(tariff, version)
    _check_department(values)
    old_price = tariff.price
    changed = _apply(tariff, values)
    if changed:
        tariff.touch(actor, utcnow())
        db.session.flush()
        detail = ", ".join(changed) + (f"; price {old_price} → {tariff.price}" if "price" in changed else "")
        record(actor, "tariff.update", f"tariff:{tariff.id}:{tariff.name_en}", detail)


def set_archived(actor: Account, tariff: Tariff, archived: bool, version: int | None) -> None:
    """Archive a plan (clients can no longer order it; its services keep running and renewing) or bring it back."""
    _check_edit(actor)
    check_version(tariff, version)
    if tariff.archived == archived:
        return
    tariff.archived = archived
    tariff.touch(actor, utcnow())
    db.session.flush()
    record(actor, "tariff.archive" if archived else "tariff.unarchive", f"tariff:{tariff.id}:{tariff.name_en}")
