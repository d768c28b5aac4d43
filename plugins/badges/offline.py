"""The door without the network: the copy a station keeps, and the check-ins it sends back.

A station takes a copy of what its door needs (:func:`copy_for`): the guest
list, the hashes of valid and revoked ticket secrets, and the event's public
key, so it can check people in while the venue's network is down. What it
admitted meanwhile comes back in one batch (:func:`apply`): each scan is
applied once (by its request id), at the time it was made. A scan the
server cannot simply keep (someone admitted twice, an RSVP cancelled
meanwhile, a replaced ticket) becomes a :class:`~.models.DoorConflict`, which
both stations concerned and the host are told about.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from organizer.plugin_api import (MAX_ID, Attendee, AttendeeStatus, Event, db, format_clock,
                                  gettext as _, stage_check_in, utcnow, write)

from . import signing, tickets
from .models import CheckIn, DoorConflict, Station, Ticket

# How long after the event's end a station keeps its copy; it is wiped then.
KEEP_AFTER_END = timedelta(hours=6)
# The most scans one batch may carry (a station sends its queue in such slices).
MAX_BATCH = 1000
NONCE_RE = re.compile(r"[A-Za-z0-9_-]{8,64}")


class BadBatch(ValueError):
    """The batch as a whole cannot be read; ``str(error)`` says why."""


def secret_hash(secret: str) -> str:
    """What a station's copy holds instead of a ticket's secret (128 bits of its SHA-256):
    enough to recognise a code, useless for making one."""
    return hashlib.sha256(secret.encode()).hexdigest()[:32]


def keep_until(event: Event) -> datetime:
    return event.ends_at + KEEP_AFTER_END


def is_over(event: Event) -> bool:
    """True once a station must no longer hold a copy of this event's guest list."""
    return utcnow() >= keep_until(event)


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(timezone.utc).isoformat() if moment else None


def copy_for(station: Station) -> dict:
    """Everything the station's door needs to work without the network, as JSON."""
    event = station.event
    people = db.session.execute(
        select(Attendee.id, Attendee.name, Attendee.organisation, Attendee.guests,
               Attendee.status, Attendee.checked_in_at)
        .where(Attendee.event_id == event.id).order_by(Attendee.name, Attendee.id)).all()
    where = dict(db.session.execute(
        select(CheckIn.attendee_id, Station.name)
        .outerjoin(Station, Station.id == CheckIn.station_id)
        .where(CheckIn.event_id == event.id, CheckIn.undone_at.is_(None))
        .order_by(CheckIn.id)).all())
    host = _("the host")  # where someone was checked in without a station
    valid, revoked = {}, []
    for secret, attendee_id, revoked_at in db.session.execute(
            select(Ticket.secret, Ticket.attendee_id, Ticket.revoked_at)
            .where(Ticket.event_id == event.id)):
        if revoked_at is None:
            valid[secret_hash(secret)] = attendee_id
        else:
            revoked.append(secret_hash(secret))
    return {
        "station": {"id": station.id, "name": station.name},
        "event": {"id": event.id, "title": event.title, "zone": event.timezone,
                  "starts_at": _iso(event.starts_at), "ends_at": _iso(event.ends_at)},
        "key": signing.public_key(event.id),
        "keep_until": _iso(keep_until(event)),
        "server_time": _iso(utcnow()),
        "people": [{"id": p.id, "name": p.name, "organisation": p.organisation,
                    "guests": p.guests, "status": p.status, "in": _iso(p.checked_in_at),
                    "where": (where.get(p.id) or host) if p.checked_in_at else None}
                   for p in people],
        "tickets": valid,
        "revoked": revoked,
        "notices": notices(station),
    }


@dataclass
class Scan:
    """One admission a station made without the network."""

    nonce: str
    at: datetime
    code: str | None = None
    attendee_id: int | None = None
    # Filled in while applying.
    holder: object | None = None
    problem: str | None = None  # "unknown", "revoked"


