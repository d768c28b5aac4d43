"""Checking people in at the door: one stored check-in per ticket, whatever the race.

Every scan is answered with one of: ``checked_in``, ``already`` (when, at
which station), ``unknown`` (not a ticket), ``revoked`` (an old code),
``other_event``, ``cancelled``, ``waiting``, ``pending``, ``declined``.
"""
from __future__ import annotations

from datetime import datetime
from dataclasses import dataclass, field
from typing import Callable
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, case, func, insert, select
from sqlalchemy.exc import IntegrityError

from organizer.plugin_api import (Attendee, AttendeeStatus, DoorMarker, Event, db, flatten,
                                  format_clock, gettext as _, hook, lazy_gettext as _l,
                                  stage_check_in, stage_undo_check_in, utcnow, write)

from . import tickets
from .models import CheckIn, Station, Ticket

# What the door staff read for each answer (in the language their station page speaks).
MESSAGES = {
    "checked_in": _l("Checked in"),
    "already": _l("Already checked in"),
    "unknown": _l("Not a ticket for this event"),
    "revoked": _l("This ticket was replaced or cancelled"),
    "other_event": _l("Ticket for another event"),
    "cancelled": _l("RSVP cancelled"),
    "waiting": _l("On the waiting list — not confirmed"),
    "pending": _l("Awaiting the host's approval"),
    "declined": _l("Declined by the host"),
}


def message(result: str) -> str:
    """The sentence the door staff read for the answer ``result``, in the language spoken."""
    return str(MESSAGES[result])


@dataclass(frozen=True)
class Door:
    """What a scan needs of its station, read with the ticket in one plain query."""

    id: int
    event_id: int
    name: str
    zone: ZoneInfo
    # The event's webhooks flag: whether a check-in here may be sent to a webhook.
    webhooks: bool = True


@dataclass(frozen=True)
class Holder:
    """The ticket holder as a scan reads them: a plain row, no ORM object."""

    id: int
    event_id: int
    name: str
    organisation: str
    guests: int
    status: str


@dataclass
class Answer:
    result: str
    message: str
    attendee_id: int | None = None
    name: str = ""
    organisation: str = ""
    guests: int = 0
    at: str = ""
    station: str = ""
    checkin_id: int | None = None
    event: str = ""
    # Other plugins' markers for this person (door_markers): {"text", "tone"} each.
    markers: list[dict] = field(default_factory=list)
    # When the check-in answered with happened (UTC); not sent to the station.
    when: datetime | None = None

    def json(self) -> dict:
        # By hand: dataclasses.asdict deep-copies, a twentieth of a scan's time.
        return {"result": self.result, "message": self.message,
                "attendee_id": self.attendee_id, "name": self.name,
                "organisation": self.organisation, "guests": self.guests, "at": self.at,
                "station": self.station, "checkin_id": self.checkin_id, "event": self.event,
                "markers": [dict(marker) for marker in self.markers]}


def _answer(result: str, attendee: Attendee | Holder | None = None,
            checkin: CheckIn | None = None,
            event: Event | None = None, station_name: str | None = None,
            zone=None) -> Answer:
    answer = Answer(result=result, message=message(result))
    if attendee is not None:
        answer.attendee_id = attendee.id
        answer.name, answer.organisation = attendee.name, attendee.organisation
        answer.guests = attendee.guests
    if checkin is not None:
        zone = zone or checkin.attendee.event.zone
        answer.at = format_clock(checkin.at.astimezone(zone))
        if station_name is None:
            station_name = checkin.station.name if checkin.station else _("the host")
        answer.station = station_name
        answer.checkin_id = checkin.id
        answer.when = checkin.at
    if event is not None:
        answer.event = event.title
    return answer


def latest(attendee_id: int) -> CheckIn | None:
    return db.session.scalar(select(CheckIn).where(
        CheckIn.attendee_id == attendee_id, CheckIn.undone_at.is_(None))
        .order_by(CheckIn.id.desc()).limit(1))


def _status_answer(person: Attendee) -> Answer:
    return _answer(person.status if person.status in MESSAGES else "unknown", person)


