"""Clients' services on tariff plans: the staff's list and a service's page (suspend, resume, close); what
happens to a service is in operations.py, its renewal in renewal.py."""
from datetime import timedelta

from flask import Blueprint

bp = Blueprint("services", __name__, url_prefix="/services")


@bp.app_template_filter("paid_through")
def paid_through(paid_until) -> str:
    """The last day a service's charged periods cover (paid_until is the end, exclusive), or a dash."""
    return (paid_until - timedelta(days=1)).isoformat() if paid_until else "—"


from webapp.services import routes  # noqa: E402,F401
