"""Who is asking: the host behind the request's API token."""
from __future__ import annotations

from flask import g, request

from .problems import problem
from .tokens import authenticate


def authenticate_request():
    """A ``before_request`` for every API blueprint: a live token, and one that may write
    for anything but reading; else a 401 or 403 with a sentence."""
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return problem(401, "Send your API token as “Authorization: Bearer <token>”. "
                            "Make one on the API tokens page of your account.")
    token = authenticate(secret.strip())
    if token is None:
        return problem(401, "This API token is not valid: it was revoked or never existed.")
    g.api_token = token
    g.api_host = token.host
    if request.method not in ("GET", "HEAD", "OPTIONS") and token.scope != "write":
        return problem(403, "This token may only read. Make a read-and-write token to "
                            "change things.")
    return None
