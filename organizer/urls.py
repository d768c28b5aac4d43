"""Absolute URLs that work inside a request and outside one (mail, CLI, jobs)."""
from __future__ import annotations

from flask import current_app, has_request_context, url_for
from werkzeug.routing import IntegerConverter


class BoundedInt(IntegerConverter):
    """``<int:...>`` that only matches ids a database column can hold.

    A 30-digit id in a URL is a plain 404, not an overflow deep in the driver.
    """

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


def external_url(endpoint: str, **values) -> str:
    """An absolute URL for ``endpoint``; uses ``BASE_URL`` when no request is active."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    base = current_app.config["BASE_URL"].rstrip("/")
    with current_app.test_request_context(base_url=base):
        return url_for(endpoint, _external=True, **values)


def webcal(url: str) -> str:
    """The ``webcal://`` form of an http(s) feed URL, which calendar apps subscribe to."""
    for scheme in ("https://", "http://"):
        if url.startswith(scheme):
            return "webcal://" + url[len(scheme):]
    return url
