"""Department pages: list, create, edit, delete, and the permission toggles."""
from webapp.departments import bp  # noqa: F401
