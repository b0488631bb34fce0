"""The global settings (/settings): the company, outgoing mail (SMTP) and the SMS gateway; one row, read with
company_settings() (webapp/settings/service.py)."""
from flask import Blueprint

bp = Blueprint("settings", __name__, url_prefix="/settings")

from webapp.settings import routes  # noqa: E402,F401
