"""Login, logout and the language switch."""
from flask import abort, current_app, flash, redirect, request, session, url_for
from flask_login import current_user

from webapp.auth import bp
from webapp.auth.forms import LanguageForm, LoginForm
from webapp.auth.service import log_in, log_out
from webapp.auth.sessions import forget_login, safe_next
from webapp.extensions import db
from webapp.forms import form_status
from webapp.htmx import render
from webapp.i18n import gettext as _
from webapp.rights import home_url, public, signed_in
from webapp.transactions import reading_first


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if request.method == "POST":
        reading_first()  # the password hash must not hold SQLite's write lock (see webapp/transactions.py)
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(request.args.get("next")) or home_url())
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        account = log_in(form.login.data, form.password.data, request.remote_addr)
        db.session.commit()  # the new session, or the failure's audit entry
        if account is not None:
            return redirect(safe_next(form.next.data) or home_url())
        form.password.errors.append(_("Wrong login or password, or the account is disabled."))
    return render("auth/login.html", form=form, status=form_status(form))


@bp.route("/logout", methods=["POST"])
@signed_in
def logout():
    """All or nothing: the session ends on the server first; if that fails, the person stays logged in."""
    log_out(request.remote_addr)
    db.session.commit()
    forget_login()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=["POST"])
@public
def language():
    form = LanguageForm()
    if not form.validate_on_submit() or form.lang.data not in current_app.config["LANGUAGES"]:
        abort(400, _("Unknown language."))
    if current_user.is_authenticated:
        current_user.locale = form.lang.data
        db.session.commit()
    session["lang"] = form.lang.data
    return redirect(safe_next(form.next.data) or (home_url() if current_user.is_authenticated
                                                  else url_for("auth.login")))
