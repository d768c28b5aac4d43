"""The project's own fixtures. The app, client, host, event and attendee fixtures and
the form helpers come from :mod:`organizer.testing`, the pytest plugin installed with
the package for every plugin's test suite; they are re-exported here for the tests'
imports.
"""
from __future__ import annotations

import http.server
import threading

import pytest

from organizer.testing import (
    PASSWORD, PG_URL, truncate_pg, body_text, create_event, csrf_token, event_form, make_app,
    outbox, post, signin, signup)

__all__ = ["PASSWORD", "PG_URL", "truncate_pg", "body_text", "create_event", "csrf_token",
           "event_form", "make_app", "outbox", "post", "signin", "signup"]


@pytest.fixture
def listener():
    """A local web server that records every request it gets."""
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", seen
    server.shutdown()
    server.server_close()
