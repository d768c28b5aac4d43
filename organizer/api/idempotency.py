"""``Idempotency-Key`` on API writes: the same key and request get the first answer again.

A client that lost an answer (a timeout, a dropped connection) sends the
write again with the same key; the API replays what it answered the first
time instead of doing it twice. A key is the token's own, kept for
``KEEP_HOURS``; used for another request it is refused. A copy arriving
while the first is still being answered is told to wait (409). Answers of
5xx are not kept: the write did not happen, so a retry may do it.
"""
from __future__ import annotations

import hashlib
from datetime import timedelta

from flask import Response, g, request
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..db import db, write
from ..models import IdempotentRequest, utcnow
from .problems import problem

HEADER = "Idempotency-Key"
KEEP_HOURS = 24
_t = IdempotentRequest.__table__


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.path.encode(), request.get_data()):
        digest.update(part)
        digest.update(b"\0")
    return digest.hexdigest()


def begin(token_id: int):
    """Before a write with the header: reserve the key, or answer for it (a replay, or
    a sentence); None lets the write go ahead."""
    key = request.headers.get(HEADER)
    if key is None or request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    key = key.strip()
    if not key or len(key) > 255:
        return problem(400, "An Idempotency-Key is 1 to 255 characters: a UUID will do.")
    fingerprint = _fingerprint()
    now = utcnow()
    try:
        with write() as session:
            session.connection().execute(delete(_t).where(
                _t.c.token_id == token_id, _t.c.key == key,
                _t.c.created_at < now - timedelta(hours=KEEP_HOURS)))
            row_id = session.connection().execute(insert(_t).values(
                token_id=token_id, key=key, fingerprint=fingerprint, status_code=None,
                body=None, content_type="", location="", created_at=now)).inserted_primary_key[0]
    except IntegrityError:
        return _earlier(token_id, key, fingerprint)
    g.idempotency_row = row_id
    return None


def _earlier(token_id: int, key: str, fingerprint: str):
    row = db.session.execute(select(_t).where(_t.c.token_id == token_id,
                                              _t.c.key == key)).first()
    db.session.rollback()
    if row is None:  # it expired and was removed a moment ago: ask again
        return problem(409, "This Idempotency-Key was just released: send the request again.")
    if row.fingerprint != fingerprint:
        return problem(422, "This Idempotency-Key was used for a different request. Use a "
                            "new key for a new request.")
    if row.status_code is None:
        return problem(409, "The first request with this Idempotency-Key is still being "
                            "answered: try again in a moment.")
    response = Response(row.body, status=row.status_code, content_type=row.content_type)
    if row.location:
        response.headers["Location"] = row.location
    response.headers["Idempotent-Replayed"] = "true"
    return response


def finish(response):
    """After the write: keep its answer for the key (or free the key after a 5xx)."""
    row_id = g.pop("idempotency_row", None)
    if row_id is None:
        return response
    with write() as session:
        if response.status_code >= 500:
            session.connection().execute(delete(_t).where(_t.c.id == row_id))
        else:
            session.connection().execute(update(_t).where(_t.c.id == row_id).values(
                status_code=response.status_code, body=response.get_data(),
                content_type=response.content_type or "",
                location=response.headers.get("Location", "")[:500]))
    return response


def abandon(_exc=None) -> None:
    """The write failed with an error: free its key so a retry can do it."""
    row_id = g.pop("idempotency_row", None)
    if row_id is not None:
        db.session.rollback()
        with write() as session:
            session.connection().execute(delete(_t).where(_t.c.id == row_id))


def prune(now) -> int:
    """Forget keys older than ``KEEP_HOURS`` (due work)."""
    with write() as session:
        return session.connection().execute(delete(_t).where(
            _t.c.created_at < now - timedelta(hours=KEEP_HOURS))).rowcount
