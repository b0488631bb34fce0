"""/settings/outbox: messages not sent yet, "Retry" one or every failed one, and a test message to oneself."""
from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user

from webapp.errors import Refused
from webapp.extensions import db
from webapp.htmx import is_htmx, render
from webapp.i18n import gettext as _
from webapp.i18n import ngettext
from webapp.ids import parse_id
from webapp.lists import page_number, paginate_rows
from webapp.models import OutboxChannel, OutboxMessage, OutboxStatus
from webapp.outbox import bp, service
from webapp.outbox.delivery import HELD, HELD_SMS, transports
from webapp.rights import requires
from webapp.text import without_forbidden
from webapp.urls import RowUrl

FILTERS = {"pending": OutboxStatus.pending, "failed": OutboxStatus.failed}


@bp.route("", strict_slashes=False)
@requires("settings.edit")
def index():
    return _list_page(request.args, page_number())


@bp.route("/<int:message_id>/retry", methods=["POST"])
@requires("settings.edit")
def retry(message_id: int):
    message = service.get_message_or_404(message_id)
    service.retry(message)
    db.session.commit()
    if is_htmx():
        return render("outbox/_row.html", message=message, **_list_state(request.form))
    flash(_("The message to %(recipient)s will be sent again now.", recipient=message.recipient), "success")
    return redirect(_back())


@bp.route("/retry-failed", methods=["POST"])
@requires("settings.edit")
def retry_failed():
    count = service.retry_failed()
    db.session.commit()
    notice = ngettext("%(num)d failed message will be sent again now.",
                      "%(num)d failed messages will be sent again now.", count) if count else \
        _("There are no failed messages.")
    if is_htmx():
        return _list_page(request.form, parse_id(request.form.get("page")) or 1, notice=notice, fragment=True)
    flash(notice, "success")
    return redirect(_back())


@bp.route("/test-message", methods=["POST"])
@requires("settings.edit")
def test_message():
    if not current_user.email:
        raise Refused(_("Your account has no email address: add one on your profile first."), 409)
    service.queue_test_message(current_user)
    db.session.commit()
    flash(_("A test message to %(email)s is in the outbox.", email=current_user.email), "success")
    return redirect(url_for("outbox.index"))


def _list_page(values, page: int, notice: str | None = None, fragment: bool = False):
    state = _list_state(values)
    pagination = paginate_rows(service.list_messages(FILTERS.get(state["status_filter"]), state["q"]),
                               current_app.config["OUTBOX_PER_PAGE"], OutboxMessage.id, page=page,
                               count=not state["q"])
    state["list_page"] = pagination.page
    configured = transports()
    context = dict(pagination=pagination, counts=service.counts(), notice=notice,
                   smtp_configured=configured[OutboxChannel.email] is not None,
                   sms_configured=configured[OutboxChannel.sms] is not None, **state)
    if fragment:
        return render("outbox/_list.html", **context)
    return render("outbox/index.html", "outbox/_list.html", **context,
                  status=404 if pagination.page > 1 and not pagination.items else 200)


def _list_state(values) -> dict:
    """The list's filter, search and page (from the query string, or a form's hidden fields), and what each
    row needs."""
    return {"status_filter": values.get("status") if values.get("status") in FILTERS else None,
            "q": without_forbidden(values.get("q", "")).strip()[:200],
            "list_page": parse_id(values.get("page")) or 1,
            "retry_url": RowUrl("outbox.retry", "message_id"), "held_reason": HELD, "held_sms": HELD_SMS}


def _back() -> str:
    """The list as it was (its filter, search and page), from the form's hidden fields."""
    state = _list_state(request.form)
    return url_for("outbox.index", status=state["status_filter"], q=state["q"] or None,
                   page=state["list_page"] if state["list_page"] > 1 else None)
