"""Checking people in at the door: one stored check-in per ticket, whatever the race.

Every scan is answered with one of: ``checked_in``, ``already`` (when, at
which station), ``unknown`` (not a ticket), ``revoked`` (an old code),
``other_event``, ``cancelled``, ``waiting``, ``pending``, ``declined``.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, case, func, insert, select

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


@dataclass(frozen=True)
class Door:
    """What a scan needs of its station, read in one plain query (see :func:`door`)."""

    id: int
    event_id: int
    name: str
    zone: ZoneInfo


_stations, _events = Station.__table__, Event.__table__
# Core, not ORM: the station is looked up on every scan, and only read.
_DOOR = (select(_stations.c.id, _stations.c.event_id, _stations.c.name, _events.c.timezone)
         .join(_events, _events.c.id == _stations.c.event_id)
         .where(_stations.c.secret == bindparam("secret"), _stations.c.kind == "door",
                _stations.c.revoked_at.is_(None)))


def door(secret: str) -> Door | None:
    """The working door station with link ``secret``, or None (unknown or revoked)."""
    row = db.session.execute(_DOOR, {"secret": secret}).first()
    return None if row is None else Door(row.id, row.event_id, row.name, ZoneInfo(row.timezone))


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
            event: Event | None = None, station_name: str | None = None,
            zone=None) -> Answer:
    answer = Answer(result=result, message=MESSAGES[result])
    if attendee is not None:
        answer.name, answer.organisation = attendee.name, attendee.organisation
        answer.guests = attendee.guests
    if checkin is not None:
        zone = zone or checkin.attendee.event.zone
        answer.at = checkin.at.astimezone(zone).strftime("%H:%M")
        if station_name is None:
            station_name = checkin.station.name if checkin.station else "the host"
        answer.station = station_name
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


def check_in(station: Station | Door, attendee: Attendee, nonce: str | None) -> Answer:
    """Check ``attendee`` in at ``station`` (already verified to be its event).

    The busy path is short: one conditional UPDATE (which re-checks under the
    write lock that the person is still going and not yet in) and one INSERT.
    Only a scan that did not win reads more, to say why.
    """
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
    record = None
    # The UPDATE re-checks status and arrival itself: what was read stays loaded.
    with immediate(keep_loaded=True):
        now = utcnow()
        if attendees.stage_check_in(attendee, now):
            # A plain INSERT (no unit of work): the record is only read back as its id.
            values = {"attendee_id": attendee.id, "event_id": attendee.event_id,
                      "station_id": station.id, "nonce": nonce or None, "at": now,
                      "undone_at": None}
            result = db.session.connection().execute(insert(CheckIn.__table__), values)
            record = CheckIn(id=result.inserted_primary_key[0], **values)
    if record is not None:
        return _answer("checked_in", attendee, record, station_name=station.name,
                       zone=station.zone)
    # Someone cancelled a moment ago, or another door was faster.
    db.session.refresh(attendee)
    if attendee.status != "going":
        return _status_answer(attendee)
    return _answer("already", attendee, latest(attendee.id))


def scan(station: Station | Door, code: str, nonce: str | None = None) -> Answer:
    """Answer a scanned or typed code at ``station``."""
    secret = tickets.secret_in(code)
    if secret is None:
        return _answer("unknown")
    # The ticket and its holder in one query: the door's busiest read.
    found = db.session.execute(
        select(Ticket, Attendee).join(Attendee, Attendee.id == Ticket.attendee_id)
        .where(Ticket.secret == secret)).first()
    if found is None:
        return _answer("unknown")
    ticket, attendee = found
    if ticket.event_id != station.event_id:
        return _answer("other_event", event=db.session.get(Event, ticket.event_id))
    if ticket.revoked_at is not None:
        return _answer("revoked", attendee)
    return check_in(station, attendee, nonce)


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
