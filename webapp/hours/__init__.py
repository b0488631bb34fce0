"""Business hours: weekly schedules shared by departments."""
from flask import Blueprint

bp = Blueprint("hours", __name__, url_prefix="/provider/business-hours")

from webapp.hours import routes  # noqa: E402,F401
