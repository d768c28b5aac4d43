"""Ticket secrets and their QR codes.

A code holds only a URL with the ticket's secret: no name, no e-mail. The
secret uses an alphabet without look-alikes (no 0/o, 1/i/l), so door staff
can type it, and is 26 characters long: 31^26 ≈ 2^128.
"""
from __future__ import annotations

import io
import re
import secrets
from functools import lru_cache

import qrcode
import qrcode.image.svg
from sqlalchemy import select, update

from organizer.db import db, immediate
from organizer.models import Attendee, utcnow
from organizer.urls import external_url

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
    cleaned = code.strip().lower().replace("-", "").replace(" ", "")
    found = SECRET_RE.findall(cleaned.rsplit("/", 1)[-1]) or SECRET_RE.findall(cleaned)
    return found[-1] if len(found) >= 1 else None


def active(attendee: Attendee) -> Ticket | None:
    return db.session.scalar(select(Ticket).where(
        Ticket.attendee_id == attendee.id, Ticket.revoked_at.is_(None)))


def ticket_for(attendee: Attendee) -> Ticket | None:
    """The attendee's valid ticket, issued on first use; None unless they are going."""
    if attendee.status != "going":
        return None
    found = active(attendee)
    if found is not None:
        return found
    with immediate():
        found = active(attendee)  # someone may have issued it meanwhile
        if found is None:
            found = Ticket(attendee_id=attendee.id, event_id=attendee.event_id,
                           secret=new_secret())
            db.session.add(found)
    return found


def revoke(attendee_id: int) -> int:
    """Invalidate the attendee's tickets (cancelled, or re-issuing)."""
    result = db.session.execute(update(Ticket).where(
        Ticket.attendee_id == attendee_id, Ticket.revoked_at.is_(None))
        .values(revoked_at=utcnow()))
    return result.rowcount


def reissue(attendee: Attendee) -> Ticket | None:
    """A new code for the attendee; the old one stops working at once."""
    with immediate():
        revoke(attendee.id)
    return ticket_for(attendee)


def url(ticket: Ticket) -> str:
    """What the QR code holds."""
    return external_url("badges.ticket_landing", secret=ticket.secret)


@lru_cache(maxsize=4096)
def png(data: str, box_size: int = 10) -> bytes:
    """A QR code as PNG (made once per content: encoding costs milliseconds)."""
    # A quiet zone of four modules and a high error-correction level keep
    # codes readable on dark prints and worn badges.
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_Q, box_size=box_size,
                         border=4)
    code.add_data(data)
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()


@lru_cache(maxsize=4096)
def svg(data: str) -> bytes:
    """A QR code as SVG."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_Q, border=4,
                         image_factory=qrcode.image.svg.SvgPathFillImage)
    code.add_data(data)
    return code.make_image().to_string()
