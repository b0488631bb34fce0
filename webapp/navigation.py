"""The navigation: each entry names the endpoint it opens and the function it needs."""
from dataclasses import dataclass

from flask import request, url_for

from webapp.i18n import lazy_gettext as _l
from webapp.rights.guard import has_right


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object
    right: str | None
    group: object | None = None
    covers: tuple[str, ...] = ()  # other endpoints where this entry is the current one



NAV = (
    NavItem("main.dashboard", _l("Dashboard"), None),
    NavItem("support.queue", _l("Tickets"), "support.tickets", _l("Support center")),
    NavItem("support.replies", _l("Canned replies"), "support.tickets", _l("Support center"),
            covers=("support.new_reply", "support.edit_reply", "support.delete_reply")),
    NavItem("support.stats", _l("Statistics"), "support.tickets", _l("Support center")),
    NavItem("clients.index", _l("Clients"), "clients.view", _l("Clients")),
    NavItem("departments.index", _l("Departments"), "departments.view", _l("Provider")),
    NavItem("staff.index", _l("Staff"), "staff.view", _l("Provider")),
    NavItem("hours.index", _l("Business hours"), "departments.edit", _l("Provider")),
    NavItem("settings.edit", _l("Settings"), "settings.edit", _l("Settings")),
    NavItem("outbox.index", _l("Outbox"), "settings.edit", _l("Settings")),
)


CLAIMED = frozenset(endpoint for item in NAV for endpoint in (item.endpoint, *item.covers))
# The entry a blueprint's other pages fall under: its first one (a ticket's page is under "Tickets").
BLUEPRINT_ENTRY = {}
for _item in NAV:
    BLUEPRINT_ENTRY.setdefault(_item.endpoint.split(".")[0], _item)


def _is_current(item: NavItem, endpoint: str) -> bool:
    """The entry for this endpoint or one it covers; else the first entry of the endpoint's blueprint (a
    client's form is under "Clients"), unless another entry claims the endpoint."""
    if endpoint == item.endpoint or endpoint in item.covers:
        return True
    blueprint = endpoint.split(".")[0]
    return (endpoint not in CLAIMED and blueprint != "main" and BLUEPRINT_ENTRY.get(blueprint) is item)


def visible_nav() -> list[dict]:
    """The entries the current user may open, as (group, label, url, blueprint, endpoint, current)."""
    endpoint = request.endpoint or ""
    items = []
    for item in NAV:
        if item.right is not None and not has_right(item.right):
            continue
        items.append({"group": item.group, "label": item.label, "url": url_for(item.endpoint),
                      "blueprint": item.endpoint.split(".")[0], "endpoint": item.endpoint,
                      "current": _is_current(item, endpoint)})
    return items
