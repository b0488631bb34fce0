"""Tariff plans: what clients can order, at what price per period, provisioned automatically or by a department."""
from flask import Blueprint

bp = Blueprint("tariffs", __name__, url_prefix="/tariffs")

from webapp.tariffs import routes  # noqa: E402,F401
