"""Client accounts and client groups, on the staff side."""
from flask import Blueprint

bp = Blueprint("clients", __name__, url_prefix="/clients")

from webapp.clients import routes  # noqa: E402,F401
