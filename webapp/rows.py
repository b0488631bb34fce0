"""The long lists' rows written in Python, with what every row shares read once a page.

A 50-row list written by a Jinja loop asked per row for translations, URLs (url_for: ~10 µs each), amounts,
moments and macros, and wrote some 2,000 small strings a page: on the billing lists that was most of the page
(in-process profiles: 85 % of /payments). A list's rows are written by one function of its package instead
(support.queue_rows, finance.rows, services.rows, …), with this kit:

- every value from the database goes through escape() (markupsafe's, as Jinja's autoescape);
- `written(rows, setup, *context)` writes and keeps them: setup(page, *context) runs once per list, language,
  zone, currency and context (the rights that change what a row shows, the path to come back to) and returns
  the function writing one row; each row's HTML is kept, keyed by the row's values, so that a row seen again
  costs a dictionary lookup, and no kept row is ever stale: any change to what it shows changes its key.
  What changes with the clock (a deadline's "3 h left", overdue) is written on each request (Page.running),
  and the session's CSRF token is put in after (rows with forms);
- `Page` holds what the rows share: labels translated and escaped once, the viewer's zone, the money format;
- links are built from a `RowUrl` (webapp.urls): url_for once, the row's id put in.

The markup is the one the templates wrote (tests read it; the CSS and the browser tests rely on it)."""
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import request
from markupsafe import Markup, escape

from webapp.i18n import current_language
from webapp.i18n import gettext as _
from webapp.kept import CSRF, Kept, with_csrf
from webapp.moments import TimeLeft, as_utc, minutes_left, viewer_timezone
from webapp.money import company_currency, format_money
from webapp.urls import RowUrl

DISABLED = ' class="row-disabled"'  # a cancelled or archived row
NO_DEADLINE = '<span class="muted">—</span>'

__all__ = ["DISABLED", "NO_DEADLINE", "Markup", "Page", "RowUrl", "escape", "link", "paid_through", "written"]


class Page:
    """What a list's rows share, built once per writer (see written()): the labels (page.labels["client"] is the
    escaped translation given as label(client=_("Client"))), the viewer's language, zone and currency, and the
    texts already written for amounts, zone names and time left."""

    MEMO = 10_000  # amounts and phrases remembered at most, each

    def __init__(self):
        self.labels = {}
        self._language = current_language()
        self.russian = self._language == "ru"
        self._zone = ZoneInfo(viewer_timezone())
        self._currency = None
        self._amounts = {}
        self._zones = {}
        self._csrf = None
        self._time_left = None
        self._overdue = None
        self._left = {}

    def label(self, **labels: str) -> dict:
        """Adds labels (translated texts, escaped here) and returns them all."""
        self.labels.update((name, escape(text)) for name, text in labels.items())
        return self.labels

    def name(self, english: str | None, russian: str | None) -> Markup:
        """A name kept in both languages, in the viewer's (English when the Russian one is empty), escaped."""
        return escape(russian if self.russian and russian else english or "")

    def money(self, amount, currency: str | None = None) -> str:
        """An amount as |money writes it (the company's currency unless given); each formatted once."""
        key = (amount, currency)
        text = self._amounts.get(key)
        if text is None:
            if currency is None:
                currency = self._currency = self._currency or company_currency()
            if len(self._amounts) >= self.MEMO:
                self._amounts.clear()
            text = self._amounts[key] = escape(format_money(amount, currency, self._language))
        return text

    def moment(self, moment: datetime | None) -> str:
        """As the |moment filter: "2026-11-26 18:05 CET" in the viewer's zone, '' for none."""
        if moment is None:
            return ""
        wall = as_utc(moment).astimezone(self._zone)
        zone = self._zones.get(wall.utcoffset())
        if zone is None:  # the abbreviation of each offset met ("CET", "CEST"), escaped once
            zone = self._zones[wall.utcoffset()] = escape(wall.tzname())
        return f"{wall.isoformat(' ', 'minutes')[:16]} {zone}"

    def running(self, due: datetime, before: str, between: str, after: str) -> tuple:
        """A row whose deadline runs, as write() returns it to written(): before + "row-overdue" once late +
        between + the deadline (its wall time and how long is left, marked overdue once passed) + after, the
        deadline written for the time of each request."""
        return before, between, after, as_utc(due), self.moment(due)

    def late_marked(self, due: datetime, before: str, after: str) -> tuple:
        """A deadline without the time left (the client's "expected answer"), as write() returns it to written():
        before + the deadline, marked late once passed, + after, written for the time of each request."""
        return before, after, as_utc(due), self.moment(due)

    def _now_written(self, row: tuple, now: datetime) -> str:
        if len(row) == 4:  # late_marked()
            before, after, due, moment = row
            return (f'{before}<span class="deadline{" deadline-late" if due <= now else ""}"><time>{moment}</time>'
                    f'</span>{after}')
        before, between, after, due, moment = row
        late = due <= now
        left = minutes_left(due, now)
        if self._time_left is None:
            self._time_left, self._overdue = TimeLeft(), escape(_("Overdue"))
        text = self._left.get(left)
        if text is None:
            if len(self._left) >= self.MEMO:
                self._left.clear()
            text = self._left[left] = escape(self._time_left.text(*left))
        badge = f'<span class="badge badge-off">{self._overdue}</span> ' if late else ""
        return (f'{before}{"row-overdue" if late else ""}{between}'
                f'<span class="deadline{" deadline-late" if late else ""}">{badge}<time>{moment}</time> '
                f'<span class="deadline-left">{text}</span></span>{after}')

    @property
    def csrf_field(self) -> str:
        if self._csrf is None:
            self._csrf = f'<input type="hidden" name="csrf_token" value="{CSRF}">'  # put in by written()
        return self._csrf

    def post_button(self, action: str, label: str, next_url: str | None = None) -> str:
        """A one-button form posting to action (an escaped URL), with the CSRF token and where to come back."""
        back = f'<input type="hidden" name="next" value="{escape(next_url)}">' if next_url else ""
        return (f'<form method="post" action="{action}" class="inline-form">{self.csrf_field}{back}'
                f'<button type="submit" class="btn btn-sm">{label}</button></form>')


