"""Kept: values built once per key and kept across requests, at most `size` of them.

For what a page builds again and again from the same inputs (a list's SQL statement, the frame, the sidebar, a
filter's options): the key holds every input the value depends on, so a kept value is never stale. When full,
everything is forgotten at once: the keys in use come back on the next requests (no bookkeeping per read).

Kept HTML holds the stand-in CSRF instead of the session's CSRF token; with_csrf() puts the token in."""
from flask_wtf.csrf import generate_csrf
from markupsafe import escape

# Every value written into kept HTML is escaped, so no value can hold a raw "<": the stand-in is unambiguous.
CSRF = "<csrf/>"


def with_csrf(html: str) -> str:
    """Kept HTML with the request's CSRF token in place of each stand-in."""
    return html.replace(CSRF, escape(generate_csrf()))


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
