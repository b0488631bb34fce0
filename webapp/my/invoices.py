"""The client's invoices: those issued to them (never drafts), each viewable and downloadable as PDF. Any other
id, another client's or a draft's, is a 404."""
from flask import current_app
from flask_login import current_user

from webapp.htmx import render
from webapp.invoices import service
from webapp.invoices.pdf import pdf_response
from webapp.invoices.rows import client_invoice_rows
from webapp.lists import kept, paginate_rows
from webapp.models import Invoice
from webapp.my import bp
from webapp.rights import client_area


@bp.route("/invoices")
@client_area
def invoices():
    # Previous and Next, not counted: the page is one query, as the staff's big lists.
    client = current_user._get_current_object()
    statement = kept(("my invoices", client.id), lambda: service.client_invoices(client), per_client=True)
    pagination = paginate_rows(statement, current_app.config["INVOICES_PER_PAGE"],
                               Invoice.id, count=False)
    rows = client_invoice_rows(pagination.items)
    return render("my/invoices.html", pagination=pagination, rows=rows,
                  status=404 if pagination.page > 1 and not pagination.items else 200)


@bp.route("/invoices/<int:invoice_id>")
@client_area
def invoice(invoice_id: int):
    found = service.get_client_invoice_or_404(current_user, invoice_id)
    return render("my/invoice.html", invoice=found, status_labels=service.status_labels(for_client=True))


@bp.route("/invoices/<int:invoice_id>/pdf")
@client_area
def invoice_pdf(invoice_id: int):
    return pdf_response(service.get_client_invoice_or_404(current_user, invoice_id))
