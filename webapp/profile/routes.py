"""My profile: every staff member's own page."""
from flask import flash, redirect, url_for
from flask_login import current_user

from webapp.extensions import db
from webapp.forms import form_status
from webapp.htmx import render
from webapp.i18n import gettext as _
from webapp.i18n import language_changed
from webapp.profile import bp
from webapp.profile.forms import ProfileForm, initial_data
from webapp.profile.service import has_avatar, update_profile
from webapp.rights import requires


@bp.route("", methods=["GET", "POST"], strict_slashes=False)
@requires()
def index():
    account = current_user._get_current_object()
    form = ProfileForm(account=account, data=initial_data(account))
    if form.validate_on_submit():
        changes = update_profile(account, form.values(), form.version.data, account.session_token)
        db.session.commit()
        if "profile.language" in changes:
            language_changed()  # the message below in the language just chosen
        if "profile.password" in changes:
            flash(_("Your profile is saved. Your password has changed: your other sessions have ended."), "success")
        else:
            flash(_("Your profile is saved.") if changes else _("Nothing has changed."), "success")
        return redirect(url_for("profile.index"))
    return render("profile/index.html", form=form, status=form_status(form), has_avatar=has_avatar(account))
