"""One person's network across every event they came to: who they met, when and why, with
only what each person shares, and where each follow-up stands.

Who met whom comes from the ``followup_people`` hook (matching tells it), as
for the follow-up PDF, so the same rules hold: only people who came, only
what they agreed to share. Anyone who hid themselves is left out.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time

from sqlalchemy import select

from organizer.plugin_api import (Attendee, AttendeeStatus, Event, PersonMet, db, flatten, hook,
                                  utcnow)

from . import content
from .models import Contact, Person

STATES = {"": "Not yet", "reached": "Reached out", "remind": "Remind me", "not_now": "Not now"}


@dataclass
class Encounter:
    """Meeting someone at one event."""

    event: Event
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
    def last_met(self) -> Event:
        return self.encounters[0].event


def attended(email: str, now: datetime | None = None) -> list[Attendee]:
    """Where ``email`` was a guest of a published event that has ended, newest first."""
    now = now or utcnow()
    return list(db.session.scalars(
        select(Attendee).join(Event, Event.id == Attendee.event_id)
        .where(Attendee.email == email, Attendee.status == AttendeeStatus.GOING,
               Event.status == "published", Event.starts_at <= now)
        .order_by(Event.starts_at.desc(), Event.id.desc())))


def met_at(me: Attendee) -> list[tuple[Attendee, PersonMet]]:
    """Who ``me`` met at their event, as the follow-up counts it: both came."""
    event = me.event
    door = content.anyone_checked_in(event)
    if not content.came(me, door):
        return []
    found = flatten(hook().followup_people(attendee=me), PersonMet)
    others = {a.id: a for a in db.session.scalars(select(Attendee).where(
        Attendee.id.in_([p.attendee_id for p in found]), Attendee.event_id == event.id))}
    return [(others[p.attendee_id], p) for p in found
            if p.attendee_id in others and content.came(others[p.attendee_id], door)]


def hidden(emails: set[str]) -> set[str]:
    """Those of ``emails`` who hid themselves from other people's networks."""
    if not emails:
        return set()
    return set(db.session.scalars(select(Person.email).where(
        Person.email.in_(sorted(emails)), Person.hidden.is_(True))))


def of(person: Person, now: datetime | None = None) -> list[Entry]:
    """``person``'s network: everyone they met, the most recently met first."""
    entries: dict[str, Entry] = {}
    for me in attended(person.email, now):
        for other, met in met_at(me):
            if other.email == person.email:
                continue
            entry = entries.get(other.email)
            if entry is None:  # the newest meeting says what they share now
                entry = entries[other.email] = Entry(other.id, other.email, met.name,
                                                     dict(met.details))
            entry.encounters.append(Encounter(me.event, met.how, tuple(met.why),
                                              tuple(met.topics)))
    for email in hidden(set(entries)):
        del entries[email]
    contacts = contacts_of(person)
    for entry in entries.values():
        entry.contact = contacts.get(entry.email)
    return list(entries.values())


def contacts_of(person: Person) -> dict[str, Contact]:
    """``person``'s notes and follow-up states, by the other person's address."""
    return {email: contact for contact, email in db.session.execute(
        select(Contact, Person.email).join(Person, Person.id == Contact.other_id)
        .where(Contact.person_id == person.id))}


def open_from(me: Attendee) -> list[tuple[Attendee, PersonMet]]:
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
