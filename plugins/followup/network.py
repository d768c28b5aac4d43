"""One person's network across every event they came to: who they met, when and why, with
only what each person shares, and where each follow-up stands.

Who met whom comes from the ``followup_people`` hook (matching tells it), as
for the follow-up PDF, so the same rules hold: only people who came, only
what they agreed to share. Anyone who hid themselves is left out.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import aliased

from organizer.plugin_api import (Attendee, AttendeeStatus, Event, PersonMet, db, flatten, hook,
                                  lazy_gettext as _l, utcnow)

from . import content
from .models import Contact, Person

STATES = {"": _l("Not yet"), "reached": _l("Reached out"), "remind": _l("Remind me"),
          "not_now": _l("Not now")}


@dataclass(frozen=True)
class Occasion:
    """The event two people met at, as much of it as a network shows."""

    id: int
    slug: str
    title: str
    starts_at: datetime
    timezone: str
    language: str = "en"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(self.zone)


@dataclass
class Encounter:
    """Meeting someone at one event."""

    event: Occasion
    how: str
    why: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()


@dataclass
class Entry:
    """Someone in a person's network: what they share and every time the two met."""

    attendee_id: int  # their place on the latest guest list where the two met
    email: str  # never shown: it keys notes and follow-up states
    name: str
    details: dict
    encounters: list[Encounter] = field(default_factory=list)
    contact: Contact | None = None

    @property
    def state(self) -> str:
        return self.contact.state if self.contact else ""

    @property
    def last_met(self) -> Occasion:
        return self.encounters[0].event


# Built once: one network page runs these for a hundred dates at a time, and building a
# statement costs about as much as running it.
_door = aliased(Attendee)
_DOOR_USED = exists().where(_door.event_id == Attendee.event_id,
                            _door.checked_in_at.is_not(None))
_ATTENDED = (select(Attendee, Event.slug, Event.title, Event.starts_at, Event.timezone,
                    Event.language, _DOOR_USED.label("door_used"))
             .join(Event, Event.id == Attendee.event_id)
             .where(Attendee.email == bindparam("email"),
                    Attendee.status == AttendeeStatus.GOING, Event.status == "published",
                    Event.starts_at <= bindparam("now"))
             .order_by(Event.starts_at.desc(), Event.id.desc()))
_DOORS = (select(Attendee.event_id).where(Attendee.event_id.in_(bindparam("ids", expanding=True)),
                                          Attendee.checked_in_at.is_not(None)).distinct())
_OTHERS = select(Attendee.id, Attendee.event_id, Attendee.name, Attendee.email,
                 Attendee.status, Attendee.checked_in_at).where(
    Attendee.id.in_(bindparam("ids", expanding=True)))
_HIDDEN = select(Person.email).where(Person.email.in_(bindparam("emails", expanding=True)),
                                     Person.hidden.is_(True))
_CONTACTS = (select(Contact, Person.email).join(Person, Person.id == Contact.other_id)
             .where(Contact.person_id == bindparam("person_id")))


def attended(email: str, now: datetime | None = None) -> list[Attendee]:
    """Where ``email`` was a guest of a published event that has ended, newest first."""
    return [row[0] for row in _attended(email, now)]


def _attended(email: str, now: datetime | None):
    return db.session.execute(_ATTENDED, {"email": email, "now": now or utcnow()}).all()


def met_at(me: Attendee) -> list[tuple]:
    """Who ``me`` met at their event, as the follow-up counts it: both came. Each is
    the other's row on the guest list (id, name, email…) with what they share."""
    return met_at_all([me])[me.id]


def _people_met(guests: list[Attendee]) -> dict[int, list[PersonMet]]:
    """What plugins say each of ``guests`` met: in one call for all of them from plugins
    that answer ``followup_people_of``, guest by guest from the others."""
    found: dict[int, list[PersonMet]] = {g.id: [] for g in guests}
    batched = set()
    for impl in hook().followup_people_of.get_hookimpls():
        batched.add(impl.plugin)
        answer = impl.function(attendees=guests) or {}
        for guest_id, items in answer.items():
            found[guest_id] += flatten([items], PersonMet)
    for impl in hook().followup_people.get_hookimpls():
        if impl.plugin in batched:
            continue
        for guest in guests:
            found[guest.id] += flatten([impl.function(attendee=guest)], PersonMet)
    return found


