"""My profile: a staff member's own password, language, phone number and avatar."""
from flask import Blueprint

bp = Blueprint("profile", __name__, url_prefix="/profile")

from webapp.profile import routes  # noqa: E402,F401
