"""Tasks: manual work on a client's service for a department, and the staff pages that list and solve them."""
from flask import Blueprint

bp = Blueprint("tasks", __name__, url_prefix="/tasks")

from webapp.tasks import routes  # noqa: E402,F401
