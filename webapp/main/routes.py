"""The dashboard: the sections the staff member's rights open, and nothing else."""
from flask import redirect, url_for
from flask_login import current_user

from webapp.htmx import render
from webapp.main import bp
from webapp.main.attention import figures_for
from webapp.navigation import visible_nav
from webapp.rights import SECTIONS, effective_rights, signed_in


@bp.route("/")
@signed_in
def dashboard():
    """The console's start page; a client reaching the site's root is sent to the client area."""
    if not current_user.is_staff:
        return redirect(url_for("my.index"))
    rights = effective_rights(current_user)
    sections = [
        (section, [f for f in section.functions if f.id in rights.ids]) for section in SECTIONS
    ]
    sections = [(section, held) for section, held in sections if held]
    links = {}
    for item in visible_nav():  # each card links to the pages of its section (the nav's groups are the sections)
        if item["group"] is not None:
            links.setdefault(str(item["group"]), []).append(item)
    return render("main/dashboard.html", sections=sections, rights=rights, links=links,
                  figures=figures_for(current_user, rights))
