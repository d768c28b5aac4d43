"""One rate limiter for the app and its plugins (Flask-Limiter).

Limits are counted per client address in ``RATELIMIT_STORAGE_URI``:
memory by default, Redis when several app servers share the load.
Plugins decorate their views with ``@limiter.limit(...)``.
"""
from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address)


def init_app(app: Flask) -> None:
    """Attach the limiter to ``app`` (its storage is per app)."""
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)
