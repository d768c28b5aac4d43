"""Absolute URLs, always made from ``BASE_URL``; URL converters for ids and secrets."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app
from werkzeug.routing import BaseConverter, IntegerConverter, MapAdapter


# The largest id a table's key holds on every database (INTEGER is 32 bits on PostgreSQL).
MAX_ID = 2**31 - 1


class BoundedInt(IntegerConverter):
    """``<int:...>`` that only matches ids a database column can hold.

    A 30-digit id in a URL is a plain 404, not an overflow deep in the driver.
    """

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


class Secret(BaseConverter):
    """``<secret:token>``: a path segment that is a secret (a private link, a station).

    It matches like a plain segment; the access log shows it as ``…``.
    """


def external_url(endpoint: str, **values) -> str:
    """An absolute URL for ``endpoint`` on the public address ``BASE_URL``.

    Never from the request: a forged ``Host`` header must not put its own
    address into a mailed link, a calendar file or a QR code.
    """
    return _adapter(current_app).build(endpoint, values, force_external=True)


def _adapter(app: Flask) -> MapAdapter:
    configured = app.config["BASE_URL"]
    held = app.extensions.get("organizer.public_urls")
    if held is None or held[0] != configured:
        base = urlsplit(configured.rstrip("/"))
        held = (configured, app.url_map.bind(base.netloc, script_name=base.path or "/",
                                             url_scheme=base.scheme or "http"))
        app.extensions["organizer.public_urls"] = held
    return held[1]


def webcal(url: str) -> str:
    """The ``webcal://`` form of an http(s) feed URL, which calendar apps subscribe to."""
    for scheme in ("https://", "http://"):
        if url.startswith(scheme):
            return "webcal://" + url[len(scheme):]
    return url


def local_path(target: str) -> str | None:
    """``target`` when it is a path on this site, else None.

    An open redirect would help phishing: browsers read "/\\evil" or
    "/<tab>/evil" as another host, so anything but a plain path is refused.
    """
    parts = urlsplit(target)
    if (not target.startswith("/") or target.startswith("//") or "\\" in target
            or parts.scheme or parts.netloc or any(ord(ch) < 33 for ch in target)):
        return None
    return target
