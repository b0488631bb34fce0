"""/expenses: charges to client accounts, their filters and total; add and cancel (expenses.edit)."""
from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user

from webapp.auth.sessions import safe_next
from webapp.extensions import db
from webapp.finance import expenses, expenses_bp
from webapp.finance.forms import ChargeForm
from webapp.finance.route_helpers import back, suggestions
from webapp.finance.rows import charge_rows
from webapp.forms import Form, form_status
from webapp.htmx import render
from webapp.i18n import gettext as _
from webapp.lists import kept, paginate_rows, search_text
from webapp.models import Charge
from webapp.moments import viewer_timezone
from webapp.money import company_currency, format_money
from webapp.rights import requires
from webapp.rights.guard import has_right
from webapp.transactions import once


@expenses_bp.route("", strict_slashes=False)
@requires("expenses.view")
def index():
    wanted = expenses.wanted_from(request.args, viewer_timezone())
    # Not counted, and summed only for a client or a period: both would read every charge on each page.
    statement = kept(("charges", repr(wanted)), lambda: expenses.list_charges(wanted))
    pagination = paginate_rows(statement, current_app.config["CHARGES_PER_PAGE"], Charge.id,
                               count=False)
    rows = charge_rows(pagination.items, has_right("expenses.edit"), request.full_path.rstrip("?"))
    return render("finance/expenses.html", pagination=pagination, wanted=wanted, rows=rows,
                  total=expenses.live_total(wanted) if wanted.narrowed else None)


@expenses_bp.route("/new", methods=["GET", "POST"])
@requires("expenses.view", "expenses.edit")
def new():
    form = ChargeForm(data=None if request.method == "POST" else {"client": search_text("client", 64)})
    if form.validate_on_submit():
        key = form.submission.data
        charge, added = once(Charge, key, lambda: expenses.charge_client(
            current_user, form.account, form.value, form.description.data, submission_key=key))
        if not added:
            flash(_("This form was sent twice: %(client)s is charged %(amount)s once.",
                    client=charge.client.login, amount=format_money(charge.amount)), "info")
            return redirect(url_for("expenses.index"))
        flash(_("%(client)s charged %(amount)s.", client=form.account.login, amount=format_money(charge.amount)),
              "success")
        return redirect(url_for("expenses.index"))
    return render("finance/charge_form.html", form=form, currency=company_currency(), status=form_status(form))


@expenses_bp.route("/<int:charge_id>/cancel", methods=["GET", "POST"])
@requires("expenses.view", "expenses.edit")
def cancel(charge_id: int):
    charge = expenses.get_charge_or_404(charge_id)
    form = Form()
    if form.validate_on_submit():
        changed = expenses.cancel(current_user, charge)
        db.session.commit()
        flash(_("Charge of %(amount)s cancelled: it no longer counts in the balance.",
                amount=format_money(charge.amount)) if changed else _("This charge was already cancelled."),
              "success" if changed else "info")
        return redirect(back("expenses.index"))
    return render("finance/charge_cancel.html", charge=charge, form=form, on_invoice=expenses.ON_INVOICE(),
                  next=safe_next(request.args.get("next")))


@expenses_bp.route("/clients")
@requires("expenses.view", "expenses.edit")
def client_options():
    return suggestions()


