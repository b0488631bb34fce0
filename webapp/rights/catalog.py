"""The catalog of billing functions: stable ids, grouped by section, with translatable labels."""
from dataclasses import dataclass

from webapp.i18n import lazy_gettext as _l


class UnknownFunction(KeyError):
    """A function id that is not in the catalog: a programming error."""


@dataclass(frozen=True)
class Function:
    id: str
    section: str
    label: object
    description: object


@dataclass(frozen=True)
class Section:
    id: str
    label: object
    functions: tuple[Function, ...]


def _section(section_id, label, *functions):
    return Section(section_id, label, tuple(Function(fid, section_id, lbl, desc) for fid, lbl, desc in functions))


SECTIONS: tuple[Section, ...] = (
    _section(
        "clients", _l("Clients"),
        ("clients.view", _l("View clients"), _l("See client accounts, their contacts and history.")),
        ("clients.edit", _l("Edit clients"), _l("Create client accounts and change their details.")),
    ),
    _section(
        "services", _l("Products/services"),
        ("services.view", _l("View services"), _l("See the services clients have ordered.")),
        ("services.manage", _l("Manage services"),
         _l("Suspend, resume, change and delete client services.")),
        ("tariffs.view", _l("View tariff plans"), _l("See tariff plans and their prices.")),
        ("tariffs.edit", _l("Edit tariff plans"), _l("Create tariff plans and change their prices.")),
        ("tasks.view", _l("View tasks"), _l("See tasks: services that need manual work.")),
        ("tasks.solve", _l("Solve tasks"), _l("Take tasks and mark them as done.")),
    ),
    _section(
        "finance", _l("Finance"),
        ("payments.view", _l("View payments"), _l("See client payments.")),
        ("payments.edit", _l("Edit payments"), _l("Record, confirm and cancel payments.")),
        ("expenses.view", _l("View expenses"), _l("See charges to client accounts.")),
        ("expenses.edit", _l("Edit expenses"), _l("Add and cancel charges to client accounts.")),
        ("invoices.view", _l("View invoices"), _l("See invoices issued to clients.")),
        ("invoices.send", _l("Send invoices"), _l("Issue invoices and send them to clients.")),
        ("reports.finance", _l("Financial reports"), _l("Open the company's financial reports.")),
    ),
    _section(
        "support", _l("Support center"),
        ("support.tickets", _l("Support tickets"), _l("Read and answer client tickets.")),
    ),
    _section(
        "provider", _l("Provider"),
        ("departments.view", _l("View departments"), _l("See departments, their members and permissions.")),
        ("departments.edit", _l("Edit departments"),
         _l("Create, change and delete departments and business hours.")),
        ("staff.view", _l("View staff"), _l("See staff members and their rights.")),
        ("staff.edit", _l("Edit staff"), _l("Create, change, disable and delete staff members.")),
        ("rights.edit", _l("Edit permissions"),
         _l("Grant and revoke functions of departments and staff members.")),
    ),
    _section(
        "settings", _l("Settings"),
        ("settings.edit", _l("Global settings"), _l("Change the billing system's global settings.")),
    ),
)

CATALOG: dict[str, Function] = {f.id: f for s in SECTIONS for f in s.functions}
SECTION_BY_ID: dict[str, Section] = {s.id: s for s in SECTIONS}
ALL_IDS: frozenset[str] = frozenset(CATALOG)


def function(function_id: str) -> Function:
    """The catalog entry for an id; an id outside the catalog is a programming error."""
    try:
        return CATALOG[function_id]
    except KeyError:
        raise UnknownFunction(function_id) from None
