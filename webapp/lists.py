"""The list kit: a page number from the query string, and pagination that never runs past the end.

Every list page (departments, staff, business hours, and the domains to come) pages through this; its GET
filter form derives from webapp.forms.FilterForm and its template uses macros/lists.html and pager().
"""
from dataclasses import dataclass
from math import ceil
from weakref import WeakKeyDictionary

from flask import request, url_for
from markupsafe import Markup, escape
from sqlalchemy import bindparam, func, select

from webapp.extensions import db
from webapp.i18n import current_language
from webapp.i18n import gettext as _
from webapp.ids import parse_id
from webapp.kept import Kept
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


@dataclass
class Page:
    """A page of rows (plain result rows, not ORM objects: a list of 50 builds no object graph).
    `total` is None for a search, which is not counted: a page past the end of a search is simply empty."""

    items: list
    page: int
    per_page: int
    total: int | None
    more: bool = False  # another page follows (known without a count)

    @property
    def pages(self) -> int | None:
        if self.total is None:
            return None
        return max(1, ceil(self.total / self.per_page)) if self.total else 0

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.more if self.total is None else self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def paginate_rows(statement, per_page: int, key_column, page: int | None = None, count: bool = True) -> Page:
    """One page of a column statement's rows, counted over the key column only; past the end, the last.
    Without `count` (a search: counting would scan every match once more), one extra row tells whether
    another page follows. A statement from kept() is paged and counted by statements kept with it."""
    page = page or page_number()
    paging = _paging(statement)
    if not count:
        rows = _rows(paging.page, {"_limit": per_page + 1, "_offset": (page - 1) * per_page})
        return Page(rows[:per_page], page, per_page, None, more=len(rows) > per_page)
    total = db.session.scalar(paging.count(statement, key_column))
    last = max(1, ceil(total / per_page))
    page = min(page, last)
    rows = _rows(paging.page, {"_limit": per_page, "_offset": (page - 1) * per_page}) if total else []
    return Page(rows, page, per_page, total)


# Statements kept across requests: building a list's statement and SQLAlchemy's cache key for a new one cost more
# than running it (0.75 ms of a 50-row page against 0.65 ms for the query). Keyed by the list and its filter,
# whose values the statement holds as bound parameters; bounded (a search's texts are many).
_KEPT = Kept(1024)


_CLIENTS_KEPT = Kept(4096)  # the client area's, one per client: many clients never push out the staff lists'


def kept(key: tuple, build, per_client: bool = False):
    """The statement for `key` (the list's name and everything its statement depends on: the filter's repr, the
    client's id), built by build() the first time. A client area list's, `per_client`, is kept apart."""
    return (_CLIENTS_KEPT if per_client else _KEPT).get(key, build)


class _Paging:
    """A statement's page statement (limit and offset as parameters) and, once asked for, its count statement.
    Holds no reference to the statement it pages, so that it lives exactly as long as that statement."""

    def __init__(self, statement):
        self.page = statement.limit(bindparam("_limit")).offset(bindparam("_offset"))
        self._count = None

    def count(self, statement, key_column):
        if self._count is None:
            self._count = select(func.count()).select_from(
                statement.with_only_columns(key_column).order_by(None).subquery())
        return self._count


_PAGINGS: WeakKeyDictionary = WeakKeyDictionary()  # a kept statement's stay; a request's own go with it


def _paging(statement) -> _Paging:
    paging = _PAGINGS.get(statement)
    if paging is None:
        paging = _PAGINGS[statement] = _Paging(statement)
    return paging


def _rows(statement, parameters: dict) -> list:
    """Plain rows, run on the connection: the ORM's result handling was a third of a list's query."""
    db.session.flush()  # as the session's autoflush would: this request's changes are in the rows (none: a no-op)
    return db.session.connection().execute(statement, parameters).all()


# Pagers kept per language, list, filter and position: the macro it was cost as much as the rest of a list's
# template (two url_for with the filter, a message with a variable, a macro call).
_PAGERS = Kept(4096)


def pager(pagination, endpoint: str, **arguments) -> Markup:
    """The bar under a list: Previous, "Page 2 of 7" ("Page 2" when not counted), Next; nothing for one page.
    `arguments` are the list's filter, kept in both links (None values left out)."""
    pages = pagination.pages
    if not ((pages is None and (pagination.has_prev or pagination.has_next)) or (pages or 0) > 1):
        return Markup("")
    arguments = {name: value for name, value in arguments.items() if value is not None}
    key = (current_language(), request.script_root, endpoint, pagination.page, pages, pagination.has_prev,
           pagination.has_next, *sorted((name, str(value)) for name, value in arguments.items()))
    return _PAGERS.get(key, lambda: Markup(_write_pager(pagination, endpoint, arguments)))


def _write_pager(pagination, endpoint: str, arguments: dict) -> str:
    def link(page: int, rel: str, text: str) -> str:
        href = escape(url_for(endpoint, page=page, **arguments))
        return f'\n      <a class="btn btn-sm" href="{href}" rel="{rel}">{text}</a>'

    # Translated outside the f-strings: pybabel does not look inside them.
    label, previous, following = escape(_("Pages")), escape(_("Previous")), escape(_("Next"))
    if pagination.pages is None:
        where = escape(_("Page %(page)s", page=pagination.page))
    else:
        where = escape(_("Page %(page)s of %(pages)s", page=pagination.page, pages=pagination.pages))
    before = link(pagination.prev_num, "prev", f"← {previous}") if pagination.has_prev else ""
    after = link(pagination.next_num, "next", f"{following} →") if pagination.has_next else ""
    return (f'<nav class="pager" aria-label="{label}">{before}\n'
            f'      <span class="pager-info">{where}</span>{after}\n    </nav>')
