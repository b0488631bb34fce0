"""The rights engine: the catalog of functions, effective rights, and the guard every view uses."""
from webapp.rights.catalog import CATALOG, SECTIONS, Function, Section, UnknownFunction, function
from webapp.rights.engine import EffectiveRights, Source, can, effective_rights, forget_rights, granted_rights
from webapp.rights.guard import PUBLIC, client_area, home_url, public, require, requires, signed_in

__all__ = [
    "CATALOG", "SECTIONS", "EffectiveRights", "Function", "PUBLIC", "Section", "Source",
    "UnknownFunction", "can", "effective_rights", "forget_rights", "function", "granted_rights", "public", "require", "requires",
    "signed_in", "client_area", "home_url",
]
