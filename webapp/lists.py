"""The list kit: a page number from the query string, and pagination that never runs past the end.

Every list page (departments, staff, business hours, and the domains to come) pages through this; its GET
filter form derives from webapp.forms.FilterForm and its template uses macros/lists.html.
"""
from flask import request

from webapp.extensions import db
from webapp.ids import parse_id
from webapp.text import without_forbidden


def page_number() -> int:
    """`?page=`: ASCII digits within range, else the first page ("١", "-1", "9"*30 are not page numbers)."""
    return parse_id(request.args.get("page")) or 1


def search_text(name: str = "q", max_length: int = 200) -> str:
    """A search box's text, trimmed, without control characters, at most `max_length` characters."""
    return without_forbidden(request.args.get(name, "")).strip()[:max_length]


def paginate(statement, per_page: int, page: int | None = None):
    """One page of the statement's rows; a page beyond the end shows the last page."""
    page = page or page_number()
    pagination = db.paginate(statement, page=page, per_page=per_page, error_out=False)
    if page > 1 and not pagination.items and pagination.pages and page > pagination.pages:
        pagination = db.paginate(statement, page=pagination.pages, per_page=per_page, error_out=False)
    return pagination
