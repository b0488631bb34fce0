"""Departments and their permissions."""
from flask import Blueprint

bp = Blueprint("departments", __name__, url_prefix="/provider/departments")

from webapp.departments import routes  # noqa: E402,F401
