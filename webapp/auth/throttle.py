"""Failed logins, counted in the limiter's storage: too many for one login from one address, or from one
address whatever the logins, and that pair (or that address) waits. Only failures count.

The check, the password test and the count of a failure run under a lock per address (striped), so parallel
attempts from one address cannot all pass the check before any failure is counted. The lock is per process:
`make run` serves with one process (threads); several processes or hosts share counts through
RATELIMIT_STORAGE_URI (Redis), where at most one attempt per process can slip through at once."""
import math
import threading
import time
from contextlib import contextmanager
from zlib import crc32

from flask import current_app
from limits import RateLimitItemPerMinute

from webapp.errors import Refused
from webapp.extensions import limiter
from webapp.i18n import ngettext
from webapp.text import fold


def _limits(login: str, address: str) -> list[tuple[RateLimitItemPerMinute, tuple[str, ...]]]:
    """Each limit with the identifiers it counts under: (login, address) first, then the address alone."""
    config = current_app.config
    minutes = config["LOGIN_FAILURE_MINUTES"]
    return [
        (RateLimitItemPerMinute(config["LOGIN_FAILURES_PER_LOGIN"], minutes, namespace="login-failures"),
         (fold(login), address)),
        (RateLimitItemPerMinute(config["LOGIN_FAILURES_PER_ADDRESS"], minutes, namespace="address-failures"),
         (address,)),
    ]


_LOCKS = tuple(threading.Lock() for _ in range(64))


@contextmanager
def attempt(address: str | None):
    """Hold the address's lock while checking, testing the password and counting a failure."""
    lock = _LOCKS[crc32((address or "unknown").encode()) % len(_LOCKS)]
    with lock:
        yield


def check_login_allowed(login: str, address: str | None) -> None:
    """Refuse (429, with Retry-After) a login attempt for a pair or an address that failed too often."""
    address = address or "unknown"
    waits = [limiter.limiter.get_window_stats(item, *keys).reset_time - time.time()
             for item, keys in _limits(login, address) if not limiter.limiter.test(item, *keys)]
    if not waits:
        return
    seconds = max(1, math.ceil(max(waits)))
    minutes = math.ceil(seconds / 60)
    raise Refused(ngettext("Too many failed logins. Try again in %(num)d minute.",
                           "Too many failed logins. Try again in %(num)d minutes.", minutes),
                  429, retry_after=seconds)


def count_failure(login: str, address: str | None) -> None:
    address = address or "unknown"
    for item, keys in _limits(login, address):
        limiter.limiter.hit(item, *keys)


def forget_failures(login: str, address: str | None) -> None:
    """After a successful login, the person's earlier typos from here no longer count (the address's do)."""
    item, keys = _limits(login, address or "unknown")[0]
    limiter.limiter.clear(item, *keys)
