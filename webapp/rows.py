"""The long lists' rows written in Python, with what every row shares read once a page.

A 50-row list written by a Jinja loop asked per row for translations, URLs (url_for: ~10 µs each), amounts,
moments and macros, and wrote some 2,000 small strings a page: on the billing lists that was most of the page
(in-process profiles: 85 % of /payments). A list's rows are written by one function of its package instead
(support.queue_rows, finance.rows, services.rows, …), with this kit:

- every value from the database goes through escape() (markupsafe's, as Jinja's autoescape);
- `Page` holds the page's labels (translated and escaped once), the viewer's zone, the money format and
  the CSRF token, so that a row costs only its own values;
- links are built from a `RowUrl` (webapp.urls): url_for once a page, the row's id put in.

The markup is the one the templates wrote (tests read it; the CSS and the browser tests rely on it)."""
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from webapp.i18n import current_language
from webapp.i18n import gettext as _
from webapp.moments import TimeLeft, as_utc, viewer_timezone
from webapp.money import company_currency, format_money
from webapp.urls import RowUrl

DISABLED = ' class="row-disabled"'  # a cancelled or archived row

__all__ = ["DISABLED", "Markup", "Page", "RowUrl", "escape", "link", "paid_through"]


class Page:
    """What a page's rows share: page.labels["client"] is the escaped translation given as client=_("Client")."""

    def __init__(self, now: datetime | None = None, **labels: str):
        self.labels = {name: escape(text) for name, text in labels.items()}
        self._language = current_language()
        self.russian = self._language == "ru"
        self.now = now or datetime.now(UTC)
        self._zone = ZoneInfo(viewer_timezone())
        self._currency = None
        self._amounts = {}
        self._zones = {}
        self._csrf = None
        self._time_left = None
        self._overdue = None

    def name(self, english: str | None, russian: str | None) -> Markup:
        """A name kept in both languages, in the viewer's (English when the Russian one is empty), escaped."""
        return escape(russian if self.russian and russian else english or "")

    def money(self, amount, currency: str | None = None) -> str:
        """An amount as |money writes it; a page's amounts repeat (plans' prices), each is formatted once."""
        key = (amount, currency)
        text = self._amounts.get(key)
        if text is None:
            if currency is None:
                currency = self._currency = self._currency or company_currency()
            text = self._amounts[key] = escape(format_money(amount, currency, self._language))
        return text

    def moment(self, moment: datetime | None) -> str:
        """As the |moment filter: "2026-11-26 18:05 CET" in the viewer's zone, '' for none."""
        if moment is None:
            return ""
        wall = as_utc(moment).astimezone(self._zone)
        zone = self._zones.get(wall.utcoffset())
        if zone is None:  # the abbreviation of each offset met on the page ("CET", "CEST"), escaped once
            zone = self._zones[wall.utcoffset()] = escape(wall.tzname())
        return f"{wall.isoformat(' ', 'minutes')[:16]} {zone}"

    def late(self, due: datetime | None) -> bool:
        return due is not None and as_utc(due) <= self.now

    def deadline(self, due: datetime | None) -> str:
        """A running deadline: its wall time and how long is left; marked overdue once passed."""
        if due is None:
            return '<span class="muted">—</span>'
        due = as_utc(due)
        if self._time_left is None:
            self._time_left, self._overdue = TimeLeft(), escape(_("Overdue"))
        late = due <= self.now
        badge = f'<span class="badge badge-off">{self._overdue}</span> ' if late else ""
        return (f'<span class="deadline{" deadline-late" if late else ""}">{badge}<time>{self.moment(due)}</time> '
                f'<span class="deadline-left">{escape(self._time_left(due, self.now))}</span></span>')

    @property
    def csrf_field(self) -> str:
        if self._csrf is None:
            self._csrf = f'<input type="hidden" name="csrf_token" value="{escape(generate_csrf())}">'
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
