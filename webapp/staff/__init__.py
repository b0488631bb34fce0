"""Staff members, their avatars and individual rights."""
from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/provider/staff")

from webapp.staff import rights_routes, routes  # noqa: E402,F401
