"""What matching tells the follow-up plugin: who met whom and why, and facts for the report."""
from __future__ import annotations

from collections import Counter
from itertools import combinations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from organizer.plugin_api import (Attendee, AttendeeStatus, Connection, Event, PersonMet,
                                  ReportSection, db)

from . import explain, profiles, runs
from .models import IntroRequest, Match, Profile, Run

LABELS = {"email": "E-mail", "organisation": "Organisation", "field": "Field",
          "links": "Links", "offers": "Can offer", "seeks": "Looking for",
          "interests": "Interests", "languages": "Languages"}


def _details(view: dict) -> dict:
    """A shared view (see profiles.shared_view) as label → text, name left out."""
    return {LABELS[key]: ", ".join(value) if isinstance(value, list) else value
            for key, value in view.items() if key in LABELS and value}


def _topics(me, other, other_profile) -> list[str]:
    """What the two could talk about, limited to what ``other`` shares."""
    share = set(other_profile.share if other_profile else ())
    found = []
    if "offers" in share:
        found += sorted(other.offers & me.seeks)
    if "seeks" in share:
        found += sorted(me.offers & other.seeks)
    if "interests" in share:
        found += sorted(me.interests & other.interests)
    return list(dict.fromkeys(found))


def _entry(me, other: Attendee, other_profile: Profile | None, how: str) -> PersonMet:
    scored = profiles.for_matching(other, other_profile)
    return PersonMet(attendee_id=other.id, name=other.name, how=how,
                     details=_details(profiles.shared_view(other, other_profile)),
                     why=tuple(explain.for_attendee(me, scored, other_profile)),
                     topics=tuple(_topics(me, scored, other_profile)),
                     has_profile=other_profile is not None)


def people(attendee: Attendee) -> list[PersonMet]:
    """Everyone ``attendee`` was matched with or introduced to, with what each shares."""
    return people_of([attendee])[attendee.id]


def _published_runs(event_ids: set[int]) -> dict[int, int]:
    """Each event's published run (the latest, as :func:`runs.published`)."""
    return dict(db.session.execute(
        select(Run.event_id, func.max(Run.id)).where(Run.event_id.in_(sorted(event_ids)),
                                                     Run.status == "published")
        .group_by(Run.event_id)).all())


def people_of(attendees: list[Attendee]) -> dict[int, list[PersonMet]]:
    """:func:`people` for many attendees at once (a person's network across a hundred
    dates): the matches, introductions, people and profiles in five queries."""
    mine = {a.id: a for a in attendees}
    if not mine:
        return {}
    run_of = _published_runs({a.event_id for a in attendees})
    # The seats of the groups they sat in, in those runs: (run, round, group) → members.
    theirs = aliased(Match)
    seats = db.session.execute(
        select(Match.run_id, Match.round, Match.group_no, Match.attendee_id)
        .join(theirs, (theirs.run_id == Match.run_id) & (theirs.round == Match.round)
              & (theirs.group_no == Match.group_no))
        .where(theirs.attendee_id.in_(sorted(mine)),
               theirs.run_id.in_(sorted(set(run_of.values()))))).all() if run_of else []
    groups: dict[tuple, list[int]] = {}
    for run_id, round_no, group_no, attendee_id in seats:
        groups.setdefault((run_id, round_no, group_no), []).append(attendee_id)
    requests = db.session.scalars(select(IntroRequest).where(
        or_(IntroRequest.from_id.in_(sorted(mine)), IntroRequest.to_id.in_(sorted(mine))),
        IntroRequest.status == "accepted").order_by(IntroRequest.id)).all()
    wanted = {m for members in groups.values() for m in members} | set(mine)
    wanted |= {r.from_id for r in requests} | {r.to_id for r in requests}
    # Plain rows, not ORM objects: a hundred dates of people are only read here.
    people = {a.id: a for a in db.session.execute(select(
        Attendee.id, Attendee.name, Attendee.email, Attendee.organisation, Attendee.role,
        Attendee.status).where(Attendee.id.in_(sorted(wanted))))}
    profile_of = {p.attendee_id: p for p in db.session.execute(select(
        *(getattr(Profile, c.key) for c in Profile.__table__.columns)).where(
        Profile.attendee_id.in_(sorted(wanted))))}
    found: dict[int, list[PersonMet]] = {}
    for me in attendees:
        entries: dict[int, PersonMet] = {}
        scored = profiles.for_matching(me, profile_of.get(me.id))
        run_id = run_of.get(me.event_id)
        rounds = sorted((key[1], members) for key, members in groups.items()
                        if key[0] == run_id and me.id in members) \
            if me.status == AttendeeStatus.GOING else []
        rounds = [(round_no, sorted((people[m] for m in members if m != me.id
                                     and people[m].status == AttendeeStatus.GOING),
                                    key=lambda a: a.name)) for round_no, members in rounds]
        rounds = [(round_no, others) for round_no, others in rounds if others]
        for round_no, others in rounds:
            for other in others:
                how = "matched for a 1:1" if len(others) == 1 else "at your table"
                if len(rounds) > 1:
                    how += f" (round {round_no})"
                if other.id not in entries:
                    entries[other.id] = _entry(scored, other, profile_of.get(other.id), how)
        for request in requests:
            if me.id not in (request.from_id, request.to_id):
                continue
            other = people[request.to_id if request.from_id == me.id else request.from_id]
            if other.id not in entries:
                entries[other.id] = _entry(scored, other, profile_of.get(other.id),
                                           "introduced at your request"
                                           if request.from_id == me.id
                                           else "introduced at their request")
        found[me.id] = list(entries.values())
    return found


