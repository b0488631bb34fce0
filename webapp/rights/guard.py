"""The one guard: @requires(...) on every staff view, @public on the few open ones."""
from functools import wraps

from flask import abort, redirect, request, url_for
from flask_login import current_user

from webapp.htmx import hx_redirect, is_htmx
from webapp.i18n import gettext as _
from webapp.rights.catalog import function
from webapp.rights.engine import effective_rights

PUBLIC = "_public_view"
REQUIRED = "_required_rights"


def public(view):
    """Mark a view as open to anonymous visitors (login, language switch)."""
    setattr(view, PUBLIC, True)
    return view


def login_url() -> str:
    next_path = request.full_path.rstrip("?") if request.method == "GET" else None
    return url_for("auth.login", next=next_path)


def requires(*function_ids: str):
    """Allow a staff member holding every one of the functions; none named means any staff member."""
    for function_id in function_ids:
        function(function_id)  # an unknown id fails at import time, not at request time

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return hx_redirect(login_url()) if is_htmx() else redirect(login_url())
            if not current_user.is_staff:
                abort(403, _("This page is for staff only."))
            rights = effective_rights(current_user)
            missing = [f for f in function_ids if f not in rights]
            if missing:
                labels = ", ".join(str(function(f).label) for f in missing)
                abort(403, _("You need the right “%(rights)s” to open this.", rights=labels))
            return view(*args, **kwargs)

        setattr(guarded, REQUIRED, function_ids)
        return guarded

    return decorate


def has_right(function_id: str) -> bool:
    """For templates: whether the current user holds the function."""
    return current_user.is_authenticated and function_id in effective_rights(current_user)
