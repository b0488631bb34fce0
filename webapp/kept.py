"""Kept: values built once per key and kept across requests, at most `size` of them.

For what a page builds again and again from the same inputs (a list's SQL statement, the frame, the sidebar, a
filter's options): the key holds every input the value depends on, so a kept value is never stale. When full,
everything is forgotten at once: the keys in use come back on the next requests (no bookkeeping per read).

Kept HTML holds the stand-in CSRF instead of the session's CSRF token; with_csrf() puts the token in."""
import time

from flask import current_app, g, session
from flask_wtf.csrf import generate_csrf
from markupsafe import escape

# Every value written into kept HTML is escaped, so no value can hold a raw "<": the stand-in is unambiguous.
CSRF = "<csrf/>"


def with_csrf(html: str) -> str:
    """Kept HTML with the request's CSRF token in place of each stand-in."""
    return html.replace(CSRF, escape(csrf_token()))


# A session's signed CSRF token, kept for a minute: signing it (a serializer, a derived key, JSON, base64) was a
# fifth of a list page's rendering, on every page. The same signed token is as valid as a fresh one: it is checked
# against the session's token, and against the time limit from its signing: there is none here (config.py ties
# the token to the session); with one configured, each page signs its own.
SIGNED_FOR = 60
_SIGNED: dict = {}
_SIGNED_MAX = 4096


def csrf_token() -> str:
    """The request's signed CSRF token, as Flask-WTF's generate_csrf() gives it (and on g where its forms find it),
    the one signed for this session less than SIGNED_FOR seconds ago if there is one."""
    token = g.get("csrf_token")
    if token is not None:
        return token
    config = current_app.config
    if config.get("WTF_CSRF_TIME_LIMIT") is not None:  # a token must then be as fresh as its page
        return generate_csrf()
    key = (session.get("csrf_token"), config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key)
    signed = _SIGNED.get(key) if key[0] is not None else None
    now = time.monotonic()
    if signed is not None and now - signed[0] < SIGNED_FOR:
        g.csrf_token = signed[1]  # where generate_csrf() looks first (the default field name, which we keep)
        return signed[1]
    token = generate_csrf()
    if len(_SIGNED) >= _SIGNED_MAX:
        _SIGNED.clear()
    _SIGNED[(session["csrf_token"], key[1])] = (now, token)
    return token


class Kept:
    def __init__(self, size: int):
        self.size = size
        self._values: dict = {}

    def get(self, key, build):
        """The value for `key`, built by build() the first time."""
        value = self._values.get(key)
        if value is None:
            if len(self._values) >= self.size:
                self._values.clear()
            value = self._values[key] = build()
        return value
