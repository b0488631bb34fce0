"""A local SMTP server for tests (aiosmtpd): it keeps every message it receives, parsed."""
import socket
import threading
import time
from email import policy
from email.parser import BytesParser

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def closed_port() -> int:
    """A port nothing listens on (bound and released: a connection there is refused)."""
    return free_port()


class Inbox:
    """aiosmtpd's handler: the messages received, parsed with policy.default (decoded headers)."""

    def __init__(self):
        self.messages = []
        self.envelopes = []
        self._received = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        message = BytesParser(policy=policy.default).parsebytes(envelope.content)
        with self._received:
            self.messages.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self._received.notify_all()
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 10) -> list:
        """Wait until `count` messages have arrived (or the timeout), and return them all."""
        deadline = time.monotonic() + timeout
        with self._received:
            while len(self.messages) < count and time.monotonic() < deadline:
                self._received.wait(deadline - time.monotonic())
            return list(self.messages)


class SmtpServer:
    """A running aiosmtpd server on a free local port."""

    def __init__(self):
        self.inbox = Inbox()
        self.host = "127.0.0.1"
        self.port = free_port()
        self._controller = Controller(self.inbox, hostname=self.host, port=self.port)

    @property
    def messages(self) -> list:
        return self.inbox.messages

    def start(self) -> "SmtpServer":
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()


def wait_until(condition, timeout: float = 10, interval: float = 0.05) -> bool:
    """Poll `condition` until it is true or the timeout passes; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)
