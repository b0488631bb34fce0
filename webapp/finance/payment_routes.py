"""/payments: the list with its filters and confirmed total; record, confirm and cancel (payments.edit)."""
from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user

from webapp.auth.sessions import safe_next
from webapp.extensions import db
from webapp.finance import payments, payments_bp
from webapp.finance.forms import PaymentForm
from webapp.finance.route_helpers import back, suggestions
from webapp.finance.rows import payment_rows
from webapp.forms import Form, form_status
from webapp.htmx import render
from webapp.i18n import gettext as _
from webapp.lists import kept, paginate_rows, search_text
from webapp.models import Payment
from webapp.models.accounts import utcnow
from webapp.moments import local, viewer_timezone
from webapp.money import company_currency, format_money
from webapp.rights import requires
from webapp.rights.guard import has_right
from webapp.transactions import once


@payments_bp.route("", strict_slashes=False)
@requires("payments.view")
def index():
    wanted = payments.wanted_from(request.args)
    # Not counted, and summed only for a client or a period: both would read every payment on each page.
    statement = kept(("payments", repr(wanted)), lambda: payments.list_payments(wanted))
    pagination = paginate_rows(statement, current_app.config["PAYMENTS_PER_PAGE"], Payment.id,
                               count=False)
    here = request.full_path.rstrip("?")
    rows = payment_rows(pagination.items, has_right("payments.edit"), here)
    return render("finance/payments.html", pagination=pagination, wanted=wanted, statuses=payments.STATUS_LABELS,
                  rows=rows, total=payments.confirmed_total(wanted) if wanted.narrowed else None)


@payments_bp.route("/new", methods=["GET", "POST"])
@requires("payments.view", "payments.edit")
def new():
    today = local(utcnow(), viewer_timezone()).date()
    form = PaymentForm(today=today, data=None if request.method == "POST" else {
        "client": search_text("client", 64), "received_on": today})
    if form.validate_on_submit():
        key = form.submission.data
        payment, recorded = once(Payment, key, lambda: payments.record_payment(
            current_user, form.account, form.value, form.payment_method, form.received_on.data, form.note.data,
            bool(form.confirmed.data), submission_key=key))
        if not recorded:
            flash(_("This form was sent twice: the payment of %(amount)s from %(client)s is recorded once.",
                    amount=format_money(payment.amount), client=payment.client.login), "info")
            return redirect(url_for("payments.index"))
        message = _("Payment of %(amount)s from %(client)s recorded as confirmed.") if form.confirmed.data else \
            _("Payment of %(amount)s from %(client)s recorded; it counts in the balance once confirmed.")
        flash(message % {"amount": format_money(payment.amount), "client": form.account.login}, "success")
        return redirect(url_for("payments.index"))
    return render("finance/payment_form.html", form=form, currency=company_currency(), status=form_status(form))


@payments_bp.route("/<int:payment_id>/confirm", methods=["POST"])
@requires("payments.view", "payments.edit")
def confirm(payment_id: int):
    payment = payments.get_payment_or_404(payment_id)
    changed = payments.confirm(current_user, payment)
    db.session.commit()
    flash(_("Payment of %(amount)s confirmed: it counts in the client's balance.",
            amount=format_money(payment.amount)) if changed else _("This payment was already confirmed."),
          "success" if changed else "info")
    return redirect(back("payments.index"))


@payments_bp.route("/<int:payment_id>/cancel", methods=["GET", "POST"])
@requires("payments.view", "payments.edit")
def cancel(payment_id: int):
    payment = payments.get_payment_or_404(payment_id)
    form = Form()
    if form.validate_on_submit():
        changed = payments.cancel(current_user, payment)
        db.session.commit()
        flash(_("Payment of %(amount)s cancelled.", amount=format_money(payment.amount)) if changed
              else _("This payment was already cancelled."), "success" if changed else "info")
        return redirect(back("payments.index"))
    return render("finance/payment_cancel.html", payment=payment, form=form, statuses=payments.STATUS_LABELS,
                  methods=payments.METHOD_LABELS, next=safe_next(request.args.get("next")))


@payments_bp.route("/clients")
@requires("payments.view", "payments.edit")
def client_options():
    return suggestions()


