"""The host's community view: over all their events, or one series, date by date — who came
(new and returning), the connections made, how many were followed through, the mix of
fields, the people who connect most, and a picture of who met whom over time.

Everything comes from a handful of queries over the whole range (the guest
lists, the connections through the ``followup_connections`` hook, the
follow-up states people keep), then is counted in one pass: a hundred dates
cost about what one does.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import aliased

from organizer.plugin_api import (Attendee, AttendeeStatus, Connection, Event, db, flatten, hook,
                                  utcnow)

from .models import Contact, Person

CONNECTORS = 10


@dataclass
class DateRow:
    """One date of the range."""

    event_id: int
    title: str
    starts_at: datetime
    zone: str
    came: int = 0
    new: int = 0
    returning: int = 0
    connections: int = 0
    introductions: int = 0
    followed: int = 0
    cross_field: int = 0
    fields_known: int = 0


@dataclass
class Connector:
    name: str
    people: int  # distinct people met over the range
    introductions: int
    dates: int


@dataclass
class View:
    rows: list[DateRow] = field(default_factory=list)
    people: int = 0  # distinct people who came
    connectors: list[Connector] = field(default_factory=list)
    # For the picture: each person (key: address) with when they first came, whether
    # they may be named, and the connections as pairs of keys with their date's index.
    nodes: dict[str, dict] = field(default_factory=dict)
    edges: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def connections(self) -> int:
        return sum(r.connections for r in self.rows)

    @property
    def followed(self) -> int:
        return sum(r.followed for r in self.rows)

    @property
    def follow_through(self) -> float | None:
        return self.followed / self.connections if self.connections else None

    @property
    def cross_field(self) -> float | None:
        known = sum(r.fields_known for r in self.rows)
        return sum(r.cross_field for r in self.rows) / known if known else None

    @property
    def returning_share(self) -> float | None:
        came = sum(r.came for r in self.rows)
        return sum(r.returning for r in self.rows) / came if came else None


def events_of(owner_id: int, series_id: int | None = None,
              now: datetime | None = None) -> list[Event]:
    """The range: the host's published dates that have begun (of one series, or all)."""
    query = select(Event).where(Event.owner_id == owner_id, Event.status == "published",
                                Event.starts_at <= (now or utcnow()))
    if series_id is not None:
        query = query.where(Event.series_id == series_id)
    return list(db.session.scalars(query.order_by(Event.starts_at, Event.id)))


def _reached_pairs(emails: set[str]) -> set[frozenset[str]]:
    """Pairs of people where either said they reached out to the other."""
    if not emails:
        return set()
    other = aliased(Person)
    rows = db.session.execute(
        select(Person.email, other.email).select_from(Contact)
        .join(Person, Person.id == Contact.person_id).join(other, other.id == Contact.other_id)
        .where(Contact.state == "reached"))
    return {frozenset(pair) for pair in rows if pair[0] in emails and pair[1] in emails}


def build(events: list[Event]) -> View:
    """Count the range ``events`` (oldest first)."""
    view = View()
    if not events:
        return view
    ids = [e.id for e in events]
    order = {e.id: i for i, e in enumerate(events)}
    guests = db.session.execute(
        select(Attendee.id, Attendee.event_id, Attendee.email, Attendee.name,
               Attendee.checked_in_at, Attendee.listed)
        .where(Attendee.event_id.in_(ids), Attendee.status == AttendeeStatus.GOING)).all()
    doors = {row.event_id for row in guests if row.checked_in_at is not None}
    came = {row.id: row for row in guests
            if row.checked_in_at is not None or row.event_id not in doors}

    rows = {e.id: DateRow(e.id, e.title, e.starts_at, e.timezone) for e in events}
    seen: set[str] = set()
    for row in sorted(came.values(), key=lambda r: (order[r.event_id], r.id)):
        date = rows[row.event_id]
        date.came += 1
        if row.email in seen:
            date.returning += 1
        else:
            date.new += 1
            seen.add(row.email)
            view.nodes[row.email] = {"first": order[row.event_id], "name": row.name,
                                     "named": False}
        if row.listed:  # they chose to be shown by name: the picture may name them
            view.nodes[row.email]["named"] = True
            view.nodes[row.email]["name"] = row.name
    view.people = len(seen)

    found = flatten(hook().followup_connections(event_ids=ids), Connection)
    reached = _reached_pairs(seen)
    met: dict[str, set[str]] = defaultdict(set)
    introduced: Counter = Counter()
    dates: dict[str, set[int]] = defaultdict(set)
    pairs_seen: set[tuple[int, frozenset[str]]] = set()
    for link in found:
        first, second = came.get(link.first_id), came.get(link.second_id)
        if first is None or second is None or first.event_id != link.event_id \
                or second.event_id != link.event_id or first.email == second.email:
            continue  # someone who did not come, or not a guest of that date
        key = (link.event_id, frozenset((first.email, second.email)))
        if key in pairs_seen:
            continue
        pairs_seen.add(key)
        date = rows[link.event_id]
        date.connections += 1
        if link.how == "introduced":
            date.introductions += 1
            introduced[first.email] += 1
            introduced[second.email] += 1
        if key[1] in reached:
            date.followed += 1
        if link.cross_field is not None:
            date.fields_known += 1
            date.cross_field += int(link.cross_field)
        met[first.email].add(second.email)
        met[second.email].add(first.email)
        dates[first.email].add(link.event_id)
        dates[second.email].add(link.event_id)
        view.edges.append((first.email, second.email, order[link.event_id]))

    ranked = sorted(met, key=lambda email: (-len(met[email]), -introduced[email], email))
    view.connectors = [Connector(view.nodes[email]["name"], len(met[email]), introduced[email],
                                 len(dates[email])) for email in ranked[:CONNECTORS]]
    view.rows = [rows[e.id] for e in events]
    return view
