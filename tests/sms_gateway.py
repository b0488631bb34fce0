"""A local HTTP SMS gateway for tests: it keeps every request it receives and answers with the status it is told."""
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    method: str
    path: str
    headers: dict
    body: bytes


class SmsGateway:
    """`gateway.url`, `gateway.requests`; `gateway.status` is the answer to the next requests."""

    def __init__(self, status: int = 200):
        self.requests: list[Received] = []
        self.status = status
        self.answer = b'{"ok": true}'
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def _receive(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                gateway.requests.append(Received(self.command, self.path, dict(self.headers.items()), body))
                self.send_response(gateway.status)
                if 300 <= gateway.status < 400:
                    self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(gateway.answer)))
                self.end_headers()
                self.wfile.write(gateway.answer)

            do_GET = do_POST = _receive

            def log_message(self, *args):  # quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/send"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> "SmsGateway":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
