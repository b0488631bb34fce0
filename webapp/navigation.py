"""The navigation: each entry names the endpoint it opens and the function it needs."""
from dataclasses import dataclass

from flask import url_for

from webapp.i18n import lazy_gettext as _l
from webapp.rights.guard import has_right


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object
    right: str | None
    group: object | None = None


NAV = (
    NavItem("main.dashboard", _l("Dashboard"), None),
    NavItem("support.queue", _l("Tickets"), "support.tickets", _l("Support center")),
    NavItem("support.stats", _l("Statistics"), "support.tickets", _l("Support center")),
    NavItem("clients.index", _l("Clients"), "clients.view", _l("Clients")),
    NavItem("departments.index", _l("Departments"), "departments.view", _l("Provider")),
    NavItem("staff.index", _l("Staff"), "staff.view", _l("Provider")),
    NavItem("hours.index", _l("Business hours"), "departments.edit", _l("Provider")),
    NavItem("outbox.index", _l("Outbox"), "settings.edit", _l("Settings")),
)


def visible_nav() -> list[dict]:
    """The entries the current user may open, as (group, label, url, blueprint)."""
    items = []
    for item in NAV:
        if item.right is not None and not has_right(item.right):
            continue
        items.append({"group": item.group, "label": item.label, "url": url_for(item.endpoint),
                      "blueprint": item.endpoint.split(".")[0], "endpoint": item.endpoint})
    return items
