"""Routes."""
from webapp.hours import bp  # noqa: F401
