"""Who is asking: the host behind the request's API token."""
from __future__ import annotations

from flask import g, request

from ..db import READ_ONLY_METHODS, db
from ..models import Host
from . import idempotency, limits
from .problems import problem
from .tokens import authenticate


def authenticate_request():
    """A ``before_request`` for every API blueprint: a live token within its rate limit,
    and one that may write for anything but reading; else a 401, 403 or 429 with a
    sentence. Its reads are a transaction of their own, ended before the view runs."""
    if request.method in READ_ONLY_METHODS:
        # A read: the view's reads go on in the same transaction.
        return _check_token()
    g.organizer_own_transactions = True  # on SQLite the token's read takes no write lock
    try:
        return _check_token()
    finally:
        # The write that follows starts its own transaction, as the view says.
        db.session.commit()
        g.organizer_own_transactions = False


def _check_token():
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return problem(401, "Send your API token as “Authorization: Bearer <token>”. "
                            "Make one on the API tokens page of your account.")
    token = authenticate(secret.strip())
    if token is None:
        return problem(401, "This API token is not valid: it was revoked or never existed.")
    g.api_token = token
    refused = limits.count(token.id)
    if refused is not None:
        return refused
    if request.method not in ("GET", "HEAD", "OPTIONS") and token.scope != "write":
        return problem(403, "This token may only read. Make a read-and-write token to "
                            "change things.")
    return idempotency.begin(token.id)


def _after(response):
    return limits.headers(idempotency.finish(response))


def api_blueprint(name: str, import_name: str, description: str = ""):
    """A flask-smorest blueprint for API resources: every request needs a valid token
    (read-only tokens only read). ``name`` heads its section of the reference ("Door");
    no dots. Register it in the ``register_api`` hook."""
    from flask_smorest import Blueprint
    blueprint = Blueprint(name, import_name, description=description)
    blueprint.before_request(authenticate_request)
    blueprint.after_request(_after)
    blueprint.teardown_request(idempotency.abandon)
    return blueprint


def api_host():
    """The host whose token made this API request."""
    if "api_host" not in g:
        g.api_host = db.session.get(Host, g.api_token.host_id)
    return g.api_host


def api_host_id() -> int:
    """The id of the host whose token made this API request (no query)."""
    return g.api_token.host_id
