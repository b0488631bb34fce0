"""Invoices: drafts, numbering per year without gaps, the PDF, sending through the outbox."""
from flask import Blueprint

bp = Blueprint("invoices", __name__, url_prefix="/invoices")

from webapp.invoices import routes  # noqa: E402,F401
