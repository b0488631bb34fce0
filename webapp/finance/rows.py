"""The rows of /payments and /expenses, written in Python (see webapp.rows): escaped values, labels and URLs once
a page."""
from webapp.finance.payments import METHOD_LABELS, STATUS_LABELS
from webapp.i18n import gettext as _
from webapp.models import PaymentStatus
from webapp.rights.guard import has_right
from webapp.rows import DISABLED, Markup, Page, RowUrl, escape, link, written


def _client(page: Page, client_url: RowUrl | None, row) -> str:
    login = link(client_url, row.client_id, row.client_login) if client_url else escape(row.client_login)
    return f'{login} <span class="muted">{page.name(row.client_name, row.client_name_ru)}</span>'


def payment_rows(rows, can_edit: bool, here: str) -> Markup:
    return written(rows, _payment_row, can_edit, here, has_right("clients.view"))


def _payment_row(page: Page, can_edit: bool, here: str, clients_view: bool):
    labels = page.label(client=_("Client"), amount=_("Amount"), method=_("Method"), note=_("Note"),
                        confirm=_("Confirm"), cancel=_("Cancel"), cancel_payment=_("Cancel payment"))
    client_url = RowUrl("clients.edit", "client_id") if clients_view else None
    confirm_url, cancel_url = RowUrl("payments.confirm", "payment_id"), RowUrl("payments.cancel", "payment_id",
                                                                                 next=here)
    status_labels = {status: escape(label) for status, label in STATUS_LABELS.items()}
    method_labels = {method: escape(label) for method, label in METHOD_LABELS.items()}

    def write(row) -> str:
        status = row.status
        actions = ""
        if can_edit:
            if status == PaymentStatus.pending:
                actions = page.post_button(confirm_url.href(row.id), labels["confirm"], here)
            if status != PaymentStatus.cancelled and not row.invoice_id:
                actions += (f'<a class="danger" href="{cancel_url.href(row.id)}" '
                            f'aria-label="{labels["cancel_payment"]}">{labels["cancel"]}</a>')
            actions = f'<td class="row-actions">{actions}</td>'
        return (f'<tr data-payment="{row.id}"{DISABLED if status == PaymentStatus.cancelled else ""}>'
                f'<td class="nowrap">{row.received_on.isoformat()}</td>'
                f'<td class="wrap" data-label="{labels["client"]}">{_client(page, client_url, row)}</td>'
                f'<td class="num nowrap" data-label="{labels["amount"]}">{page.money(row.amount)}</td>'
                f'<td data-label="{labels["method"]}">{method_labels[row.method]}</td>'
                f'<td><span class="status payment-{status.value}">{status_labels[status]}</span></td>'
                f'<td class="wrap" data-label="{labels["note"]}">{escape(row.note or "")}</td>{actions}</tr>')
    return write


def charge_rows(rows, can_edit: bool, here: str) -> Markup:
    return written(rows, _charge_row, can_edit, here, has_right("clients.view"))


def _charge_row(page: Page, can_edit: bool, here: str, clients_view: bool):
    labels = page.label(client=_("Client"), amount=_("Amount"), service=_("Service"), cancelled=_("Cancelled"),
                        live=_("Charged"), invoiced=_("On an invoice"), cancel=_("Cancel"))
    client_url = RowUrl("clients.edit", "client_id") if clients_view else None
    cancel_url = RowUrl("expenses.cancel", "charge_id", next=here)
    cancelled = f'<span class="status status-off">{labels["cancelled"]}</span>'
    invoiced = f'<span class="status status-ok">{labels["invoiced"]}</span>'
    live = f'<span class="status status-ok">{labels["live"]}</span>'

    def write(row) -> str:
        service = ""
        if row.service_id:
            service = f"#{row.service_id}"
            if row.tariff_en:
                service += f" · {page.name(row.tariff_en, row.tariff_ru)}"
        actions = ""
        if can_edit:
            if not row.cancelled_at and not row.invoice_id:
                actions = f'<a class="danger" href="{cancel_url.href(row.id)}">{labels["cancel"]}</a>'
            actions = f'<td class="row-actions">{actions}</td>'
        return (f'<tr data-charge="{row.id}"{DISABLED if row.cancelled_at else ""}>'
                f'<td class="nowrap">{page.moment(row.created_at)}</td>'
                f'<td class="wrap" data-label="{labels["client"]}">{_client(page, client_url, row)}</td>'
                f'<td class="num nowrap" data-label="{labels["amount"]}">{page.money(row.amount)}</td>'
                f'<td class="wrap">{escape(row.description)}</td>'
                f'<td data-label="{labels["service"]}">{service}</td>'
                f'<td>{cancelled if row.cancelled_at else invoiced if row.invoice_id else live}</td>{actions}</tr>')
    return write
