"""Hosts' personal API tokens: made with ``secrets``, shown once, stored as a SHA-256."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, or_, select, update

from ..db import commit, db, write
from ..models import ApiToken, Host, utcnow

PREFIX = "org_"
SCOPES = {"read": "Read", "write": "Read and write"}
# A token's "last used" is written at most this often, not on every request.
TOUCH_EVERY = timedelta(minutes=1)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue(host: Host, name: str, scope: str) -> tuple[ApiToken, str]:
    """A new token for ``host``; returns the row and the secret (never stored, shown once)."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}")
    secret = PREFIX + secrets.token_urlsafe(32)  # 256 bits
    token = ApiToken(host_id=host.id, name=name, scope=scope, token_hash=_hash(secret),
                     prefix=secret[:len(PREFIX) + 6])
    db.session.add(token)
    commit()
    return token, secret


def of_host(host: Host) -> list[ApiToken]:
    """The host's tokens, newest first (revoked ones too, marked)."""
    return list(db.session.scalars(select(ApiToken).where(ApiToken.host_id == host.id)
                                   .order_by(ApiToken.id.desc())))


def revoke(host: Host, token_id: int) -> ApiToken | None:
    """Revoke one of ``host``'s tokens at once; None when it is not theirs."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.host_id != host.id:
        return None
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        commit()
    return token


@dataclass(frozen=True)
class Caller:
    """What a request knows of its token (a plain row: every API request reads it)."""

    id: int
    host_id: int
    scope: str
    last_used_at: datetime | None


_t = ApiToken.__table__
_LIVE = select(_t.c.id, _t.c.host_id, _t.c.scope, _t.c.last_used_at).where(
    _t.c.token_hash == bindparam("token_hash"), _t.c.revoked_at.is_(None))


def authenticate(secret: str) -> Caller | None:
    """The live token with this secret, its "last used" brought up to date; else None."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    row = db.session.connection().execute(_LIVE, {"token_hash": _hash(secret)}).first()
    if row is None:
        return None
    token = Caller(*row)
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        # A write like any other (on SQLite it queues for the lock); of many requests
        # at once, one writes and the others find it done.
        with write(keep_loaded=True):
            db.session.execute(update(ApiToken).where(
                ApiToken.id == token.id, or_(ApiToken.last_used_at.is_(None),
                                             ApiToken.last_used_at <= now - TOUCH_EVERY))
                .values(last_used_at=now).execution_options(synchronize_session=False))
    return token