def _repeat(station: Station | Door, attendee,
            nonce: str | None) -> tuple[Answer | None, str | None]:
    """A retried request (same station, same nonce, same person) gets its first answer."""
    if not nonce:
        return None, None
    # A plain read first: nearly every request id is new, and then nothing is loaded.
    seen = db.session.connection().execute(_SEEN, {"station": station.id,
                                                   "nonce": nonce}).first()
    if seen is None:
        return None, nonce
    if seen.attendee_id == attendee.id and seen.undone_at is None:
        earlier = db.session.get(CheckIn, seen.id)
        return _answer("checked_in", earlier.attendee, earlier), nonce
    return None, None  # a nonce reused for something else carries no memory


_c = CheckIn.__table__
_SEEN = select(_c.c.id, _c.c.attendee_id, _c.c.undone_at).where(
    _c.c.station_id == bindparam("station"), _c.c.nonce == bindparam("nonce"))


def _arrive(station: Station | Door, attendee, nonce: str | None) -> CheckIn | None:
    """Inside the caller's write transaction: the conditional UPDATE (which re-checks that
    the person is still going and not yet in) and a plain INSERT of the record."""
    now = utcnow()
    listened = station.webhooks if isinstance(station, Door) else station.event.webhooks
    if not stage_check_in(attendee, now, webhooks_on=listened):
        return None
    values = {"attendee_id": attendee.id, "event_id": attendee.event_id,
              "station_id": station.id, "nonce": nonce or None, "at": now, "undone_at": None}
    result = db.session.connection().execute(insert(CheckIn.__table__), values)
    return CheckIn(id=result.inserted_primary_key[0], **values)


def _outcome(station: Station | Door, attendee, record: CheckIn | None) -> Answer:
    if record is not None:
        return _answer("checked_in", attendee, record, station_name=station.name,
                       zone=station.zone)
    # Someone cancelled a moment ago, or another door was faster.
    person = db.session.get(Attendee, attendee.id, populate_existing=True)
    if person.status != AttendeeStatus.GOING:
        return _status_answer(person)
    return _answer("already", person, latest(person.id))


def _settle(station: Station | Door, attendee, nonce: str | None) -> Answer | CheckIn | None:
    """Inside the caller's write transaction: the first answer to a retried request, the
    answer for someone not going, or else the arrival stored (None: someone was faster).

    The UPDATE re-checks status and arrival itself, so what was read before
    may stay loaded.
    """
    repeated, nonce = _repeat(station, attendee, nonce)
    if repeated is not None:
        return repeated
    if attendee.status != AttendeeStatus.GOING:
        return _status_answer(attendee)
    record = _arrive(station, attendee, nonce)
    if record is None and nonce:
        # Someone was faster; perhaps this very request, sent again at once. On
        # PostgreSQL the UPDATE waited for that copy's commit, and under READ
        # COMMITTED a new statement sees its check-in: answer with it. (On
        # SQLite the write lock already let _repeat see it.)
        repeated, _ = _repeat(station, attendee, nonce)
        if repeated is not None:
            return repeated
    return record


def _without_nonce(station: Station | Door, attendee) -> CheckIn | None:
    # The same nonce sent at once for two people (only a broken scanner does
    # that): the nonce carries no memory, the check-in still counts.
    with write(keep_loaded=True):
        return _arrive(station, attendee, None)


def _answered(station: Station | Door, attendee, settled: Answer | CheckIn | None) -> Answer:
    answer = settled if isinstance(settled, Answer) else _outcome(station, attendee, settled)
    return _with_markers(answer, attendee.id)


def _with_markers(answer: Answer, attendee_id: int) -> Answer:
    """Add what other plugins want the door to know about this person (after the
    scan's transaction; a scan with no such plugin loads nothing more)."""
    if hook().door_markers.get_hookimpls():
        person = db.session.get(Attendee, attendee_id)
        answer.markers = [{"text": marker.text, "tone": marker.tone} for marker in
                          flatten(hook().door_markers(attendee=person), DoorMarker)]
    return answer


