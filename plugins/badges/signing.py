"""Signed tickets: a door phone without the network can tell a real ticket from a made-up one.

Each event has its own Ed25519 key pair. A ticket's code carries, beside its
secret, the event's id and a signature of both; a station holds the event's
public key in its copy and verifies a ticket it has never seen (one issued
after its last refresh). The server itself needs no signature: it knows
every secret it issued, so a code's secret decides there, as it does for
the codes printed before tickets were signed.
"""
from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy.exc import IntegrityError

from organizer.plugin_api import db, write

from .models import EventKey

# Stations build the same message (station.js): change both or neither.
MESSAGE = "organizer-ticket/1/{event_id}/{secret}"
# ``/t/<secret>?s=<event id>.<signature>``: the signature is 64 bytes in unpadded base64url.
SIGNED_RE = re.compile(r"/t/([23456789a-hjkmnp-z]{26})\?s=([0-9]{1,12})\.([A-Za-z0-9_-]{86})$")


@dataclass(frozen=True)
class SignedCode:
    secret: str
    event_id: int
    signature: bytes


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_for(event_id: int) -> EventKey:
    """The event's key pair, made on first use (two requests at once end with one)."""
    found = db.session.get(EventKey, event_id)
    if found is not None:
        return found
    private = Ed25519PrivateKey.generate()
    try:
        with write():
            db.session.add(EventKey(event_id=event_id, private=private.private_bytes_raw(),
                                    public=private.public_key().public_bytes_raw()))
    except IntegrityError:
        pass  # another request made it first: that one is the key
    return db.session.get(EventKey, event_id, populate_existing=True)


def public_key(event_id: int) -> str:
    """The event's public key, as stations receive it (raw 32 bytes, base64url)."""
    return _b64(key_for(event_id).public)


def signature(event_id: int, secret: str) -> str:
    """The signature a ticket's code carries (base64url; the same every time)."""
    key = _private(key_for(event_id).private)
    return _b64(key.sign(MESSAGE.format(event_id=event_id, secret=secret).encode()))


@lru_cache(maxsize=64)
def _private(raw: bytes) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(raw)


def parse(code: str) -> SignedCode | None:
    """The signed parts of a scanned code, or None when it carries no (whole) signature."""
    found = SIGNED_RE.search((code or "").strip()[:500])
    if found is None:
        return None
    return SignedCode(found[1], int(found[2]), _unb64(found[3]))


def carries_signature(code: str) -> bool:
    """True when ``code`` has a signature part at all (whole or not)."""
    return "?s=" in (code or "")


def verify(public: bytes, signed: SignedCode) -> bool:
    """Whether ``signed`` was issued with the key whose public half is ``public``."""
    message = MESSAGE.format(event_id=signed.event_id, secret=signed.secret).encode()
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signed.signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True
