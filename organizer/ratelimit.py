"""One rate limiter for the app and its plugins (Flask-Limiter).

Limits are counted per client address in ``RATELIMIT_STORAGE_URI``. When it
is unset or empty, counters live in ``<instance>/ratelimits.db``, a small
SQLite file every worker process of one server shares (see
``ratelimit_storage``); ``redis://…`` when several app servers share the
load; ``memory://`` counts in each process on its own.
Plugins decorate their views with ``@limiter.limit(...)``, or ``@unlimited``.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from . import ratelimit_storage

limiter = Limiter(key_func=get_remote_address)

COUNTER_FILE = "ratelimits.db"


def unlimited(view):
    """Exempt ``view`` from every rate limit, and let its requests skip the limiter at once.

    Flask-Limiter's own ``exempt`` still resolves every limit of each request
    only to find that none applies: a tenth of a door scan's time.
    """
    view.organizer_unlimited = True
    return limiter.exempt(view)


@limiter.request_filter
def _skip_unlimited() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "organizer_unlimited", False))


def init_app(app: Flask) -> None:
    """Attach the limiter to ``app`` (its storage is per app)."""
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = ratelimit_storage.uri_for(
            Path(app.instance_path) / COUNTER_FILE)
    limiter.init_app(app)
