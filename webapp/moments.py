"""Moments as people read them: in the viewer's time zone (a client's own, a staff member's from My profile,
else the time zone of the settings, else the server's), 24-hour in both languages, and how long is left until a deadline."""
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import g, has_request_context
from flask_login import current_user

from webapp.i18n import current_language
from webapp.i18n import gettext as _


def viewer_timezone() -> str:
    """The IANA zone dates are shown in for the current viewer."""
    if has_request_context():
        cached = g.get("_viewer_zone")
        if cached:
            return cached
    zone = None
    user = current_user._get_current_object() if has_request_context() else None
    if user is not None and user.is_authenticated:
        zone = user.timezone
    if not zone:
        from webapp.errors import database_down
        from webapp.hours.service import server_timezone
        from webapp.settings.service import default_timezone

        zone = server_timezone() if has_request_context() and database_down() else default_timezone()
    if has_request_context():
        g._viewer_zone = zone
    return zone


def as_utc(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive values for aware columns: they were stored in UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def local(moment: datetime, zone: str | None = None) -> datetime:
    return as_utc(moment).astimezone(ZoneInfo(zone or viewer_timezone()))


def format_moment(moment: datetime | None, zone: str | None = None) -> str:
    """"2026-11-26 18:05 CET": the viewer's wall time and the zone's abbreviation."""
    if moment is None:
        return ""
    wall = local(moment, zone)
    return f"{wall:%Y-%m-%d %H:%M} {wall.tzname()}"


class TimeLeft:
    """time_left() for a whole page: the five phrases translated once, not twice a row."""

    def __init__(self):
        self.days, self.hours, self.minutes = _("%(days)d d %(hours)d h"), _("%(hours)d h %(minutes)d min"), \
            _("%(minutes)d min")
        self.left, self.late = _("%(span)s left"), _("overdue by %(span)s")

    def span_of(self, minutes: int) -> str:
        days, rest = divmod(minutes, 24 * 60)
        hours, minutes = divmod(rest, 60)
        if days >= 2:
            return self.days % {"days": days, "hours": hours}
        hours += days * 24
        if hours:
            return self.hours % {"hours": hours, "minutes": minutes}
        return self.minutes % {"minutes": minutes}

    def __call__(self, due: datetime, now: datetime) -> str:
        return self.text(*minutes_left(due, now))

    def text(self, late: bool, minutes: int) -> str:
        """The phrase for minutes_left()'s answer."""
        return (self.late if late else self.left) % {"span": self.span_of(minutes)}


MINUTE = timedelta(minutes=1)
_ROUND_UP = timedelta(seconds=59)


def minutes_left(due: datetime, now: datetime) -> tuple[bool, int]:
    """(late, minutes): the whole minutes left, rounded up ("1 min left" until the very end), or the whole minutes
    since the deadline passed. Everything time_left() says depends only on this pair."""
    if due > now:
        return False, (due - now + _ROUND_UP) // MINUTE
    return True, (now - due) // MINUTE


def time_left(due: datetime | None, now: datetime | None = None) -> str:
    """"3 h 20 min left" or "overdue by 1 h 5 min" (the phrases translated once a request: a list asks per row)."""
    if due is None:
        return ""
    phrases = None
    if has_request_context():
        phrases = g.get("_time_left")
        if phrases is None or phrases[0] != current_language():
            phrases = g._time_left = (current_language(), TimeLeft())
    return (phrases[1] if phrases else TimeLeft())(as_utc(due), now or datetime.now(UTC))


def is_overdue(due: datetime | None, now: datetime | None = None) -> bool:
    return due is not None and as_utc(due) <= (now or datetime.now(UTC))


def file_size(size: int) -> str:
    """"812 bytes", "14.2 KB", "1.9 MB" in the viewer's language."""
    from flask_babel import format_decimal

    if size < 1024:
        return _("%(num)s bytes", num=size)
    if size < 1024 * 1024:
        return _("%(num)s KB", num=format_decimal(round(size / 1024, 1)))
    return _("%(num)s MB", num=format_decimal(round(size / 1024 / 1024, 1)))
