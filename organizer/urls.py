"""Absolute URLs that work inside a request and outside one (mail, CLI, jobs)."""
from __future__ import annotations

from flask import current_app, has_request_context, url_for


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