def read_batch(body, station: Station) -> tuple[list[Scan], list[dict]]:
    """The scans of a sync request, and answers for the ones that cannot be read."""
    if not isinstance(body, dict) or not isinstance(body.get("scans"), list):
        raise BadBatch("Send JSON with a list of scans.")
    if len(body["scans"]) > MAX_BATCH:
        raise BadBatch(f"Send at most {MAX_BATCH} scans at a time.")
    scans, refused = [], []
    latest = utcnow()
    for item in body["scans"]:
        nonce = item.get("nonce") if isinstance(item, dict) else None
        if not isinstance(nonce, str) or not NONCE_RE.fullmatch(nonce):
            refused.append({"nonce": nonce if isinstance(nonce, str) else None,
                            "result": "invalid", "message": "This scan has no request id."})
            continue
        try:
            at = datetime.fromisoformat(str(item.get("at", "")))
        except ValueError:
            at = None
        code, attendee_id = item.get("code"), item.get("attendee_id")
        if at is None or at.tzinfo is None or not (
                isinstance(code, str) or (isinstance(attendee_id, int)
                                          and not isinstance(attendee_id, bool))):
            refused.append({"nonce": nonce, "result": "invalid",
                            "message": "This scan has no time or no person."})
            continue
        # The station's clock, corrected by the server's at its last copy, may still
        # be off: never later than now, never before the station existed.
        at = max(min(at.astimezone(timezone.utc), latest), station.created_at)
        if isinstance(attendee_id, int) and not 0 < attendee_id <= MAX_ID:
            attendee_id = 0  # no such person: a conflict of kind "unknown"
        scans.append(Scan(nonce, at, code[:500] if isinstance(code, str) else None,
                          attendee_id if isinstance(attendee_id, int) else None))
    return scans, refused


_people = Attendee.__table__


def _holders(event_id: int, scans: list[Scan]) -> None:
    """Find whom each scan admitted: plain rows, two queries for the whole batch."""
    by_secret = {}
    for scan in scans:
        if scan.code is not None:
            secret = tickets.secret_in(scan.code)
            if secret is None:
                scan.problem = "unknown"
            else:
                by_secret.setdefault(secret, []).append(scan)
    columns = (_people.c.id, _people.c.event_id, _people.c.name, _people.c.status,
               _people.c.checked_in_at)
    if by_secret:
        rows = db.session.execute(
            select(Ticket.secret, Ticket.event_id.label("ticket_event"), Ticket.revoked_at,
                   *columns).join(_people, _people.c.id == Ticket.attendee_id)
            .where(Ticket.secret.in_(list(by_secret)))).all()
        for row in rows:
            for scan in by_secret.pop(row.secret):
                if row.ticket_event != event_id:
                    scan.problem = "unknown"  # another event's guest: not named here
                    continue
                scan.holder = row
                if row.revoked_at is not None:
                    scan.problem = "revoked"
        for left in by_secret.values():
            for scan in left:
                scan.problem = "unknown"
    ids = {scan.attendee_id for scan in scans if scan.attendee_id is not None}
    if ids:
        found = {row.id: row for row in db.session.execute(
            select(*columns).where(_people.c.id.in_(ids), _people.c.event_id == event_id))}
        for scan in scans:
            if scan.attendee_id is not None:
                scan.holder = found.get(scan.attendee_id)
                if scan.holder is None:
                    scan.problem = "unknown"


def _already_applied(station: Station, scans: list[Scan]) -> dict[str, dict]:
    """Answers for scans of this batch that an earlier sync applied (same request id)."""
    nonces = [scan.nonce for scan in scans]
    done = {}
    for nonce, attendee_id in db.session.execute(
            select(CheckIn.nonce, CheckIn.attendee_id)
            .where(CheckIn.station_id == station.id, CheckIn.nonce.in_(nonces))):
        done[nonce] = {"nonce": nonce, "result": "checked_in", "attendee_id": attendee_id}
    for conflict in db.session.scalars(
            select(DoorConflict).where(DoorConflict.station_id == station.id,
                                       DoorConflict.nonce.in_(nonces))):
        done[conflict.nonce] = _conflict_answer(conflict, station)
    return done


def apply(station: Station, scans: list[Scan], queued: int | None = None) -> list[dict]:
    """Apply a station's offline scans, each once; answers in the order sent.

    A retry of the same batch (its answer lost on the way) finds every scan
    applied and answers as the first time. Check-ins keep the time of the
    scan. The station's last contact is stored with them.
    """
    try:
        return _apply(station, scans, queued)
    except IntegrityError:
        # The same batch, sent twice at once: the other copy committed first,
        # so every scan is now found applied.
        db.session.rollback()
        return _apply(station, scans, queued)


