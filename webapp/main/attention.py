"""What needs attention on the dashboard, for the viewer's rights: tickets waiting for staff, open and overdue
tasks of their departments, unpaid invoices. One count query per figure group, read through indexes."""
import time
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask import current_app, url_for
from sqlalchemy import and_, func, select

from webapp.extensions import db
from webapp.finance.ledger import cents_sum, from_cents
from webapp.i18n import current_language
from webapp.i18n import gettext as _
from webapp.models import OPEN_TASK_STATUSES, Invoice, InvoiceStatus, Task, Ticket, TicketStatus
from webapp.models.accounts import utcnow
from webapp.support.service import scope_to_staff, staff_department_ids


@dataclass(frozen=True)
class Figure:
    label: str
    count: int
    url: str
    urgent: bool = False  # overdue: shown as a warning when not zero
    amounts: tuple[tuple[str, Decimal], ...] = ()  # money totals beside the count: (currency, total), one a currency


def ticket_figures(staff) -> list[Figure]:
    now = utcnow()
    statement = scope_to_staff(select(
        func.count().filter(Ticket.status == TicketStatus.new),
        func.count().filter(Ticket.status == TicketStatus.waiting_staff),
        func.count().filter(Ticket.due_at <= now),
    ).where(Ticket.status.in_((TicketStatus.new, TicketStatus.waiting_staff))), staff, Ticket.department_id)
    new, waiting, overdue = db.session.execute(statement).one()
    return [
        Figure(_("New tickets"), new, url_for("support.queue", status="new")),
        Figure(_("Waiting for staff"), waiting, url_for("support.queue", status="waiting_staff")),
        Figure(_("Overdue tickets"), overdue, url_for("support.queue", overdue=1), urgent=True),
    ]


def task_figures(staff) -> list[Figure]:
    now = utcnow()
    statement = scope_to_staff(select(
        func.count(),
        func.count().filter(and_(Task.due_at.is_not(None), Task.due_at <= now)),
        func.count().filter(Task.assignee_id == staff.id),
    ).where(Task.status.in_(OPEN_TASK_STATUSES)), staff, Task.department_id)
    open_count, overdue, mine = db.session.execute(statement).one()
    return [
        Figure(_("Open tasks"), open_count, url_for("tasks.index")),
        # The list puts open tasks first by deadline: the overdue ones lead it.
        Figure(_("Overdue tasks"), overdue, url_for("tasks.index"), urgent=True),
        Figure(_("Assigned to me"), mine, url_for("tasks.index", assignee="me")),
    ]


def invoice_figures() -> list[Figure]:
    """Invoices keep the currency they were issued in: a total per currency, never euros plus dollars."""
    rows = db.session.execute(
        select(Invoice.currency, func.count(), cents_sum(Invoice.total))
        .where(Invoice.status == InvoiceStatus.sent).group_by(Invoice.currency).order_by(Invoice.currency)).all()
    return [Figure(_("Unpaid invoices"), sum(row[1] for row in rows), url_for("invoices.index", status="sent"),
                   amounts=tuple((row[0], from_cents(row[2])) for row in rows))]


@dataclass(frozen=True)
class Figures:
    sections: dict  # section id -> [Figure]
    counted_at: datetime


_KEPT: dict[tuple, tuple[float, Figures]] = {}
_KEPT_MAX = 1000


def figures_for(staff, rights) -> Figures:
    """Each section's figures, for the functions the viewer holds. Counting every open ticket and unpaid
    invoice costs more than the rest of the page, so each worker keeps a viewer's figures for
    DASHBOARD_CACHE_SECONDS (the page says when they were counted)."""
    ttl = current_app.config.get("DASHBOARD_CACHE_SECONDS", 0)
    key = (id(current_app._get_current_object()), staff.id, rights.ids, tuple(staff_department_ids(staff) or ()),
           current_language())
    now = time.monotonic()
    kept = _KEPT.get(key)
    if ttl and kept and now < kept[0]:
        return kept[1]
    found = Figures(_count(staff, rights), utcnow())
    if ttl:
        if len(_KEPT) >= _KEPT_MAX:
            _KEPT.clear()
        _KEPT[key] = (now + ttl, found)
    return found


def _count(staff, rights) -> dict[str, list[Figure]]:
    out = {}
    if "support.tickets" in rights.ids:
        out["support"] = ticket_figures(staff)
    if "tasks.view" in rights.ids:
        out["services"] = task_figures(staff)
    if "invoices.view" in rights.ids:
        out["finance"] = invoice_figures()
    return out


