"""The client's services: the list, ordering one on an active plan, and a service with its history."""
from flask import current_app, flash, redirect, url_for
from flask_login import current_user

from webapp.extensions import db
from webapp.forms import form_status
from webapp.htmx import render
from webapp.i18n import gettext as _
from webapp.lists import kept, paginate_rows
from webapp.models import Provisioning, Service
from webapp.models.accounts import utcnow
from webapp.moments import as_utc
from webapp.money import format_money
from webapp.my import bp
from webapp.rights import client_area
from webapp.services import operations
from webapp.services import service as services
from webapp.services.forms import OrderForm
from webapp.services.rows import client_service_rows
from webapp.tariffs.forms import PER_PERIOD
from webapp.tariffs.service import orderable_tariffs


@bp.route("/services", endpoint="services")
@client_area
def services_list():
    # Previous and Next, not counted: the page is one query, as the staff's big lists.
    client = current_user._get_current_object()
    statement = kept(("my services", client.id), lambda: services.client_services(client), per_client=True)
    pagination = paginate_rows(statement, current_app.config["SERVICES_PER_PAGE"],
                               Service.id, count=False)
    return render("my/services.html", pagination=pagination, rows=client_service_rows(pagination.items),
                  status=404 if pagination.page > 1 and not pagination.items else 200)


def _plan_choices() -> list[tuple[int, str]]:
    """Active plans as "Name — €10.00 per month" (a manual plan's says that staff set it up)."""
    manual = _("set up by our staff")
    return [(t.id, f"{t.name} — {format_money(t.price)} {PER_PERIOD[t.period]}"
                   + (f" ({manual})" if t.provisioning is Provisioning.manual else ""))
            for t in orderable_tariffs()]


@bp.route("/services/order", methods=["GET", "POST"])
@client_area
def order_service():
    client = current_user._get_current_object()
    choices = _plan_choices()
    form = OrderForm(choices=choices)
    if form.validate_on_submit():
        asked_at = utcnow()
        ordered = services.order(client, form.tariff.data, repeat_window=services.REPEAT_WINDOW)
        db.session.commit()
        if as_utc(ordered.created_at) < asked_at:  # a double click: the order of a moment ago
            flash(_("You ordered %(plan)s a moment ago: this is that order, service #%(number)s. To have another "
                    "one, order again in a few seconds.", plan=ordered.tariff.name, number=ordered.id), "info")
        elif ordered.status.value == "active":
            flash(_("Your service #%(number)s on %(plan)s is active.", number=ordered.id, plan=ordered.tariff.name),
                  "success")
        else:
            flash(_("Your service #%(number)s on %(plan)s is ordered: we will set it up and let it start soon.",
                    number=ordered.id, plan=ordered.tariff.name), "success")
        return redirect(url_for("my.service", service_id=ordered.id))
    return render("my/service_order.html", form=form, choices=choices, status=form_status(form))


@bp.route("/services/<int:service_id>")
@client_area
def service(service_id: int):
    client = current_user._get_current_object()
    found = services.get_client_service_or_404(client, service_id)
    return render("my/service.html", service=found, events=services.history(found),
                  event_labels=services.event_labels(), status_labels=operations.status_labels(),
                  waiting=operations.waiting_labels(), per_period=PER_PERIOD, client_view=client)
