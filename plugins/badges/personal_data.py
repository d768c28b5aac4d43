"""What the door keeps about a person, for their export. Nothing here names anyone:
check-ins keep their times when the person is erased, so the host's figures stay."""
from __future__ import annotations

from sqlalchemy import select

from organizer.plugin_api import Attendee, db

from .models import CheckIn, Station, Ticket



def data(attendees: list[Attendee], whole: bool) -> dict:
    """Their tickets and every scan at the door, undone ones included."""
    ids = [a.id for a in attendees]
    titles = {a.id: a.event.title for a in attendees}
    tickets = db.session.scalars(select(Ticket).where(Ticket.attendee_id.in_(ids))
                                 .order_by(Ticket.id)).all()
    scans = db.session.execute(select(CheckIn, Station.name).outerjoin(
        Station, Station.id == CheckIn.station_id).where(CheckIn.attendee_id.in_(ids))
        .order_by(CheckIn.at)).all()
    return {
        "Tickets": [{"event": titles[t.attendee_id], "issued": t.issued_at,
                     "revoked": t.revoked_at} for t in tickets],
        "Check-ins": [{"event": titles[c.attendee_id], "at": c.at,
                       "station": station or "the host's screen",
                       "undone": c.undone_at} for c, station in scans],
    }
