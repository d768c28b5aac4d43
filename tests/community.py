"""A seeded community: a fortnightly series of past dates, a pool of people with realistic
returning rates, profiles with varied consent, published 1:1 matches, introductions asked
and answered, and a few dates to come.

Written straight to the tables (the pages that make these are tested elsewhere), so a
test or a benchmark gets hundreds of people in a second. ``Community`` keeps what was
seeded in plain Python, so a test can work out on its own what a page should show.
"""
from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import insert, select

from organizer import auth
from organizer.db import db
from organizer.models import Attendee, Event, Series, utcnow

FIELDS = ("design", "engineering", "finance", "marketing", "research", "sales", "law",
          "health")
SHAREABLE = ("email", "organisation", "field", "offers", "seeks", "interests")
# Each field talks about its own things, so plain matching pairs people of one field
# (what a preference for other fields has to work against).
TOPICS = {field: tuple(f"{field} {n}" for n in ("tools", "hiring", "trends", "money"))
          for field in FIELDS}


@dataclass
class Community:
    host_id: int
    series_id: int
    dates: list[int]  # past events, oldest first
    upcoming: list[int]
    # person number -> (name, email, organisation, field)
    people: dict[int, tuple[str, str, str, str]] = field(default_factory=dict)
    # event id -> {person number: attendee id} of the people going
    going: dict[int, dict[int, int]] = field(default_factory=dict)
    came: dict[int, set[int]] = field(default_factory=dict)  # event id -> person numbers
    shares: dict[int, dict[int, set[str]]] = field(default_factory=dict)  # event -> person -> keys
    pairs: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # event -> pairs
    # event id -> [(asker, asked, status)]
    intros: dict[int, list[tuple[int, int, str]]] = field(default_factory=dict)

    def name(self, number: int) -> str:
        return self.people[number][0]

    def email(self, number: int) -> str:
        return self.people[number][1]

    def met(self, number: int) -> set[int]:
        """Everyone ``number`` met: matched, or introduced (accepted), where both came."""
        found = set()
        for event_id in self.dates:
            here = self.came[event_id]
            if number not in here:
                continue
            pairs = [(a, b) for a, b in self.pairs[event_id]]
            pairs += [(a, b) for a, b, status in self.intros[event_id] if status == "accepted"]
            for a, b in pairs:
                if number in (a, b):
                    other = b if a == number else a
                    if other in here:
                        found.add(other)
        return found

    def regular(self) -> int:
        """The person who came to the most dates."""
        return max(self.people, key=lambda n: (sum(n in self.came[e] for e in self.dates), -n))


def seed(dates: int = 20, people: int = 300, regulars: int = 60, upcoming: int = 3,
         seed_value: int = 7, email_domain: str = "example.org") -> Community:
    """Seed the community into the current app's database and commit."""
    from organizer_plugins.matching.models import IntroRequest, Match, Profile, Run

    rnd = random.Random(seed_value)
    host = auth.create_host("Community Host", f"host@{email_domain}", "a community passphrase",
                            "Europe/Berlin")
    now = utcnow().replace(second=0, microsecond=0)
    first = now - timedelta(weeks=2 * dates) + timedelta(days=1)
    series = Series(owner_id=host.id, title="Fortnightly coffee", kind="coffee",
                    timezone="Europe/Berlin", venue="Café Central",
                    rrule="FREQ=WEEKLY;INTERVAL=2",
                    dtstart_local=first.astimezone(_zone()).replace(tzinfo=None),
                    duration_minutes=90)
    db.session.add(series)
    db.session.flush()
    community = Community(host.id, series.id, [], [])
    for n in range(people):
        community.people[n] = (f"P{n:03d} {rnd.choice(_FIRST)}", f"p{n:03d}@{email_domain}",
                               f"Org {rnd.randrange(40):02d}", rnd.choice(FIELDS))
    for k in range(dates + upcoming):
        start = first + timedelta(weeks=2 * k)
        event = Event(owner_id=host.id, series_id=series.id, recurrence_id=start,
                      title="Fortnightly coffee", kind="coffee", timezone="Europe/Berlin",
                      venue="Café Central", starts_at=start, ends_at=start + timedelta(minutes=90),
                      status="published", published_at=start - timedelta(days=14),
                      ended_at=start + timedelta(minutes=90) if k < dates else None)
        db.session.add(event)
        db.session.flush()
        if k >= dates:
            community.upcoming.append(event.id)
            continue
        community.dates.append(event.id)
        _date(community, event, rnd, regulars, now, (Attendee, Profile, Run, Match, IntroRequest))
    db.session.commit()
    return community