def link(url: RowUrl, row_id: int, text) -> str:
    """<a href="…/row_id…">text</a>; text is escaped (pass Markup for markup)."""
    return f'<a href="{url.href(row_id)}">{escape(text)}</a>'


def paid_through(paid_until: date | None) -> str:
    """The last day a service's charged periods cover (paid_until is the end, exclusive), or a dash."""
    return (paid_until - timedelta(days=1)).isoformat() if paid_until else "—"


# Row writers kept: one per list, language, zone, currency and what the list's function was given (rights, the
# path to come back to). Each keeps the HTML of the rows it wrote, keyed by the row's values: a kept row is never
# stale, as any change to what it shows changes its key. At most _WRITERS.size × ROWS_PER_WRITER rows (some 20 MB).
_WRITERS = Kept(64)
ROWS_PER_WRITER = 500


class _Writer:
    __slots__ = ("page", "write", "rows")

    def __init__(self, setup, context: tuple):
        self.page = Page()
        self.write = setup(self.page, *context)
        self.rows = {}


def written(rows, setup, *context, now: datetime | None = None) -> Markup:
    """The rows' HTML: setup(page, *context) returns the function writing one row (from a database row), as a
    string, or as Page.running() or Page.late_marked() for a row with a running deadline. setup runs once per list, language, zone,
    currency and context; it must read everything else it uses from its arguments (has_right() and the like: pass
    them in the context), and never the clock: a running deadline (Page.running) is written for `now` (the
    request's time by default) on each request."""
    key = (setup, current_language(), viewer_timezone(), company_currency(), request.script_root, *context)
    writer = _WRITERS.get(key, lambda: _Writer(setup, context))
    page, kept, write, out = writer.page, writer.rows, writer.write, []
    for row in rows:
        values = tuple(row)
        html = kept.get(values)
        if html is None:
            if len(kept) >= ROWS_PER_WRITER:
                kept.clear()
            html = kept[values] = write(row)
        if html.__class__ is tuple:
            now = now or datetime.now(UTC)
            html = page._now_written(html, now)
        out.append(html)
    html = "".join(out)
    if page._csrf is not None:  # its rows have forms
        html = with_csrf(html)
    return Markup(html)
