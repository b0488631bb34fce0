"""Clients' services on tariff plans: the staff's list and a service's page (suspend, resume, close); what
happens to a service is in operations.py, its renewal in renewal.py."""
from flask import Blueprint

from webapp.rows import paid_through

bp = Blueprint("services", __name__, url_prefix="/services")
bp.add_app_template_filter(paid_through, "paid_through")


from webapp.services import routes  # noqa: E402,F401