def met_at_all(mes: list[Attendee], doors: set[int] | None = None) -> dict[int, list[tuple]]:
    """:func:`met_at` for many guest-list rows at once (one person across many events).
    ``doors``, when known, holds the events where anyone was checked in."""
    if doors is None:
        doors = set(db.session.scalars(_DOORS, {"ids": sorted({m.event_id for m in mes})})) \
            if mes else set()
    here = [me for me in mes if content.came(me, me.event_id in doors)]
    found = _people_met(here)
    wanted = sorted({p.attendee_id for items in found.values() for p in items})
    others = {row.id: row for row in db.session.execute(_OTHERS, {"ids": wanted})} \
        if wanted else {}
    result: dict[int, list[tuple]] = {me.id: [] for me in mes}
    for me in here:
        for met in found[me.id]:
            other = others.get(met.attendee_id)
            if other is not None and other.event_id == me.event_id \
                    and content.came(other, me.event_id in doors):
                result[me.id].append((other, met))
    return result


def hidden(emails: set[str]) -> set[str]:
    """Those of ``emails`` who hid themselves from other people's networks."""
    if not emails:
        return set()
    return set(db.session.scalars(_HIDDEN, {"emails": sorted(emails)}))


def of(person: Person, now: datetime | None = None) -> list[Entry]:
    """``person``'s network: everyone they met, the most recently met first."""
    rows = _attended(person.email, now)
    mine = [row[0] for row in rows]
    occasions = {row[0].id: Occasion(row[0].event_id, row.slug, row.title, row.starts_at,
                                     row.timezone, row.language) for row in rows}
    met_by = met_at_all(mine, {row[0].event_id for row in rows if row.door_used})
    entries: dict[str, Entry] = {}
    for me in mine:
        for other, met in met_by[me.id]:
            if other.email == person.email:
                continue
            entry = entries.get(other.email)
            if entry is None:  # the newest meeting says what they share now
                entry = entries[other.email] = Entry(other.id, other.email, met.name,
                                                     dict(met.details))
            entry.encounters.append(Encounter(occasions[me.id], met.how, tuple(met.why),
                                              tuple(met.topics)))
    for email in hidden(set(entries)):
        del entries[email]
    contacts = contacts_of(person)
    for entry in entries.values():
        entry.contact = contacts.get(entry.email)
    return list(entries.values())


def contacts_of(person: Person) -> dict[str, Contact]:
    """``person``'s notes and follow-up states, by the other person's address."""
    return {email: contact for contact, email in
            db.session.execute(_CONTACTS, {"person_id": person.id})}


def open_from(me: Attendee) -> list[tuple]:
    """Whom ``me`` met at their event and has not followed up: no state set, nobody hidden."""
    met = met_at(me)
    if not met:
        return []
    person = db.session.scalar(select(Person).where(Person.email == me.email))
    done = {email for email, contact in (contacts_of(person) if person else {}).items()
            if contact.state}
    gone = hidden({other.email for other, _ in met})
    return [(other, p) for other, p in met if other.email not in done | gone]


def series_dates(email: str, now: datetime | None = None, limit: int = 12) -> list[Event]:
    """The next published dates of every series ``email`` came to or signed up for."""
    now = now or utcnow()
    series_ids = select(Event.series_id).join(Attendee, Attendee.event_id == Event.id).where(
        Attendee.email == email, Event.series_id.is_not(None)).distinct()
    return list(db.session.scalars(select(Event).where(
        Event.series_id.in_(series_ids), Event.status == "published", Event.starts_at > now)
        .order_by(Event.starts_at).limit(limit)))


REMINDER_TIME = time(9, 30)


def reminder_start(contact: Contact, zone) -> datetime:
    """When a "remind me" shows in the calendar: half past nine on its day."""
    return datetime.combine(contact.remind_on, REMINDER_TIME, tzinfo=zone)
