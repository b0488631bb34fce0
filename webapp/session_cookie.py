"""Flask's signed session cookie, each cookie checked once.

A browser sends the same session cookie on every request until something in its session changes, and Flask
checked it anew each time: a serializer built, a key derived, the HMAC, base64, zlib and tagged JSON, some 80 µs
of every request (a tenth of the client's pages). Here a cookie that passed the check is kept with what it holds
and when it was signed (the last KEPT of them per worker), and the same cookie again costs a dictionary lookup:

- the key is the cookie's exact text and the secret key it was checked with: a forged or altered cookie is never
  found, and a cookie kept under another secret is checked afresh;
- the session's lifetime is still applied, from the time the cookie was signed, as Flask applies it;
- each request gets a session of its own, a copy: a change made by one request never reaches what is kept; and
  only sessions holding plain values (texts, numbers, flags) are kept, so no request can change a kept value
  in place (a session with flashed messages, which are a list, is checked the ordinary way).
"""
import time

from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

KEPT = 4096
_PLAIN = (str, int, float, bool, type(None))


def _plain(data: dict) -> bool:
    return all(isinstance(value, _PLAIN) for value in data.values())


class KeptCookieSessions(SecureCookieSessionInterface):
    def __init__(self):
        self._kept: dict = {}

    def open_session(self, app, request):
        value = request.cookies.get(self.get_cookie_name(app))
        if not value or not app.secret_key:
            return super().open_session(app, request)
        max_age = int(app.permanent_session_lifetime.total_seconds())
        key = (value, app.secret_key)
        kept = self._kept.get(key)
        if kept is not None:
            signed_at, data = kept
            if time.time() - signed_at <= max_age:
                return self.session_class(data)
            self._kept.pop(key, None)  # another thread may have dropped it already
        try:
            data, signed = self.get_signing_serializer(app).loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if _plain(data):
            if len(self._kept) >= KEPT:
                self._kept.clear()
            self._kept[key] = (signed.timestamp(), data)
        return self.session_class(data)
