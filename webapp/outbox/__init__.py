"""The outbox: messages written in the transaction of the change that causes them and sent by the worker;
/settings/outbox lists those not sent yet.

The API other domains use (webapp/outbox/service.py): queue_email(), render_email(), queue_templated_email(),
absolute_url().
"""
from flask import Blueprint

bp = Blueprint("outbox", __name__, url_prefix="/settings/outbox")

from webapp.outbox import routes  # noqa: E402,F401
from webapp.outbox.service import (  # noqa: E402
    absolute_url,
    queue_email,
    queue_templated_email,
    render_email,
)

__all__ = ["absolute_url", "bp", "queue_email", "queue_templated_email", "render_email"]
