"""The support center, staff side: the ticket queue and a ticket's page."""
from flask import Blueprint

bp = Blueprint("support", __name__, url_prefix="/support")

from webapp.support import routes, stats_routes  # noqa: E402,F401
