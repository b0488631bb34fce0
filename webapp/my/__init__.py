"""The client area: what a client account sees after logging in."""
from flask import Blueprint

bp = Blueprint("my", __name__, url_prefix="/my")

from webapp.my import invoices, routes, services, tickets  # noqa: E402,F401