def connections(event_ids: list[int]) -> list[Connection]:
    """Who met whom at these events, in three queries: the published matches, the
    accepted introductions, and everyone's field."""
    if not event_ids:
        return []
    ids = sorted(set(event_ids))
    groups: dict[tuple, list[int]] = {}
    for event_id, run_id, round_no, group_no, attendee_id in db.session.execute(
            select(Match.event_id, Match.run_id, Match.round, Match.group_no, Match.attendee_id)
            .join(Run, Run.id == Match.run_id)
            .where(Match.event_id.in_(ids), Run.status == "published")):
        groups.setdefault((event_id, run_id, round_no, group_no), []).append(attendee_id)
    pairs: dict[tuple[int, int, int], str] = {}
    for (event_id, *_), members in groups.items():
        for a, b in combinations(sorted(set(members)), 2):
            pairs.setdefault((event_id, a, b), "matched")
    for event_id, a, b in db.session.execute(
            select(IntroRequest.event_id, IntroRequest.from_id, IntroRequest.to_id)
            .where(IntroRequest.event_id.in_(ids), IntroRequest.status == "accepted")):
        pairs.setdefault((event_id, min(a, b), max(a, b)), "introduced")
    fields = {attendee_id: field.strip().casefold() for attendee_id, field in db.session.execute(
        select(Profile.attendee_id, Profile.field).where(Profile.event_id.in_(ids)))
        if field and field.strip()}
    return [Connection(event_id, a, b, how,
                       fields[a] != fields[b] if a in fields and b in fields else None)
            for (event_id, a, b), how in pairs.items()]


def report(event: Event) -> ReportSection | None:
    """Matches, introductions and the mix of fields, for the host's report."""
    run = runs.published(event)
    fields = Counter(field for (field,) in db.session.execute(
        select(Profile.field).join(Attendee, Attendee.id == Profile.attendee_id)
        .where(Profile.event_id == event.id, Attendee.status == AttendeeStatus.GOING)) if field)
    requests = dict(db.session.execute(select(IntroRequest.status, func.count())
                                       .where(IntroRequest.event_id == event.id)
                                       .group_by(IntroRequest.status)).all())
    if run is None and not fields and not requests:
        return None
    groups = 0
    if run is not None:
        groups = db.session.scalar(select(func.count(func.distinct(
            Match.round * 100000 + Match.group_no))).where(Match.run_id == run.id)) or 0
    made = (f"{groups} {'pairs' if run.mode == 'pairs' else 'groups'}" if run
            else "matching was not published")
    return ReportSection(
        "Connections",
        rows=(("Matches made", made),
              ("Introductions asked", str(sum(requests.values()))),
              ("Introductions accepted", str(requests.get("accepted", 0))),
              ("Profiles filled in", str(profiles.count(event.id)))),
        mix=dict(fields), mix_title="Fields of the people going")
