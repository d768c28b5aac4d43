"""One webhook delivery attempt: signed, sent to the address that was checked, recorded.

The body is the one stored when the change happened; ``webhook-id`` is the
delivery's id on every attempt (receivers tell a retry by it) and
``webhook-timestamp`` the attempt's time, both signed with the endpoint's
secret per the Standard Webhooks specification (the ``standardwebhooks``
package). Redirects are not followed: a receiver that moved is a failure the
host sees in the log.
"""
from __future__ import annotations

import http.client
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import insert, select
from standardwebhooks.webhooks import Webhook

from ..db import db, write
from ..i18n import gettext as _
from ..models import WebhookAttempt, WebhookEndpoint, utcnow
from ..transport import DeliveryError
from . import addresses

USER_AGENT = "organizer-webhooks/1"
# What a receiver answered is kept this long in the log: enough to see why.
_EXCERPT = 300


@dataclass
class Target:
    """What an attempt needs of its endpoint, read before the network is touched."""

    url: str
    secret: str
    paused_at: object
    pause_reason: str


def target(endpoint_id: int) -> Target | None:
    """The endpoint's address and secret, or None when it was deleted."""
    row = db.session.execute(select(WebhookEndpoint.url, WebhookEndpoint.secret,
                                    WebhookEndpoint.paused_at, WebhookEndpoint.pause_reason)
                             .where(WebhookEndpoint.id == endpoint_id)).first()
    return Target(*row) if row else None


def headers(delivery_id: str, secret: str, body: bytes, when=None) -> dict[str, str]:
    """The Standard Webhooks headers signing ``body`` for one attempt."""
    when = when or utcnow()
    return {"webhook-id": delivery_id, "webhook-timestamp": str(int(when.timestamp())),
            "webhook-signature": Webhook(secret).sign(delivery_id, when, body.decode()),
            "content-type": "application/json", "user-agent": USER_AGENT}


def post(message_id: int, delivery_id: str, to: Target, body: bytes) -> None:
    """Send one attempt and record it; :class:`DeliveryError` with a sentence when the
    receiver did not answer 2xx."""
    started = time.monotonic()
    code = None
    try:
        code, reason = _send(to.url, headers(delivery_id, to.secret, body), body)
    except addresses.Refused as refused:
        error = DeliveryError(str(refused))
    except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
        error = DeliveryError(_network_sentence(exc))
    else:
        error = None if 200 <= code < 300 else DeliveryError(_answered(code, reason))
    elapsed = int((time.monotonic() - started) * 1000)
    with write() as session:
        session.connection().execute(insert(WebhookAttempt.__table__).values(
            message_id=message_id, attempted_at=utcnow(), status_code=code,
            duration_ms=elapsed, error=str(error or "")[:500]))
    if error is not None:
        raise error


def _answered(code: int, reason: str) -> str:
    """What a receiver's answer other than 2xx means, for the host."""
    answer = f"{code} {reason}".rstrip()
    if 300 <= code < 400:
        return _("The endpoint answered %(answer)s (redirects are not followed: give the "
                 "final address).", answer=answer)
    return _("The endpoint answered %(answer)s.", answer=answer)


def _network_sentence(exc: Exception) -> str:
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return _("The endpoint did not answer in time.")
    if isinstance(exc, ConnectionRefusedError):
        return _("The endpoint refused the connection (nothing is listening there).")
    if isinstance(exc, ssl.SSLError):
        return _("The endpoint's HTTPS certificate could not be verified.")
    return _("The endpoint could not be reached (%(error)s).", error=exc.__class__.__name__)


def _send(url: str, sent_headers: dict, body: bytes) -> tuple[int, str]:
    scheme, host, port = addresses.split(url)
    address = addresses.resolve(host, port)
    timeout = current_app.config["WEBHOOK_TIMEOUT_SECONDS"]
    if scheme == "https":
        connection = _PinnedHTTPS(host, address, port, timeout)
    else:
        connection = _PinnedHTTP(host, address, port, timeout)
    parts = urlsplit(url.strip())
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=body, headers=sent_headers)
        response = connection.getresponse()
        response.read(_EXCERPT)
        return response.status, response.reason or ""
    finally:
        connection.close()


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the address that was checked, whatever the name resolves to now."""

    def __init__(self, host: str, address: str, port: int, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """As :class:`_PinnedHTTP`, with TLS verified against the URL's host name."""

    def __init__(self, host: str, address: str, port: int, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)
