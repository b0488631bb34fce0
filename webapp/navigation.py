"""The navigation: each entry names the endpoint it opens and the function it needs."""
from dataclasses import dataclass

from flask import request, url_for
from flask_login import current_user
from markupsafe import Markup, escape

from webapp.i18n import current_language
from webapp.i18n import lazy_gettext as _l
from webapp.kept import Kept
from webapp.rights.engine import effective_rights
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
    NavItem("tariffs.index", _l("Tariff plans"), "tariffs.view", _l("Products/services")),
    NavItem("services.index", _l("Services"), "services.view", _l("Products/services")),
    NavItem("tasks.index", _l("Tasks"), "tasks.view", _l("Products/services")),
    NavItem("invoices.index", _l("Invoices"), "invoices.view", _l("Finance")),
    NavItem("payments.index", _l("Payments"), "payments.view", _l("Finance")),
    NavItem("expenses.index", _l("Expenses"), "expenses.view", _l("Finance")),
    NavItem("reports.index", _l("Reports"), "reports.finance", _l("Finance")),
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


CURRENT = ' aria-current="page"'
_SIDEBARS = Kept(2048)  # language × sets of rights × pages: a handful of combinations in practice


def sidebar() -> Markup:
    """The staff sidebar's links, rendered once per (language, rights, page) and kept: the same few hundred
    bytes on every page, which a Jinja loop over the entries rebuilt each time."""
    return _SIDEBARS.get((current_language(), request.script_root, effective_rights(current_user).ids,
                          request.endpoint or ""), _staff_links)


def _staff_links() -> Markup:
    parts, group = [], None
    for item in visible_nav():
        if item["group"] and str(item["group"]) != str(group):
            parts.append(f'<div class="nav-group">{escape(item["group"])}</div>')
        group = item["group"]
        parts.append(f'<a href="{escape(item["url"])}"{CURRENT if item["current"] else ""}>{escape(item["label"])}</a>')
    return Markup("\n".join(parts))


# The client area's entries: (endpoint, label, what else it covers: a service's, ticket's or invoice's pages).
CLIENT_NAV = (
    ("my.index", _l("My account"), None),
    ("my.services", _l("My services"), "service"),
    ("my.tickets", _l("Support tickets"), "ticket"),
    ("my.invoices", _l("My invoices"), "invoice"),
    ("my.profile", _l("My profile"), None),
)


def client_sidebar() -> Markup:
    """The client area's links, rendered once per (language, page) and kept, as the staff sidebar."""
    return _SIDEBARS.get(("client", current_language(), request.script_root, request.endpoint or ""), _client_links)


def _client_links() -> Markup:
    endpoint, parts = request.endpoint or "", []
    for target, label, covers in CLIENT_NAV:
        current = endpoint == target or bool(covers and endpoint.startswith("my.") and covers in endpoint)
        parts.append(f'<a href="{escape(url_for(target))}"{CURRENT if current else ""}>{escape(label)}</a>')
    return Markup("\n".join(parts))
