"""Invoices for staff: the list, an invoice's page and PDF, drafts (new, edit, delete), issue and send, paid,
cancel. Viewing needs invoices.view; every change needs invoices.send as well."""
from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user

from webapp.extensions import db
from webapp.forms import Form, form_status
from webapp.htmx import render
from webapp.i18n import gettext as _
from webapp.ids import parse_id
from webapp.invoices import bp, service
from webapp.invoices.forms import BLANK_LINES, InvoiceForm, currency_hint
from webapp.invoices.pdf import pdf_response, render_invoice_pdf
from webapp.invoices.rows import invoice_rows
from webapp.lists import kept, paginate_rows, search_text
from webapp.models import Account, Invoice, InvoiceStatus
from webapp.money import company_currency
from webapp.rights import requires
from webapp.text import without_forbidden

SEND = ("invoices.view", "invoices.send")


def _filter() -> service.InvoiceFilter:
    """The list's filter from the query string; a value that is not one of the choices means no filter."""
    status = request.args.get("status", "")
    year = parse_id(request.args.get("year"))
    return service.InvoiceFilter(
        status=InvoiceStatus(status) if status in InvoiceStatus._value2member_map_ else None,
        q=search_text(), year=year if year and 1900 <= year <= 9999 else None)


@bp.route("", strict_slashes=False)
@requires("invoices.view")
def index():
    wanted = _filter()
    # Not counted (Previous and Next): a count would read every matching invoice on each page.
    statement = kept(("invoices", repr(wanted)), lambda: service.list_invoices(wanted))
    pagination = paginate_rows(statement, current_app.config["INVOICES_PER_PAGE"], Invoice.id,
                               count=False)
    status_labels = service.status_labels()
    return render("invoices/index.html", pagination=pagination, wanted=wanted, years=service.invoice_years(),
                  statuses=list(InvoiceStatus), status_labels=status_labels,
                  rows=invoice_rows(pagination.items),
                  status=404 if pagination.page > 1 and not pagination.items else 200)


def _lines_data(invoice: Invoice | None) -> list[dict]:
    typed = [{"description": line.description, "quantity": str(line.quantity), "unit_price": str(line.unit_price)}
             for line in (invoice.lines if invoice else []) if line.charge_id is None]
    return typed + [{}] * BLANK_LINES


def _form_page(form: InvoiceForm, invoice: Invoice | None, client, login: str = "", status: int = 200):
    currency = invoice.currency if invoice else company_currency()
    return render("invoices/form.html", form=form, invoice=invoice, client=client, login=login,
                  currency=currency, currency_hint=currency_hint(currency), status=status)


@bp.route("/new", methods=["GET", "POST"])
@requires(*SEND)
def new():
    login = (request.form.get("client") if request.method == "POST" else request.args.get("client")) or ""
    client = service.find_client(login)
    if client is None:  # step one: whose invoice? (a GET form; a login that is no client's is a 422)
        invalid = bool(login.strip()) or request.method == "POST"
        return render("invoices/choose_client.html", login=without_forbidden(login).strip()[:64], invalid=invalid,
                      status=422 if invalid else 200)
    charges = service.available_charges(client.id)
    form = InvoiceForm(charges=charges, data=None if request.method == "POST" else {
        "client": client.login, "charges": [charge.id for charge in charges], "lines": _lines_data(None)})
    if form.validate_on_submit():
        invoice = service.create_draft(current_user, form.client_account, form.chosen_charges, form.values)
        db.session.commit()
        flash(_("A draft invoice to %(client)s is saved. Check it, then issue and send it.", client=client.name),
              "success")
        return redirect(url_for("invoices.view", invoice_id=invoice.id))
    return _form_page(form, None, client, client.login, status=form_status(form))


@bp.route("/<int:invoice_id>")
@requires("invoices.view")
def view(invoice_id: int):
    invoice = service.get_invoice_or_404(invoice_id)
    return render("invoices/view.html", invoice=invoice, client=invoice.client, form=Form(),
                  sent_by=db.session.get(Account, invoice.sent_by_id) if invoice.sent_by_id else None,
                  recipient=service.recipient(invoice), status_labels=service.status_labels())


