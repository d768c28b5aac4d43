"""A webhook receiver on this machine for the tests: it verifies every delivery's
signature with the ``standardwebhooks`` library and keeps what it got, in order."""
from __future__ import annotations

import http.server
import socket
import threading

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


class Receiver:
    """Listens on 127.0.0.1:<port>; ``stop()`` and ``start()`` again on the same port."""

    def __init__(self):
        self.secret: str | None = None
        self.received: list[dict] = []  # verified payloads with their webhook-id
        self.refused: list[str] = []    # why a delivery failed verification
        self.raw: list[dict] = []       # every delivery as it came: body and headers
        self.answer = 200
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/organizer?src=test"

    def start(self) -> None:
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.raw.append({"body": body, "headers": dict(self.headers)})
                try:
                    payload = Webhook(receiver.secret).verify(body, dict(self.headers))
                except WebhookVerificationError as exc:
                    receiver.refused.append(str(exc))
                    self.send_response(400)
                else:
                    receiver.received.append({**payload, "id": self.headers["webhook-id"],
                                              "path": self.path})
                    self.send_response(receiver.answer)
                self.end_headers()

            def log_message(self, *args):
                pass

        http.server.ThreadingHTTPServer.allow_reuse_address = True
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def types_for(self, email: str) -> list[str]:
        """The attendee.* types received about the guest with ``email``, in order."""
        return [p["type"] for p in self.received
                if p["type"].startswith("attendee.") and p["data"]["email"] == email]