def _apply(station: Station, scans: list[Scan], queued: int | None) -> list[dict]:
    answers: dict[str, dict] = {}
    with write(keep_loaded=True):
        done = _already_applied(station, scans)
        fresh = [scan for scan in scans if scan.nonce not in done]
        _holders(station.event_id, fresh)
        webhooks_on = station.event.webhooks
        # In the order of the people (two batches never wait on each other's rows
        # in opposite orders), each person's scans earliest first.
        for scan in sorted(fresh, key=lambda s: (s.holder.id if s.holder else 0, s.at)):
            if scan.nonce in answers:
                continue  # a request id sent twice in one batch counts once
            answers[scan.nonce] = _apply_one(station, scan, webhooks_on)
        _seen(station, queued)
    answers.update(done)
    return [answers[scan.nonce] for scan in scans]


def _apply_one(station: Station, scan: Scan, webhooks_on: bool) -> dict:
    holder = scan.holder
    if scan.problem is not None:
        return _conflict(station, scan, scan.problem)
    if holder.status != AttendeeStatus.GOING:
        return _conflict(station, scan, "not_going")
    if stage_check_in(holder, scan.at, webhooks_on=webhooks_on):
        db.session.execute(insert(CheckIn.__table__), {
            "attendee_id": holder.id, "event_id": holder.event_id, "station_id": station.id,
            "nonce": scan.nonce, "at": scan.at, "undone_at": None})
        return {"nonce": scan.nonce, "result": "checked_in", "attendee_id": holder.id}
    # Checked in already: perhaps by this very scan, its batch sent twice at once (on
    # PostgreSQL the UPDATE waited for that copy's commit, and a new statement sees it).
    if db.session.scalar(select(CheckIn.id).where(CheckIn.station_id == station.id,
                                                  CheckIn.nonce == scan.nonce)) is not None:
        return {"nonce": scan.nonce, "result": "checked_in", "attendee_id": holder.id}
    # Or by another door, or by this one online a moment before.
    person = db.session.execute(select(_people.c.status).where(_people.c.id == holder.id)).one()
    if person.status != AttendeeStatus.GOING:  # cancelled while this batch was read
        return _conflict(station, scan, "not_going")
    return _conflict(station, scan, "double", standing=db.session.scalar(
        select(CheckIn.id).where(CheckIn.attendee_id == holder.id, CheckIn.undone_at.is_(None))
        .order_by(CheckIn.id.desc()).limit(1)))


def _conflict(station: Station, scan: Scan, kind: str, standing: int | None = None) -> dict:
    conflict = DoorConflict(event_id=station.event_id, station_id=station.id, nonce=scan.nonce,
                            kind=kind, attendee_id=scan.holder.id if scan.holder else None,
                            checkin_id=standing, at=scan.at, created_at=utcnow())
    db.session.add(conflict)
    db.session.flush()
    return _conflict_answer(conflict, station)


def _seen(station: Station, queued: int | None) -> None:
    values = {"seen_at": utcnow()}
    if queued is not None:
        values["queued"] = max(0, min(queued, 1_000_000))
    db.session.execute(update(Station).where(Station.id == station.id).values(**values))


def report(station: Station, queued: int | None, copied: bool = False) -> None:
    """The station says it is alive (and how many check-ins wait on it)."""
    with write():
        _seen(station, queued)
        if copied:
            db.session.execute(update(Station).where(Station.id == station.id)
                               .values(copied_at=utcnow()))


# --- what people are told ------------------------------------------------------

def _time(moment: datetime, event: Event) -> str:
    return format_clock(moment.astimezone(event.zone))


def _name(conflict: DoorConflict) -> str:
    return conflict.attendee.name if conflict.attendee else _("Someone")


