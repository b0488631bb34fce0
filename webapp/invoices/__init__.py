"""Invoices: drafts, numbering per year without gaps, the PDF, sending through the outbox."""
from flask import Blueprint

bp = Blueprint("invoices", __name__, url_prefix="/invoices")

from webapp.invoices import routes  # noqa: E402,F401
from webapp.invoices.rows import BADGES  # noqa: E402


@bp.record_once
def _badges(state) -> None:
    state.app.jinja_env.globals["invoice_badges"] = BADGES  # the status badges' classes, as the rows write them
