"""What matching tells the follow-up plugin: who met whom and why, and facts for the report."""
from __future__ import annotations

from collections import Counter
from itertools import combinations

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import aliased

from organizer.plugin_api import (Attendee, AttendeeStatus, Connection, Event, PersonMet,
                                  ReportSection, db, format_number, gettext as _,
                                  lazy_gettext as _l, ngettext)

from . import explain, profiles, runs, scoring
from .models import IntroRequest, Match, Profile, Run
from .words import listing

LABELS = {"email": _l("E-mail"), "organisation": _l("Organisation"), "field": _l("Field"),
          "links": _l("Links"), "offers": _l("Can offer"), "seeks": _l("Looking for"),
          "interests": _l("Interests"), "languages": _l("Languages")}


def _details(view: dict) -> dict:
    """A shared view (see profiles.shared_view) as label → text, name left out, in the
    language being spoken."""
    return {str(LABELS[key]): listing(value) if isinstance(value, list) else value
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


def _entry(me: scoring.Profile, other, other_scored: scoring.Profile,
           other_profile: Profile | None, how: str) -> PersonMet:
    return PersonMet(attendee_id=other.id, name=other.name, how=how,
                     details=_details(profiles.shared_view(other, other_profile)),
                     why=tuple(explain.for_attendee(me, other_scored, other_profile)),
                     topics=tuple(_topics(me, other_scored, other_profile)),
                     has_profile=other_profile is not None)


def people(attendee: Attendee) -> list[PersonMet]:
    """Everyone ``attendee`` was matched with or introduced to, with what each shares."""
    return people_of([attendee])[attendee.id]


# Built once: a network page runs these for a hundred dates at a time, and building
# a statement costs as much as running it.
_mine = aliased(Match)
_TABLES = (select(_mine.attendee_id, Match.round, Match.attendee_id).select_from(_mine)
           .join(Run, (Run.id == _mine.run_id) & (Run.status == "published"))
           .join(Match, (Match.run_id == _mine.run_id) & (Match.round == _mine.round)
                 & (Match.group_no == _mine.group_no))
           .where(_mine.attendee_id.in_(bindparam("ids", expanding=True))))
_REQUESTS = (select(IntroRequest.from_id, IntroRequest.to_id)
             .where(or_(IntroRequest.from_id.in_(bindparam("ids", expanding=True)),
                        IntroRequest.to_id.in_(bindparam("ids", expanding=True))),
                    IntroRequest.status == "accepted")
             .order_by(IntroRequest.id))
# Each person with their profile, if any (has_profile says which), as plain rows.
_PEOPLE = (select(Attendee.id, Attendee.name, Attendee.email, Attendee.organisation,
                  Attendee.role, Attendee.status,
                  Profile.attendee_id.is_not(None).label("has_profile"),
                  Profile.interests, Profile.field, Profile.offers, Profile.seeks,
                  Profile.languages, Profile.links, Profile.share)
           .outerjoin(Profile, Profile.attendee_id == Attendee.id)
           .where(Attendee.id.in_(bindparam("ids", expanding=True))))


def _tables(attendees: list[Attendee]) -> dict[int, list[tuple[int, list[int]]]]:
    """Who sat with each of ``attendees`` in their event's published run (publishing
    one replaces the last): attendee id → (round, everyone at their table), by round."""
    tables: dict[tuple[int, int], list[int]] = {}
    for me_id, round_no, attendee_id in db.session.execute(
            _TABLES, {"ids": sorted(a.id for a in attendees)}):
        tables.setdefault((me_id, round_no), []).append(attendee_id)
    found: dict[int, list[tuple[int, list[int]]]] = {}
    for (me_id, round_no), members in sorted(tables.items()):
        found.setdefault(me_id, []).append((round_no, members))
    return found


def people_of(attendees: list[Attendee]) -> dict[int, list[PersonMet]]:
    """:func:`people` for many attendees at once (a person's network across a hundred
    dates): the tables, the introductions, and the people with their profiles, in
    three queries."""
    mine = {a.id: a for a in attendees}
    if not mine:
        return {}
    tables = _tables(attendees)
    asked: dict[int, list[tuple[int, str]]] = {}
    for from_id, to_id in db.session.execute(_REQUESTS, {"ids": sorted(mine)}):
        asked.setdefault(from_id, []).append((to_id, _("introduced at your request")))
        asked.setdefault(to_id, []).append((from_id, _("introduced at their request")))
    wanted = set(mine) | {m for rounds in tables.values() for _, members in rounds
                          for m in members} | set(asked)
    people = {row.id: row for row in db.session.execute(_PEOPLE, {"ids": sorted(wanted)})}
    profile_of = {person_id: row for person_id, row in people.items() if row.has_profile}
    scored: dict[int, scoring.Profile] = {}

    def scored_of(person) -> scoring.Profile:
        if person.id not in scored:
            scored[person.id] = profiles.for_matching(person, profile_of.get(person.id))
        return scored[person.id]

    found: dict[int, list[PersonMet]] = {}
    for me in attendees:
        entries: dict[int, PersonMet] = {}
        rounds = []
        if me.status == AttendeeStatus.GOING:
            for round_no, members in tables.get(me.id, ()):
                others = sorted((people[m] for m in members if m != me.id
                                 and people[m].status == AttendeeStatus.GOING),
                                key=lambda a: a.name)
                if others:
                    rounds.append((round_no, others))
        for round_no, others in rounds:
            if len(rounds) == 1:
                how = _("matched for a 1:1") if len(others) == 1 else _("at your table")
            elif len(others) == 1:
                how = _("matched for a 1:1 (round %(round)d)", round=round_no)
            else:
                how = _("at your table (round %(round)d)", round=round_no)
            for other in others:
                if other.id not in entries:
                    entries[other.id] = _entry(scored_of(me), other, scored_of(other),
                                               profile_of.get(other.id), how)
        for other_id, how in asked.get(me.id, ()):
            if other_id not in entries:
                other = people[other_id]
                entries[other_id] = _entry(scored_of(me), other, scored_of(other),
                                           profile_of.get(other_id), how)
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
    for (event_id, *_rest), members in groups.items():
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
    if run is None:
        made = _("matching was not published")
    elif run.mode == "pairs":
        made = ngettext("%(num)d pair", "%(num)d pairs", groups)
    else:
        made = ngettext("%(num)d group", "%(num)d groups", groups)
    return ReportSection(
        _("Connections"),
        rows=((_("Matches made"), made),
              (_("Introductions asked"), format_number(sum(requests.values()))),
              (_("Introductions accepted"), format_number(requests.get("accepted", 0))),
              (_("Profiles filled in"), format_number(profiles.count(event.id)))),
        mix=dict(fields), mix_title=_("Fields of the people going"))