def describe(conflict: DoorConflict, station: Station | None = None) -> str:
    """The conflict in a sentence, in the language spoken; told to ``station`` when given,
    else to the host."""
    event, name = conflict.station.event if conflict.station else None, _name(conflict)
    event = event or db.session.get(Event, conflict.event_id)
    here = conflict.station.name if conflict.station else _("a station that was removed")
    when = _time(conflict.at, event)
    if conflict.kind == "double":
        return _double(conflict, station, name=name, here=here, when=when, event=event)
    if conflict.kind == "not_going":
        status = conflict.attendee.status if conflict.attendee else "cancelled"
        return _not_going(status, name=name, here=here, when=when)
    if conflict.kind == "revoked":
        return _("%(name)s was admitted at %(here)s, %(when)s, with a ticket that had been "
                 "replaced or cancelled. No check-in was stored.", name=name, here=here, when=when)
    return _("A code admitted at %(here)s, %(when)s, is no ticket of this event. "
             "No check-in was stored.", here=here, when=when)


def _double(conflict: DoorConflict, station: Station | None, name: str, here: str, when: str,
            event: Event) -> str:
    """Someone admitted twice: told to ``station`` when given, else to the host."""
    standing = conflict.checkin
    if station is not None and standing is not None and standing.station_id == station.id:
        return _("%(name)s was also admitted at %(here)s, %(when)s.",
                 name=name, here=here, when=when)
    if standing is None:  # checked in by the host, or through the API
        if station is not None:
            return _("%(name)s was also checked in by the host.", name=name)
        return _("%(name)s was checked in by the host, and admitted again at %(here)s, "
                 "%(when)s. One check-in is kept.", name=name, here=here, when=when)
    there = standing.station.name if standing.station else _("the host")
    then = _time(standing.at, event)
    if station is not None:
        return _("%(name)s was also admitted at %(there)s, %(then)s.",
                 name=name, there=there, then=then)
    return _("%(name)s was admitted at %(there)s, %(then)s, and admitted again at %(here)s, "
             "%(when)s. One check-in is kept.", name=name, there=there, then=then, here=here,
             when=when)


def _not_going(status: str, **values) -> str:
    """Someone admitted without the network whose RSVP has changed meanwhile."""
    if status == "cancelled":
        return _("%(name)s was admitted at %(here)s, %(when)s, without the network, but their "
                 "RSVP has cancelled. No check-in was stored.", **values)
    if status == "declined":
        return _("%(name)s was admitted at %(here)s, %(when)s, without the network, but their "
                 "RSVP has been declined. No check-in was stored.", **values)
    if status == "waiting":
        return _("%(name)s was admitted at %(here)s, %(when)s, without the network, but their "
                 "RSVP has been moved to the waiting list. No check-in was stored.", **values)
    if status == "pending":
        return _("%(name)s was admitted at %(here)s, %(when)s, without the network, but their "
                 "RSVP has not been approved yet. No check-in was stored.", **values)
    return _("%(name)s was admitted at %(here)s, %(when)s, without the network, but their "
             "RSVP has changed. No check-in was stored.", **values)


def _conflict_answer(conflict: DoorConflict, station: Station) -> dict:
    return {"nonce": conflict.nonce, "result": "conflict", "kind": conflict.kind,
            "attendee_id": conflict.attendee_id, "notice_id": conflict.id,
            "message": describe(conflict, station)}


def conflicts(event_id: int) -> list[DoorConflict]:
    """The event's door conflicts, newest first."""
    return list(db.session.scalars(_with_names(select(DoorConflict).where(
        DoorConflict.event_id == event_id).order_by(DoorConflict.id.desc()))))


def _with_names(query):
    # What a sentence names, loaded with the conflicts rather than one by one.
    return query.options(selectinload(DoorConflict.attendee), selectinload(DoorConflict.station),
                         selectinload(DoorConflict.checkin).selectinload(CheckIn.station))


def notices(station: Station) -> list[dict]:
    """What the station's door staff should know: conflicts of its own scans, and of others'
    scans of people it had admitted."""
    # An event has few conflicts: read them all (one indexed query, usually empty) and
    # keep this station's, rather than look through the station's check-ins.
    found = db.session.scalars(_with_names(select(DoorConflict).where(
        DoorConflict.event_id == station.event_id).order_by(DoorConflict.id))).all()
    return [{"id": c.id, "message": describe(c, station)} for c in found
            if c.station_id == station.id or (c.checkin and c.checkin.station_id == station.id)]
