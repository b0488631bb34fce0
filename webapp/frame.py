"""The frame of every page around its content: the top bar (brand, language switch, the viewer's chip, log out)
and the sidebar. The same few kilobytes on every page, which base.html rebuilt each time (some 15 url_for, ten
translations, four CSRF lookups: about a fifth of a list page). Written once per (language, viewer, page) and
kept; only the CSRF token and the path to come back to after switching language are put in per request."""
from flask import current_app, request, url_for
from flask_login import current_user
from markupsafe import Markup, escape

from webapp.i18n import current_language
from webapp.i18n import gettext as _
from webapp.kept import CSRF, Kept, with_csrf
from webapp.navigation import client_sidebar, sidebar

# The way back after switching language, put in per request like the CSRF token (see webapp.kept).
_NEXT = "<next/>"
_PRESSED = ' aria-current="true"'
_FRAMES = Kept(4096)  # languages × viewers × pages


def frame() -> Markup:
    user = current_user._get_current_object()  # read once: each read through the proxy is a lookup
    endpoint = request.endpoint or ""
    if user.is_authenticated:
        nav = sidebar() if user.is_staff else client_sidebar()
        key = (current_language(), request.script_root, endpoint, user.id, user.is_staff, user.name,
               user.avatar_version, nav)
    else:
        nav, key = None, (current_language(), request.script_root, endpoint)
    html = _FRAMES.get(key, lambda: _build(user, endpoint, nav))
    back = request.full_path.rstrip("?") if request.method == "GET" else ""
    return Markup(with_csrf(html).replace(_NEXT, escape(back)))


def _build(user, endpoint: str, nav: Markup | None) -> str:
    language = current_language()
    # Translated outside the f-strings below: pybabel does not look inside them.
    my_profile, log_out, skip = escape(_("My profile")), escape(_("Log out")), escape(_("Skip to content"))
    console, language_label = escape(_("Provider console")), escape(_("Language"))
    authenticated = user.is_authenticated
    home = url_for("main.dashboard") if not authenticated or user.is_staff else url_for("my.index")
    buttons = "\n".join(
        f'          <button type="submit" name="lang" value="{code}" lang="{code}" class="lang-btn" '
        f'{_PRESSED if code == language else ""} title="{escape(label)}">{code.upper()}</button>'
        for code, label in current_app.config["LANGUAGES"].items())
    chip = ""
    if authenticated:
        profile = "profile.index" if user.is_staff else "my.profile"
        current = ' aria-current="page"' if endpoint == profile else ""
        avatar = (f'\n            <img class="avatar avatar-sm" src="'
                  f'{escape(url_for("staff.avatar", staff_id=user.id, v=user.avatar_version))}" alt="" width="24" '
                  f'height="24">\n            ') if user.is_staff else ""
        chip = (f'\n      <a class="user-chip" href="{escape(url_for(profile))}" title="{my_profile}"'
                f'{current}>{avatar}<span>{escape(user.name)}</span></a>'
                f'\n      <form method="post" action="{escape(url_for("auth.logout"))}">'
                f'\n        <input type="hidden" name="csrf_token" value="{CSRF}">'
                f'\n        <button type="submit" class="btn btn-ghost btn-sm">{log_out}</button>'
                f'\n      </form>')
    sidebar_html = ""
    if nav is not None:
        label = _("Main") if user.is_staff else _("My account")
        sidebar_html = f'\n    <nav class="sidebar" aria-label="{escape(label)}">\n{nav}\n    </nav>'
    return (
        f'<a class="skip-link" href="#content">{skip}</a>\n'
        f'  <header class="topbar">\n'
        f'    <a class="brand" href="{escape(home)}"><span class="brand-mark" aria-hidden="true">◆</span> '
        f'{console}</a>\n'
        f'    <div class="topbar-right">\n'
        f'      <form class="lang-switch" method="post" action="{escape(url_for("auth.language"))}" '
        f'aria-label="{language_label}">\n'
        f'        <input type="hidden" name="csrf_token" value="{CSRF}">\n'
        f'        <input type="hidden" name="next" value="{_NEXT}">\n{buttons}\n'
        f'      </form>{chip}\n'
        f'    </div>\n'
        f'  </header>\n'
        f'  <div class="shell{"" if authenticated else " shell-bare"}">{sidebar_html}')


_ASSETS = Kept(16)


def assets() -> Markup:
    """The icon, style sheet and scripts of <head>, per mount point of the app."""
    return _ASSETS.get(request.script_root, _write_assets)


def _write_assets() -> Markup:
    def static(filename: str) -> str:
        return escape(url_for("static", filename=filename))

    return Markup(f'<link rel="icon" href="{static("favicon.svg")}" type="image/svg+xml">\n'
                  f'  <link rel="stylesheet" href="{static("css/app.css")}">\n'
                  f'  <script src="{static("vendor/htmx.min.js")}" defer></script>\n'
                  f'  <script src="{static("js/app.js")}" defer></script>')