def _date(c: Community, event: Event, rnd: random.Random, regulars: int, now: datetime,
          tables) -> None:
    Attendee_, Profile, Run, Match, IntroRequest = tables
    # Regulars come to more than half the dates; everyone else now and then.
    here = [n for n in c.people if rnd.random() < (0.55 if n < regulars else 0.06)]
    rows = []
    for n in here:
        name, email, organisation, _ = c.people[n]
        status = "cancelled" if rnd.random() < 0.05 else "going"
        rows.append({"event_id": event.id, "name": name, "email": email,
                     "organisation": organisation, "role": "", "status": status, "guests": 0,
                     "token": secrets.token_urlsafe(24), "created_at": now, "updated_at": now,
                     "checked_in_at": event.starts_at if status == "going"
                     and rnd.random() < 0.9 else None})
    db.session.execute(insert(Attendee_), rows)
    ids = dict(db.session.execute(select(Attendee_.email, Attendee_.id).where(
        Attendee_.event_id == event.id)).all())
    going = {n: ids[c.people[n][1]] for n, row in zip(here, rows) if row["status"] == "going"}
    c.going[event.id] = going
    c.came[event.id] = {n for n, row in zip(here, rows) if row["checked_in_at"] is not None}
    c.shares[event.id] = {}
    _profiles(c, event.id, going, rnd, now, Profile)
    order = list(going)
    rnd.shuffle(order)
    pairs = [(order[i], order[i + 1]) for i in range(0, len(order) - 1, 2)]
    c.pairs[event.id] = pairs
    run = Run(event_id=event.id, status="published", mode="pairs",
              rounds=[[{"members": [going[a], going[b]], "locked": False, "score": 1.0}
                       for a, b in pairs]], published_at=event.starts_at)
    db.session.add(run)
    db.session.flush()
    matches = [{"run_id": run.id, "event_id": event.id, "round": 1, "group_no": g,
                "attendee_id": going[x], "mailed_at": None}
               for g, pair in enumerate(pairs, start=1) for x in pair]
    if matches:
        db.session.execute(insert(Match), matches)
    c.intros[event.id] = []
    for _ in range(min(4, len(order) // 4)):
        a, b = rnd.sample(order, 2)
        if any({a, b} == {x, y} for x, y, _ in c.intros[event.id]):
            continue
        status = rnd.choice(("accepted", "accepted", "declined", "pending"))
        c.intros[event.id].append((a, b, status))
        db.session.add(IntroRequest(event_id=event.id, from_id=going[a], to_id=going[b],
                                    message="", status=status, created_at=event.starts_at))
    db.session.flush()


def _profiles(c: Community, event_id: int, going: dict[int, int], rnd: random.Random,
              now: datetime, Profile) -> None:
    rows = []
    for n, attendee_id in going.items():
        share = {key for key in SHAREABLE if rnd.random() < 0.5}
        c.shares.setdefault(event_id, {})[n] = share
        own = TOPICS[c.people[n][3]]
        rows.append({"attendee_id": attendee_id, "event_id": event_id,
                     "interests": rnd.sample(own, 2), "field": c.people[n][3],
                     "offers": rnd.sample(own, 1), "seeks": rnd.sample(own, 1),
                     "languages": ["English"], "links": [], "share": sorted(share),
                     "opted_out": False, "updated_at": now})
    if rows:
        db.session.execute(insert(Profile), rows)


def join(c: Community, event_id: int, numbers: list[int], seed_value: int = 11) -> dict[int, int]:
    """Put ``numbers`` on a date's list as going, with profiles; commit. Returns their ids."""
    from organizer_plugins.matching.models import Profile
    now = utcnow()
    db.session.execute(insert(Attendee), [
        {"event_id": event_id, "name": c.name(n), "email": c.email(n),
         "organisation": c.people[n][2], "role": "", "status": "going", "guests": 0,
         "token": secrets.token_urlsafe(24), "created_at": now, "updated_at": now}
        for n in numbers])
    ids = dict(db.session.execute(select(Attendee.email, Attendee.id).where(
        Attendee.event_id == event_id)).all())
    going = {n: ids[c.email(n)] for n in numbers}
    c.going[event_id] = going
    _profiles(c, event_id, going, random.Random(seed_value), now, Profile)
    db.session.commit()
    return going


def _zone():
    from zoneinfo import ZoneInfo
    return ZoneInfo("Europe/Berlin")


_FIRST = ("Ana", "Ben", "Cara", "Dan", "Eve", "Femi", "Gus", "Hana", "Ivo", "Jun", "Kemi",
          "Lea", "Milo", "Nia", "Omar", "Pia", "Quinn", "Rosa", "Sami", "Tara")
