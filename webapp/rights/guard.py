"""The one guard: @requires(...) on every staff view, require(...) for rights only a POST needs,
@public on the few open views."""
from functools import wraps
from urllib.parse import urlsplit

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


def login_url(for_htmx: bool = False) -> str:
    """The login page, coming back here (for HTMX: to the page the person was on) after logging in."""
    if for_htmx:
        try:
            current = urlsplit(request.headers.get("HX-Current-URL", ""))
        except ValueError:  # a header that is not a URL ("http://[bad"): come back to nowhere in particular
            current = urlsplit("")
        next_path = (current.path + (f"?{current.query}" if current.query else "")) if current.path else None
    else:
        next_path = request.full_path.rstrip("?") if request.method == "GET" else None
    return url_for("auth.login", next=next_path)


def to_login():
    """Anonymous visitors log in first, and come back (an HTMX request is redirected by HX-Redirect)."""
    return hx_redirect(login_url(for_htmx=True)) if is_htmx() else redirect(login_url())


def require(*function_ids: str) -> None:
    """403 unless the current staff member holds every function: the same answer as @requires gives."""
    user = current_user._get_current_object()  # read once: each read through the proxy is a lookup
    if not user.is_authenticated or not user.is_staff:
        abort(403, _("This page is for staff only."))
    rights = effective_rights(user)
    missing = [f for f in function_ids if f not in rights]
    if missing:
        labels = ", ".join(f"“{function(f).label}”" for f in missing)
        abort(403, _("You need the right %(rights)s to do this.", rights=labels))


POST_REQUIRED = "_post_required_rights"


def requires(*function_ids: str, post: tuple[str, ...] = ()):
    """Allow a staff member holding every one of the functions (and, to POST, those in `post`);
    none named means any staff member."""
    for function_id in (*function_ids, *post):
        function(function_id)  # an unknown id fails at import time, not at request time

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return to_login()
            require(*function_ids, *(post if request.method == "POST" else ()))
            return view(*args, **kwargs)

        setattr(guarded, REQUIRED, function_ids)
        setattr(guarded, POST_REQUIRED, post)
        return guarded

    return decorate


def signed_in(view):
    """Any logged-in account, staff or client (logout): anonymous visitors go to the login page."""
    @wraps(view)
    def guarded(*args, **kwargs):
        if not current_user.is_authenticated:
            return to_login()
        return view(*args, **kwargs)

    setattr(guarded, REQUIRED, ())
    setattr(guarded, "_any_account", True)
    return guarded


def client_area(view):
    """The client area: client accounts only; anonymous visitors log in, staff are sent to the console."""
    @wraps(view)
    def guarded(*args, **kwargs):
        user = current_user._get_current_object()
        if not user.is_authenticated:
            return to_login()
        if user.is_staff:
            return hx_redirect(url_for("main.dashboard")) if is_htmx() else redirect(url_for("main.dashboard"))
        return view(*args, **kwargs)

    setattr(guarded, REQUIRED, ())
    setattr(guarded, "_client_area", True)
    return guarded


def home_url() -> str:
    """Where an account starts: the console for staff, the client area for clients."""
    return url_for("main.dashboard") if current_user.is_staff else url_for("my.index")


def has_right(function_id: str) -> bool:
    """For templates: whether the current user holds the function."""
    user = current_user._get_current_object()
    return user.is_authenticated and function_id in effective_rights(user)
