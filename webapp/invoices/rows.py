"""The rows of /invoices and /my/invoices, written in Python (see webapp.rows)."""
from urllib.parse import quote

from flask import url_for

from webapp.i18n import gettext as _
from webapp.invoices.service import status_labels
from webapp.rows import Markup, Page, RowUrl, escape, written

BADGES = {"draft": "badge", "sent": "badge badge-dept", "paid": "badge badge-ok", "cancelled": "badge badge-off"}


def _badges(status_labels: dict) -> dict:
    """Each status's badge, written once a page (as invoices/_macros.html's status_badge)."""
    return {status: f'<span class="{BADGES[status.value]} invoice-status">{escape(label)}</span>'
            for status, label in status_labels.items()}


def invoice_rows(rows) -> Markup:
    return written(rows, _invoice_row)


def _invoice_row(page: Page):
    labels = page.label(client=_("Client"), date=_("Date"), total=_("Total"), status=_("Status"), draft=_("Draft"),
                        client_title=_("This client's invoices"))
    badges = _badges(status_labels())
    invoice_url = RowUrl("invoices.view", "invoice_id")
    client_filter = escape(url_for("invoices.index") + "?q=")

    def write(row) -> str:
        number = f"{row.year}-{row.number:05d}" if row.number is not None else f'{labels["draft"]} #{row.id}'
        return (f'<tr><td class="nowrap"><a href="{invoice_url.href(row.id)}">{number}</a></td>'
                f'<td class="wrap" data-label="{labels["client"]}"><a href="{client_filter}'
                f'{escape(quote(row.client_login, safe=""))}" title="{labels["client_title"]}">'
                f'{page.name(row.client_en, row.client_ru)}</a> <span class="muted small">{escape(row.client_login)}'
                f'</span></td>'
                f'<td class="nowrap" data-label="{labels["date"]}">{page.moment(row.issued_at or row.created_at)}</td>'
                f'<td class="num nowrap" data-label="{labels["total"]}">{page.money(row.total, row.currency)}</td>'
                f'<td data-label="{labels["status"]}">{badges[row.status]}</td></tr>')
    return write


def client_invoice_rows(rows) -> Markup:
    return written(rows, _client_invoice_row)


def _client_invoice_row(page: Page):
    labels = page.label(date=_("Date"), total=_("Total"), status=_("Status"), download=_("Download PDF"))
    badges = _badges(status_labels(for_client=True))
    invoice_url, pdf_url = RowUrl("my.invoice", "invoice_id"), RowUrl("my.invoice_pdf", "invoice_id")

    def write(row) -> str:
        number = f"{row.year}-{row.number:05d}"
        return (f'<tr><td class="nowrap"><a href="{invoice_url.href(row.id)}">{number}</a></td>'
                f'<td class="nowrap" data-label="{labels["date"]}">{page.moment(row.issued_at)}</td>'
                f'<td class="num nowrap" data-label="{labels["total"]}">{page.money(row.total, row.currency)}</td>'
                f'<td data-label="{labels["status"]}">{badges[row.status]}</td>'
                f'<td class="row-actions"><a href="{pdf_url.href(row.id)}" download '
                f'aria-label="{labels["download"]} {number}">{labels["download"]}</a></td></tr>')
    return write