def check_in(station: Station | Door, attendee: Attendee | Holder, nonce: str | None) -> Answer:
    """Check ``attendee`` in at ``station`` (already verified to be its event)."""
    try:
        with write(keep_loaded=True):
            settled = _settle(station, attendee, nonce)
    except IntegrityError:
        if not nonce:
            raise
        settled = _without_nonce(station, attendee)
    return _answered(station, attendee, settled)


# The station (with its event's zone) and the scanned ticket with its holder, in one
# Core (not ORM) query: a scan's whole read. The ticket side is empty when the secret
# is unknown.
_stations, _events = Station.__table__, Event.__table__
_tickets, _people = Ticket.__table__, Attendee.__table__
_SCAN = (select(_stations.c.id.label("station_id"), _stations.c.event_id.label("station_event"),
                _stations.c.name.label("station_name"), _events.c.timezone,
                _events.c.webhooks,
                _tickets.c.event_id.label("ticket_event"), _tickets.c.revoked_at,
                _people.c.id, _people.c.event_id, _people.c.name, _people.c.organisation,
                _people.c.guests, _people.c.status)
         .select_from(_stations.join(_events, _events.c.id == _stations.c.event_id)
                      .outerjoin(_tickets.join(_people, _people.c.id == _tickets.c.attendee_id),
                                 _tickets.c.secret == bindparam("ticket")))
         .where(_stations.c.secret == bindparam("station"), _stations.c.kind == "door",
                _stations.c.revoked_at.is_(None)))


def check_in_found(find: Callable[[], tuple[Door, Holder] | Answer | None],
                   nonce: str | None = None) -> Answer | None:
    """Check in whoever ``find()`` names, in one write transaction with the read.

    ``find`` runs first inside the transaction and returns the station and
    the holder (plain rows), or an :class:`Answer` to give instead, or None;
    then the conditional UPDATE and the INSERT follow. A separate read
    transaction before the lock would cost every scan a second BEGIN and
    COMMIT, more than the read itself.
    """
    station = holder = None
    try:
        with write(keep_loaded=True):
            found = find()
            if found is None or isinstance(found, Answer):
                return found
            station, holder = found
            settled = _settle(station, holder, nonce)
    except IntegrityError:
        if not nonce or holder is None:
            raise
        settled = _without_nonce(station, holder)
    return _answered(station, holder, settled)


def scan_at(station_secret: str, code: str, nonce: str | None = None) -> Answer | None:
    """Answer a code scanned at the door station ``station_secret``; None if that link
    does not work (unknown or revoked). One read: station, ticket and holder together."""
    secret = tickets.secret_in(code)

    def find():
        row = db.session.execute(
            _SCAN, {"station": station_secret, "ticket": secret or ""}).first()
        if row is None:
            return None
        station = Door(row.station_id, row.station_event, row.station_name,
                       ZoneInfo(row.timezone), row.webhooks)
        if secret is None or row.id is None:
            return _answer("unknown")
        holder = Holder(row.id, row.event_id, row.name, row.organisation, row.guests,
                        row.status)
        if row.ticket_event != station.event_id:
            return _answer("other_event", event=db.session.get(Event, row.ticket_event))
        if row.revoked_at is not None:
            return _answer("revoked", holder)
        return station, holder

    return check_in_found(find, nonce)


def undo(station: Station, checkin_id: int) -> bool:
    """Take back a check-in made at this event (a wrong person let in, say)."""
    with write():
        record = db.session.get(CheckIn, checkin_id, populate_existing=True)
        if record is None or record.event_id != station.event_id or record.undone_at:
            return False
        record.undone_at = utcnow()
        stage_undo_check_in(db.session.get(Attendee, record.attendee_id))
    return True


def counts(event_id: int) -> dict:
    """Checked in and expected, +1 guests included."""
    arrived_seats = case((Attendee.checked_in_at.is_not(None), 1 + Attendee.guests), else_=0)
    expected, arrived = db.session.execute(
        select(func.coalesce(func.sum(1 + Attendee.guests), 0),
               func.coalesce(func.sum(arrived_seats), 0))
        .where(Attendee.event_id == event_id, Attendee.status == AttendeeStatus.GOING)).one()
    return {"checked_in": int(arrived), "expected": int(expected)}
