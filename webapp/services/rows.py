"""The rows of /services and /my/services, written in Python (see webapp.rows)."""
from webapp.i18n import gettext as _
from webapp.i18n import per_language
from webapp.rights.guard import has_right
from webapp.rows import Markup, Page, RowUrl, escape, link, paid_through, written
from webapp.services import operations
from webapp.tariffs.forms import PER_PERIOD


@per_language
def _status_cells():
    """The status badge and the "waiting for …" badge of each status and operation (as services/_macros.html),
    and the periods, written once per language."""
    badges = {status: f'<span class="badge service-status service-{status.value}">{escape(label)}</span>'
              for status, label in operations.status_labels().items()}
    waiting_for = _("waiting for: %(operation)s")  # outside the f-string: pybabel does not look inside them
    waiting = {operation: f' <span class="badge badge-ind waiting">{escape(waiting_for % {"operation": label})}</span>'
               for operation, label in operations.waiting_labels().items()}
    waiting[None] = " "
    periods = {period: escape(str(label)) for period, label in PER_PERIOD.items()}
    return badges, waiting, periods


def service_rows(rows) -> Markup:
    return written(rows, _service_row, has_right("clients.view"))


def _service_row(page: Page, clients_view: bool):
    labels = page.label(client=_("Client"), plan=_("Tariff plan"), status=_("Status"), paid=_("Paid until"),
                        ordered=_("Ordered"))
    badges, waiting, periods = _status_cells()
    service_url = RowUrl("services.detail", "service_id")
    client_url = RowUrl("clients.edit", "client_id") if clients_view else None

    def write(row) -> str:
        client = link(client_url, row.client_id, row.client_login) if client_url else escape(row.client_login)
        return (f'<tr><td class="nowrap"><a href="{service_url.href(row.id)}">#{row.id}</a></td>'
                f'<td class="wrap" data-label="{labels["client"]}">{client} '
                f'<span class="muted small">{escape(row.client_en)}</span></td>'
                f'<td class="wrap" data-label="{labels["plan"]}">{page.name(row.tariff_en, row.tariff_ru)} '
                f'<span class="muted small nowrap">{page.money(row.price)} {periods[row.period]}</span></td>'
                f'<td data-label="{labels["status"]}">{badges[row.status]}{waiting[row.pending_operation]}</td>'
                f'<td class="nowrap" data-label="{labels["paid"]}">{paid_through(row.paid_until)}</td>'
                f'<td class="nowrap" data-label="{labels["ordered"]}">{page.moment(row.created_at)}</td></tr>')
    return write


def client_service_rows(rows) -> Markup:
    return written(rows, _client_service_row)


def _client_service_row(page: Page):
    labels = page.label(plan=_("Tariff plan"), status=_("Status"), paid=_("Paid until"), ordered=_("Ordered"))
    badges, waiting, periods = _status_cells()
    service_url = RowUrl("my.service", "service_id")

    def write(row) -> str:
        href = service_url.href(row.id)
        return (f'<tr><td class="nowrap"><a href="{href}">#{row.id}</a></td>'
                f'<td class="wrap" data-label="{labels["plan"]}"><a href="{href}">'
                f'{page.name(row.tariff_en, row.tariff_ru)}</a> <span class="muted small nowrap">'
                f'{page.money(row.price)} {periods[row.period]}</span></td>'
                f'<td data-label="{labels["status"]}">{badges[row.status]}{waiting[row.pending_operation]}</td>'
                f'<td class="nowrap" data-label="{labels["paid"]}">{paid_through(row.paid_until)}</td>'
                f'<td class="nowrap" data-label="{labels["ordered"]}">{page.moment(row.created_at)}</td></tr>')
    return write
