"""Checking people in at the door: one stored check-in per ticket, whatever the race.

Every scan is answered with one of: ``checked_in``, ``already`` (when, at
which station), ``unknown`` (not a ticket), ``revoked`` (an old code),
``other_event``, ``cancelled``, ``waiting``, ``pending``, ``declined``.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import case, func, select

from organizer import attendees
from organizer.db import db, immediate
from organizer.models import Attendee, Event, utcnow

from . import tickets
from .models import CheckIn, Station, Ticket

MESSAGES = {
    "checked_in": "Checked in",
    "already": "Already checked in",
    "unknown": "Not a ticket for this event",
    "revoked": "This ticket was replaced or cancelled",
    "other_event": "Ticket for another event",
    "cancelled": "RSVP cancelled",
    "waiting": "On the waiting list — not confirmed",
    "pending": "Awaiting the host's approval",
    "declined": "Declined by the host",
}


@dataclass
class Answer:
    result: str
    message: str
    name: str = ""
    organisation: str = ""
    guests: int = 0
    at: str = ""
    station: str = ""
    checkin_id: int | None = None
    event: str = ""

    def json(self) -> dict:
        return asdict(self)


def _answer(result: str, attendee: Attendee | None = None, checkin: CheckIn | None = None,
            event: Event | None = None) -> Answer:
    answer = Answer(result=result, message=MESSAGES[result])
    if attendee is not None:
        answer.name, answer.organisation = attendee.name, attendee.organisation
        answer.guests = attendee.guests
    if checkin is not None:
        zone = checkin.attendee.event.zone
        answer.at = checkin.at.astimezone(zone).strftime("%H:%M")
        answer.station = checkin.station.name if checkin.station else "the host"
        answer.checkin_id = checkin.id
    if event is not None:
        answer.event = event.title
    return answer


def latest(attendee_id: int) -> CheckIn | None:
    return db.session.scalar(select(CheckIn).where(
        CheckIn.attendee_id == attendee_id, CheckIn.undone_at.is_(None))
        .order_by(CheckIn.id.desc()).limit(1))


def _status_answer(person: Attendee) -> Answer:
    return _answer(person.status if person.status in MESSAGES else "unknown", person)


def check_in(station: Station, attendee: Attendee, nonce: str | None) -> Answer:
    """Check ``attendee`` in at ``station`` (already verified to be its event)."""
    if nonce:
        earlier = db.session.scalar(select(CheckIn).where(
            CheckIn.station_id == station.id, CheckIn.nonce == nonce))
        if earlier is not None:
            if earlier.attendee_id == attendee.id and earlier.undone_at is None:
                # A retried request: the same answer as the first time.
                return _answer("checked_in", earlier.attendee, earlier)
            nonce = None  # a nonce reused for something else carries no memory
    if attendee.status != "going":
        return _status_answer(attendee)
    with immediate():
        # Re-read under the lock (a row lock on PostgreSQL): someone cancelled a
        # moment ago must not be let in on their old ticket.
        person = db.session.get(Attendee, attendee.id, populate_existing=True,
                                with_for_update=True)
        if person.status != "going":
            return _status_answer(person)
        if attendees.stage_check_in(person):
            record = CheckIn(attendee_id=person.id, event_id=person.event_id,
                             station_id=station.id, nonce=nonce or None, at=utcnow())
            db.session.add(record)
            db.session.flush()
            answer = _answer("checked_in", person, record)
        else:
            answer = _answer("already", person, latest(person.id))
    return answer


def scan(station: Station, code: str, nonce: str | None = None) -> Answer:
    """Answer a scanned or typed code at ``station``."""
    secret = tickets.secret_in(code)
    if secret is None:
        return _answer("unknown")
    ticket = db.session.scalar(select(Ticket).where(Ticket.secret == secret))
    if ticket is None:
        return _answer("unknown")
    if ticket.event_id != station.event_id:
        return _answer("other_event", event=db.session.get(Event, ticket.event_id))
    if ticket.revoked_at is not None:
        return _answer("revoked", ticket.attendee)
    return check_in(station, ticket.attendee, nonce)


def undo(station: Station, checkin_id: int) -> bool:
    """Take back a check-in made at this event (a wrong person let in, say)."""
    with immediate():
        record = db.session.get(CheckIn, checkin_id, populate_existing=True)
        if record is None or record.event_id != station.event_id or record.undone_at:
            return False
        record.undone_at = utcnow()
        person = db.session.get(Attendee, record.attendee_id, populate_existing=True)
        person.checked_in_at = None
    return True


def counts(event_id: int) -> dict:
    """Checked in and expected, +1 guests included."""
    arrived_seats = case((Attendee.checked_in_at.is_not(None), 1 + Attendee.guests), else_=0)
    expected, arrived = db.session.execute(
        select(func.coalesce(func.sum(1 + Attendee.guests), 0),
               func.coalesce(func.sum(arrived_seats), 0))
        .where(Attendee.event_id == event_id, Attendee.status == "going")).one()
    return {"checked_in": int(arrived), "expected": int(expected)}