@bp.route("/<int:invoice_id>/pdf")
@requires("invoices.view")
def pdf(invoice_id: int):
    return pdf_response(service.get_invoice_or_404(invoice_id))


@bp.route("/<int:invoice_id>/edit", methods=["GET", "POST"])
@requires(*SEND)
def edit(invoice_id: int):
    invoice = service.get_invoice_or_404(invoice_id, lock=request.method == "POST")
    if invoice.status is not InvoiceStatus.draft:
        flash(_("Invoice %(number)s is issued already: only a draft can be changed.",
                number=invoice.display_number), "error")
        return redirect(url_for("invoices.view", invoice_id=invoice.id))
    charges = service.available_charges(invoice.client_id, invoice)
    form = InvoiceForm(charges=charges, client_fixed=invoice.client, data=None if request.method == "POST" else {
        "charges": [line.charge_id for line in invoice.lines if line.charge_id is not None],
        "lines": _lines_data(invoice)})
    if form.validate_on_submit():
        service.update_draft(current_user, invoice, form.chosen_charges, form.values)
        db.session.commit()
        flash(_("The draft is saved."), "success")
        return redirect(url_for("invoices.view", invoice_id=invoice.id))
    return _form_page(form, invoice, invoice.client, status=form_status(form))


@bp.route("/<int:invoice_id>/delete", methods=["GET", "POST"])
@requires(*SEND)
def delete(invoice_id: int):
    invoice = service.get_invoice_or_404(invoice_id, lock=request.method == "POST")
    form = Form()
    if invoice.status is InvoiceStatus.draft and form.validate_on_submit():
        service.delete_draft(current_user, invoice)
        db.session.commit()
        flash(_("The draft invoice is deleted."), "success")
        return redirect(url_for("invoices.index"))
    return render("invoices/confirm.html", invoice=invoice, form=form, action="delete",
                  status=409 if invoice.status is not InvoiceStatus.draft else 200)


@bp.route("/<int:invoice_id>/issue", methods=["POST"])
@requires(*SEND)
def issue(invoice_id: int):
    invoice = service.get_invoice_or_404(invoice_id, lock=True)
    if Form().validate_on_submit():
        service.issue(current_user, invoice, render_invoice_pdf)
        db.session.commit()
        flash(_("Invoice %(number)s is issued and sent to %(email)s.", number=invoice.display_number,
                email=invoice.sent_to), "success")
    return redirect(url_for("invoices.view", invoice_id=invoice.id))


@bp.route("/<int:invoice_id>/paid", methods=["POST"])
@requires(*SEND)
def paid(invoice_id: int):
    invoice = service.get_invoice_or_404(invoice_id, lock=True)
    if Form().validate_on_submit():
        service.mark_paid(current_user, invoice)
        db.session.commit()
        flash(_("Invoice %(number)s is marked paid.", number=invoice.display_number), "success")
    return redirect(url_for("invoices.view", invoice_id=invoice.id))


@bp.route("/<int:invoice_id>/cancel", methods=["GET", "POST"])
@requires(*SEND)
def cancel(invoice_id: int):
    invoice = service.get_invoice_or_404(invoice_id, lock=request.method == "POST")
    form = Form()
    if invoice.status is InvoiceStatus.sent and form.validate_on_submit():
        released = service.cancel(current_user, invoice)
        db.session.commit()
        message = _("Invoice %(number)s is cancelled; it keeps its number.", number=invoice.display_number)
        if released:
            message += " " + _("Its charges can be billed again.")
        flash(message, "success")
        return redirect(url_for("invoices.view", invoice_id=invoice.id))
    return render("invoices/confirm.html", invoice=invoice, form=form, action="cancel",
                  charges=sum(1 for line in invoice.lines if line.charge_id is not None),
                  status=409 if invoice.status is not InvoiceStatus.sent else 200)
