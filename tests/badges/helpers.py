"""Helpers for the badges tests: a going attendee, a station, scans as the station sends them."""
from __future__ import annotations

import io
import re

import zxingcpp
from PIL import Image
from sqlalchemy import select

from organizer.db import db
from organizer.models import Attendee

from ..conftest import post
from ..rsvp.helpers import make_event, person, rsvp


# QR codes only, as the door reads them: a reader looking for every format now and then
# also "finds" a Codabar in a QR code's modules.
QR = zxingcpp.BarcodeFormat.QRCode


def going_attendee(app, host_client, email="ben@example.org", capacity="10"):
    event = make_event(host_client, capacity=capacity)
    rsvp(app.test_client(), event, "Ben Guest", email)
    return event, person(event, email)


def station_secret(host_client, event, name="Door") -> str:
    from organizer_plugins.badges.models import Station
    post(host_client, f"/events/{event.id}/stations", {"name": name}, page="/dashboard")
    return db.session.scalars(select(Station).where(Station.event_id == event.id)
                              .order_by(Station.id.desc())).first().secret


def decode_png(data: bytes) -> str:
    [found] = zxingcpp.read_barcodes(Image.open(io.BytesIO(data)).convert("RGB"), formats=QR)
    return found.text


def decode_svg(data: bytes) -> str:
    """Draw an SVG code as a page would (through the PDF renderer) and decode it."""
    import base64

    import pypdfium2

    from organizer import pdf
    source = (f'<img style="width:60mm" src="data:image/svg+xml;base64,'
              f'{base64.b64encode(data).decode()}">')
    page = pypdfium2.PdfDocument(pdf.render(source))[0]
    [found] = zxingcpp.read_barcodes(page.render(scale=200 / 72).to_pil(), formats=QR)
    return found.text


def scan(client, secret: str, code: str, nonce: str | None = None):
    """A scan as the door phone sends it: the station's link is its only authority
    (no session cookie, no form token)."""
    data = {"code": code}
    if nonce:
        data["nonce"] = nonce
    return client.post(f"/station/{secret}/scan", data=data,
                       headers={"Accept": "application/json"})


def ticket_url(client, attendee: Attendee) -> str:
    return decode_png(client.get(f"/rsvp/{attendee.token}/ticket.png").data)


__all__ = ["going_attendee", "station_secret", "decode_png", "decode_svg", "scan", "ticket_url", "re"]
