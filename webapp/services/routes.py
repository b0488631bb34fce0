"""Service pages for staff: the list with its filters, a service with its history, and suspend, resume and
close, each with a reason (close after a confirmation)."""
from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user

from webapp.extensions import db
from webapp.forms import form_status, select_options
from webapp.htmx import render
from webapp.i18n import gettext as _
from webapp.ids import parse_id
from webapp.lists import kept, paginate_rows, search_text
from webapp.models import Service
from webapp.rights import requires
from webapp.services import bp, operations, service
from webapp.services.forms import ReasonForm
from webapp.services.rows import service_rows
from webapp.tariffs.forms import PER_PERIOD


def _filter() -> service.ServiceFilter:
    """The list's filter from the query string; a value that is not one of the choices means no filter."""
    status = request.args.get("status", "all")
    return service.ServiceFilter(status=status if status in service.STATUS_FILTERS else "all",
                                 client=search_text("client"), tariff_id=parse_id(request.args.get("tariff")))


@bp.route("", strict_slashes=False)
@requires("services.view")
def index():
    wanted = _filter()
    # Not counted (Previous and Next): a count would read every matching service on each page.
    statement = kept(("services", repr(wanted)), lambda: service.list_services(wanted))
    pagination = paginate_rows(statement, current_app.config["SERVICES_PER_PAGE"], Service.id,
                               count=False)
    return render("services/index.html", pagination=pagination, wanted=wanted,
                  tariff_options=select_options(service.tariff_options(), wanted.tariff_id),
                  status_labels=operations.status_labels(), rows=service_rows(pagination.items),
                  status=404 if pagination.page > 1 and not pagination.items else 200)


@bp.route("/<int:service_id>")
@requires("services.view")
def detail(service_id: int):
    found = service.get_service_or_404(service_id)
    return render("services/detail.html", service=found, events=service.history(found),
                  event_labels=service.event_labels(), status_labels=operations.status_labels(),
                  waiting=operations.waiting_labels(), per_period=PER_PERIOD, form=ReasonForm(),
                  refusals={name: operations.refusal(found, op) for name, op in service.STAFF_OPERATIONS.items()})


def _operation_page(service_id: int, name: str):
    """The page that asks for the reason (and, to close, confirms), and its POST."""
    found = service.get_service_or_404(service_id)
    operation = service.STAFF_OPERATIONS[name]
    form = ReasonForm()
    if form.validate_on_submit():
        service.change(current_user, found, operation, form.reason.data)
        db.session.commit()
        if found.pending_operation is not None:
            flash(_("Service #%(number)s is waiting for %(operation)s: a task was sent to %(department)s.",
                    number=found.id, operation=operations.waiting_label(found.pending_operation),
                    department=found.tariff.department.name), "success")
        else:
            flash(_("Service #%(number)s is %(status)s now.", number=found.id,
                    status=operations.status_label(found.status).lower()), "success")
        return redirect(url_for("services.detail", service_id=found.id))
    return render("services/operation.html", service=found, name=name, form=form,
                  refusal=operations.refusal(found, operation), status_labels=operations.status_labels(),
                  status=form_status(form))


@bp.route("/<int:service_id>/suspend", methods=["GET", "POST"])
@requires("services.view", "services.manage")
def suspend(service_id: int):
    return _operation_page(service_id, "suspend")


@bp.route("/<int:service_id>/resume", methods=["GET", "POST"])
@requires("services.view", "services.manage")
def resume(service_id: int):
    return _operation_page(service_id, "resume")


@bp.route("/<int:service_id>/close", methods=["GET", "POST"])
@requires("services.view", "services.manage")
def close(service_id: int):
    return _operation_page(service_id, "close")
