"""Ticket secrets and their QR codes.

A code holds only a URL with the ticket's secret, its event's id and their
signature (see :mod:`.signing`): no name, no e-mail. The secret uses an
alphabet without look-alikes (no 0/o, 1/i/l), so door staff can type it,
and is 26 characters long: 31^26 ≈ 2^128. Codes printed before tickets were
signed hold the URL with the secret alone, and stay valid.
"""
from __future__ import annotations

import io
import re
import secrets
from functools import lru_cache

import numpy
import qrcode
from PIL import Image
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from organizer.plugin_api import (Attendee, AttendeeStatus, db, external_url, insert_loaded,
                                  utcnow, write)

from . import signing
from .models import Ticket

ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
LENGTH = 26
SECRET_RE = re.compile(rf"(?<![{ALPHABET}])([{ALPHABET}]{{{LENGTH}}})(?![{ALPHABET}])")


def new_secret() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def secret_in(code: str) -> str | None:
    """The ticket secret in what a scanner read (a URL or the typed secret), or None."""
    if not code or len(code) > 500:
        return None
    signed = signing.parse(code)
    if signed is not None:
        return signed.secret
    if signing.carries_signature(code):
        return None  # a signed code cut short or altered: not a code we made
    # Typed, or read by a scanner that changed the case (whose signature then means
    # nothing): the secret, in the path, before any query.
    cleaned = code.strip().lower().split("?", 1)[0].replace("-", "").replace(" ", "")
    found = SECRET_RE.findall(cleaned.rsplit("/", 1)[-1]) or SECRET_RE.findall(cleaned)
    return found[-1] if len(found) >= 1 else None


def active(attendee: Attendee) -> Ticket | None:
    return db.session.scalar(select(Ticket).where(
        Ticket.attendee_id == attendee.id, Ticket.revoked_at.is_(None)))


def ticket_for(attendee: Attendee, just_confirmed: bool = False) -> Ticket | None:
    """The attendee's valid ticket, issued on first use; None unless they are going.

    ``just_confirmed``: the person has just been given a seat, so they most
    likely have no ticket yet; one is issued without looking first.
    """
    if attendee.status != AttendeeStatus.GOING:
        return None
    if not just_confirmed:
        found = active(attendee)
        if found is not None:
            return found
    secret = new_secret()
    # Signing and encoding are done here, outside the write lock, and stored,
    # so badge sheets and mails never encode a code again.
    code = code_image(url_for_secret(secret, attendee.event_id))
    try:
        with write():
            return insert_loaded(Ticket(attendee_id=attendee.id, event_id=attendee.event_id,
                                        secret=secret, code=code))
    except IntegrityError:
        # Another request issued one meanwhile (one valid ticket a person:
        # a unique index), so that one is the ticket.
        return active(attendee)


def revoke(attendee_id: int) -> int:
    """Invalidate the attendee's tickets (cancelled, or re-issuing)."""
    result = db.session.execute(update(Ticket).where(
        Ticket.attendee_id == attendee_id, Ticket.revoked_at.is_(None))
        .values(revoked_at=utcnow()))
    return result.rowcount


def reissue(attendee: Attendee) -> Ticket | None:
    """A new code for the attendee; the old one stops working at once."""
    with write():
        revoke(attendee.id)
    return ticket_for(attendee, just_confirmed=True)


def url_for_secret(secret: str, event_id: int) -> str:
    """What the QR code of the ticket with ``secret`` for event ``event_id`` holds (signed)."""
    return external_url("badges.ticket_landing", secret=secret,
                        s=f"{event_id}.{signing.signature(event_id, secret)}")


def url(ticket: Ticket) -> str:
    """What the ticket's QR code holds (signed, even for a ticket first issued unsigned)."""
    return url_for_secret(ticket.secret, ticket.event_id)


def modules(data: str) -> numpy.ndarray:
    """``data`` as a QR code: a square of modules, True where dark, quiet zone included.

    Error-correction level Q and a quiet zone of four modules keep codes
    readable on dark prints and worn badges. A ticket's code is made once,
    when the ticket is issued, and stored; zxing-cpp reads codes at the door.
    """
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_Q, border=4)
    code.add_data(data)
    code.make(fit=True)
    return numpy.asarray(code.get_matrix(), dtype=bool)


def code_image(data: str) -> bytes:
    """``data`` as a QR code: a PNG of one pixel per module, quiet zone included.

    This is the code itself; pages, mails and PDFs scale it up without
    smoothing.
    """
    image = Image.fromarray(~modules(data))  # a 1-bit image: True is white
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def ticket_image(ticket: Ticket) -> bytes:
    """The ticket's stored code (tickets issued before codes were stored get one made)."""
    return ticket.code or code_image(url(ticket))


def ticket_png(ticket: Ticket, box_size: int = 10) -> bytes:
    """The ticket's code as a PNG for screens and mails."""
    return scaled(ticket_image(ticket), box_size)


@lru_cache(maxsize=4096)
def scaled(code: bytes, box_size: int = 10) -> bytes:
    """A one-pixel-per-module code (see :func:`code_image`) as a PNG ``box_size`` times larger."""
    image = Image.open(io.BytesIO(code))
    image = image.resize((image.width * box_size, image.height * box_size), Image.NEAREST)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@lru_cache(maxsize=256)
def png(data: str, box_size: int = 10) -> bytes:
    """Any text (a poster's URL) as a QR code PNG."""
    return scaled(code_image(data), box_size)


@lru_cache(maxsize=4096)
def svg(data: str) -> bytes:
    """A QR code as SVG: one path, one unit per module, drawn 1 mm a module."""
    dark = modules(data)
    size = len(dark)
    runs = []
    for y, row in enumerate(dark):
        # Each horizontal run of dark modules is one rectangle of the path.
        edges = numpy.flatnonzero(numpy.diff(numpy.concatenate(([0], row.astype(int), [0]))))
        for start, stop in zip(edges[::2], edges[1::2]):
            runs.append(f"M{start} {y}h{stop - start}v1h-{stop - start}z")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
            f'width="{size}mm" height="{size}mm" shape-rendering="crispEdges">'
            f'<rect width="{size}" height="{size}" fill="#fff"/>'
            f'<path fill="#000" d="{"".join(runs)}"/></svg>').encode()
