"""Running matching for an event: who takes part, the rules, memory, drafts and publishing."""
from __future__ import annotations

import dataclasses
from itertools import combinations

from sqlalchemy import func, select, update
from sqlalchemy.orm.attributes import flag_modified

from organizer.plugin_api import (Attendee, AttendeeStatus, Event, db, erased, gettext as _,
                                  hold, ngettext, send_webhook, utcnow, write)

from . import pairing, profiles, scoring, table_rounds
from .errors import MatchingError
from .models import Match, Profile, Rule, Run, Setup
from .words import listing

WEIGHTS = scoring.Weights()
# Seconds the table planner may search; it stops early once no pair repeats.
TABLE_TIME_LIMIT = 8.0
# The plain run a diverse draft is compared with gets less time: it is only a yardstick.
PLAIN_TIME_LIMIT = 2.0
# Someone who came to this many of the host's earlier events is a regular.
REGULAR_AFTER = 3


def setup_of(event: Event) -> Setup:
    """The event's matching set-up (the defaults until the host saves one)."""
    found = db.session.get(Setup, event.id)
    if found is None:
        found = Setup(event_id=event.id, mode="pairs", group_size=4, rounds=1,
                      checked_in_only=False, same_org="avoid", slot_minutes=20, excluded=[],
                      mix_fields=False, mix_newcomers=False)
    return found


def participants(event: Event, setup: Setup) -> list[tuple[Attendee, Profile | None]]:
    """Everyone going (or checked in), not opted out, not taken out by the host."""
    query = (select(Attendee, Profile).outerjoin(Profile, Profile.attendee_id == Attendee.id)
             .where(Attendee.event_id == event.id, Attendee.status == AttendeeStatus.GOING))
    if setup.checked_in_only:
        query = query.where(Attendee.checked_in_at.is_not(None))
    excluded = set(setup.excluded or [])
    return [(a, p) for a, p in db.session.execute(query.order_by(Attendee.id))
            if a.id not in excluded and not (p is not None and p.opted_out)]


def rules(event: Event) -> list[Rule]:
    return list(db.session.scalars(select(Rule).where(Rule.event_id == event.id)
                                   .order_by(Rule.id)))


def history(event: Event, people: list[Attendee]) -> set[frozenset[int]]:
    """Pairs of today's people who met at an earlier date of the same series.

    People are recognised by e-mail address across events; a person's
    attendee id differs from one date to the next.
    """
    if event.series_id is None:
        return set()
    by_email = {a.email: a.id for a in people}
    earlier = (select(Match.run_id, Match.round, Match.group_no, Attendee.email)
               .join(Attendee, Attendee.id == Match.attendee_id)
               .join(Event, Event.id == Match.event_id)
               .join(Run, Run.id == Match.run_id)
               .where(Event.series_id == event.series_id, Event.starts_at < event.starts_at,
                      Run.status == "published"))
    groups: dict[tuple, list[int]] = {}
    for run_id, round_no, group_no, email in db.session.execute(earlier):
        if email in by_email:
            groups.setdefault((run_id, round_no, group_no), []).append(by_email[email])
    return {frozenset(pair) for members in groups.values()
            for pair in combinations(sorted(set(members)), 2)}


def weights_of(setup: Setup) -> scoring.Weights:
    """The weights the host's set-up asks for: plain, or with a diverse mix."""
    diverse = scoring.DIVERSE_WEIGHTS
    return dataclasses.replace(
        WEIGHTS,
        different_field=diverse.different_field if setup.mix_fields else WEIGHTS.different_field,
        different_org=diverse.different_org if setup.mix_fields else 0.0,
        newcomer_regular=diverse.newcomer_regular if setup.mix_newcomers else 0.0)


def tenure(event: Event, people: list[Attendee]) -> dict[int, str]:
    """Each person as "new" (never at the host's earlier events), "regular" (at
    ``REGULAR_AFTER`` or more) or "" (in between), by address."""
    emails = {a.email: a.id for a in people}
    if not emails:
        return {}
    counts = dict(db.session.execute(
        select(Attendee.email, func.count(func.distinct(Attendee.event_id)))
        .join(Event, Event.id == Attendee.event_id)
        .where(Event.owner_id == event.owner_id, Event.starts_at < event.starts_at,
               Event.status == "published", Attendee.status == AttendeeStatus.GOING,
               Attendee.email.in_(sorted(emails)))
        .group_by(Attendee.email)).all())
    return {attendee_id: "new" if not counts.get(email) else
            "regular" if counts[email] >= REGULAR_AFTER else ""
            for email, attendee_id in emails.items()}


def group_score(members: list[int], people: dict[int, scoring.Profile],
                met: set[frozenset[int]], weights: scoring.Weights = WEIGHTS) -> float:
    return round(sum(scoring.score(people[a], people[b], weights, frozenset((a, b)) in met)
                     for a, b in combinations(members, 2)), 2)


def mix_of(rounds: list[list[dict]], people: dict[int, scoring.Profile]) -> dict[str, float]:
    """Shares of the pairs that sit together: from different fields (of those whose fields
    are both known), from different organisations (likewise), a newcomer with a regular."""
    pairs = [(people[a], people[b]) for round_ in rounds for group in round_
             for a, b in combinations(group["members"], 2)]
    fields = [(a, b) for a, b in pairs if a.field.strip() and b.field.strip()]
    orgs = [(a, b) for a, b in pairs if a.organisation.strip() and b.organisation.strip()]

    def share(found: int, total: int) -> float | None:
        return round(found / total, 4) if total else None
    return {
        "cross_field": share(sum(a.field.strip().casefold() != b.field.strip().casefold()
                                 for a, b in fields), len(fields)),
        "cross_org": share(sum(a.organisation.strip().casefold()
                               != b.organisation.strip().casefold() for a, b in orgs), len(orgs)),
        "newcomer_regular": share(sum(scoring.newcomer_and_regular(a, b) for a, b in pairs),
                                  len(pairs)),
    }


def compute(event: Event, setup: Setup, previous: Run | None = None) -> Run:
    """A new draft run (not yet stored); locked groups of ``previous`` are kept.

    Raises :class:`MatchingError` with a sentence for the host when it cannot be done.
    """
    found = participants(event, setup)
    attendees = [a for a, _ in found]
    people = {a.id: profiles.for_matching(a, p) for a, p in found}
    present = set(people)
    must, never = set(), set()
    for rule in rules(event):
        pair = frozenset((rule.first_id, rule.second_id))
        if pair <= present:
            (must if rule.kind == "must" else never).add(pair)
    met = history(event, attendees)
    weights = weights_of(setup)
    if weights.newcomer_regular or setup.mix_fields:
        known = tenure(event, attendees)
        people = {key: dataclasses.replace(p, tenure=known.get(key, ""))
                  for key, p in people.items()}
    ordered = [people[a.id] for a in attendees]
    locked = _locked_groups(previous, setup.mode, present)
    rounds, warnings = _arrange(ordered, setup, weights, met, must, never, locked)
    mix = {}
    if weights != WEIGHTS:
        # What the preference did: the same people, plainly matched.
        plain, _notes = _arrange(ordered, setup, WEIGHTS, met, must, never, [], PLAIN_TIME_LIMIT)
        mix = mix_of(rounds, people)
        mix.update({f"{key}_plain": value for key, value in mix_of(plain, people).items()})
    for round_ in rounds:
        for group in round_:
            group["score"] = group_score(group["members"], people, met, weights)
    total = round(sum(g["score"] for round_ in rounds for g in round_), 2)
    return Run(event_id=event.id, status="draft", mode=setup.mode, rounds=rounds, total=total,
               warnings=list(dict.fromkeys(warnings)), mix=mix)


def _arrange(ordered: list, setup: Setup, weights: scoring.Weights, met: set, must: set,
             never: set, locked: list[list[int]],
             time_limit: float = TABLE_TIME_LIMIT) -> tuple[list[list[dict]], list[str]]:
    """The rounds of pairs or tables for ``ordered`` people, with notes for the host (in
    the language being spoken: the host's who ran matching)."""
    warnings: list[str] = []
    if setup.mode == "groups":
        if len(ordered) >= 2 and setup.group_size > len(ordered):
            raise MatchingError(_("Tables of %(size)d are larger than the %(people)d people "
                                  "taking part.", size=setup.group_size, people=len(ordered)))
        rounds, plan_warnings = _tables(ordered, setup, met, never, locked, weights,
                                        time_limit)
        warnings += plan_warnings
        if must:
            warnings.append(_("“Must meet” rules apply to pairs; tables only keep people "
                              "who must not meet apart."))
        return rounds, warnings
    rounds, seen = [], set(met)
    for number in range(setup.rounds):
        result = pairing.pair(ordered, weights, met_before=seen, must_meet=must,
                              must_not_meet=never, locked=locked if number == 0 else (),
                              same_org=setup.same_org)
        warnings += result.warnings
        locked_sets = [set(g) for g in locked] if number == 0 else []
        rounds.append([{"members": list(group), "locked": set(group) in locked_sets}
                       for group in result.groups])
        seen |= {frozenset(p) for group in result.groups for p in combinations(group, 2)}
    return rounds, warnings


def _locked_groups(previous: Run | None, mode: str, present: set[int]) -> list[list[int]]:
    """The first-round groups the host locked in the previous draft of the same kind
    whose people all still take part (the draft offers locks in the first round only)."""
    if previous is None or previous.mode != mode or not previous.rounds:
        return []
    return [g["members"] for g in previous.rounds[0]
            if g.get("locked") and set(g["members"]) <= present]


def _tables(ordered: list, setup: Setup, met: set, never: set, locked: list[list[int]],
            weights: scoring.Weights = WEIGHTS,
            time_limit: float = TABLE_TIME_LIMIT) -> tuple[list[list[dict]], list[str]]:
    """Rounds of tables. Locked tables keep the first round's seats: the others are
    seated around them, and later rounds are planned knowing who already sat together."""
    def plan(people, rounds, met_before):
        return table_rounds.plan_tables(
            people, min(setup.group_size, len(people)), rounds, weights, met_before=met_before,
            must_not_meet={pair for pair in never if pair <= {p.key for p in people}},
            same_org=setup.same_org, time_limit=time_limit)
    if not locked:
        found = plan(ordered, setup.rounds, met)
        return ([[{"members": list(group), "locked": False} for group in round_]
                 for round_ in found.rounds], found.warnings)
    seated = {key for group in locked for key in group}
    rest = [p for p in ordered if p.key not in seated]
    if len(rest) == 1:
        raise MatchingError(_("Only one person is left outside the locked tables and would "
                              "sit alone: unlock a table, or swap them into one."))
    first = [{"members": list(group), "locked": True} for group in locked]
    warnings: list[str] = []
    if rest:
        found = plan(rest, 1, met)
        first += [{"members": list(group), "locked": False} for group in found.rounds[0]]
        warnings += found.warnings
    rounds = [first]
    if setup.rounds > 1:
        sat = {frozenset(pair) for group in first for pair in combinations(group["members"], 2)}
        later = plan(ordered, setup.rounds - 1, set(met) | sat)
        rounds += [[{"members": list(group), "locked": False} for group in round_]
                   for round_ in later.rounds]
        warnings += later.warnings
    return rounds, warnings


def draft(event: Event) -> Run | None:
    return db.session.scalar(select(Run).where(Run.event_id == event.id, Run.status == "draft")
                             .order_by(Run.id.desc()).limit(1))


def published(event: Event) -> Run | None:
    return db.session.scalar(select(Run).where(Run.event_id == event.id,
                                               Run.status == "published")
                             .order_by(Run.id.desc()).limit(1))


def store_draft(event: Event, run: Run) -> Run:
    """Replace the event's draft with ``run`` and commit."""
    with write():
        old = draft(event)
        if old is not None:
            db.session.delete(old)
        db.session.add(run)
    return run


def _still_draft(run: Run) -> None:
    """Inside a write transaction: read ``run`` again with its row locked, and refuse
    unless it is still the draft (a co-host may have published it a moment ago)."""
    hold(run)
    if run.status != "draft":
        raise MatchingError(_("This draft has just been published or replaced: look at the "
                              "matching page again."))


def toggle_lock(run: Run, round_no: int, group_no: int) -> bool:
    """Lock or unlock one group of the draft; returns whether it is now locked."""
    with write():
        _still_draft(run)
        group = run.rounds[round_no][group_no]
        group["locked"] = not group.get("locked")
        flag_modified(run, "rounds")  # changed inside the JSON value
    return group["locked"]


def check_current(run: Run, event: Event, setup: Setup) -> dict[int, scoring.Profile]:
    """Refuse a draft that no longer fits: someone left, opted out, or a new rule forbids a group.

    Returns the current participants as matching sees them.
    """
    found = {a.id: (a, p) for a, p in participants(event, setup)}
    gone = sorted({m for round_ in run.rounds for g in round_ for m in g["members"]
                   if m not in found})
    if gone:
        names = [a.name for a in (db.session.get(Attendee, m) for m in gone) if a is not None]
        if not names:
            raise MatchingError(ngettext(
                "someone no longer takes part (cancelled, opted out or taken out): run "
                "matching again.",
                "someone no longer take part (cancelled, opted out or taken out): run "
                "matching again.", len(gone)))
        raise MatchingError(ngettext(
            "%(names)s no longer takes part (cancelled, opted out or taken out): run matching "
            "again.",
            "%(names)s no longer take part (cancelled, opted out or taken out): run matching "
            "again.", len(gone), names=listing(names)))
    never = {frozenset((r.first_id, r.second_id)) for r in rules(event) if r.kind == "never"}
    for round_ in run.rounds:
        for group in round_:
            if any(frozenset(p) in never for p in combinations(group["members"], 2)):
                raise MatchingError(_("A “must not meet” rule added since this draft puts two "
                                      "people of one group apart: run matching again."))
    return {k: profiles.for_matching(a, p) for k, (a, p) in found.items()}


def swap(run: Run, event: Event, setup: Setup, round_no: int, first: int, second: int) -> None:
    """Exchange two people's places in one round; raises MatchingError when it can't."""
    with write():  # the draft stays a draft until the swap is stored
        _still_draft(run)
        _swap(run, event, setup, round_no, first, second)


def _swap(run: Run, event: Event, setup: Setup, round_no: int, first: int, second: int) -> None:
    current = check_current(run, event, setup)
    groups = [dict(g, members=list(g["members"])) for g in run.rounds[round_no]]
    where = {m: i for i, g in enumerate(groups) for m in g["members"]}
    if first not in where or second not in where:
        raise MatchingError(_("Both people must be in this round."))
    a, b = where[first], where[second]
    if a == b:
        raise MatchingError(_("They are already in the same group."))
    if groups[a].get("locked") or groups[b].get("locked"):
        raise MatchingError(_("Unlock the group first: locked groups stay as they are."))
    never = {frozenset((r.first_id, r.second_id)) for r in rules(event) if r.kind == "never"}
    for index, person, leaving in ((a, second, first), (b, first, second)):
        members = [m for m in groups[index]["members"] if m != leaving] + [person]
        if any(frozenset(p) in never for p in combinations(members, 2)):
            raise MatchingError(_("That swap would seat two people who must not meet together."))
        groups[index]["members"] = members
    attendees = [db.session.get(Attendee, k) for k in current]
    met = history(event, attendees)
    known = tenure(event, attendees)
    current = {key: dataclasses.replace(p, tenure=known.get(key, "")) for key, p in current.items()}
    for index in (a, b):
        groups[index]["score"] = group_score(groups[index]["members"], current, met,
                                             weights_of(setup))
    run.rounds = [groups if i == round_no else r for i, r in enumerate(run.rounds)]
    flag_modified(run, "rounds")
    run.total = round(sum(g["score"] for r in run.rounds for g in r), 2)
    if run.mix:  # the draft's side of the comparison follows the swap
        run.mix = {**run.mix, **mix_of(run.rounds, current)}
        flag_modified(run, "mix")


def publish(run: Run, event: Event, setup: Setup) -> bool:
    """Make the draft the event's matches, once, and queue everyone's introduction with
    them; True only for the call that did it.

    Raises :class:`MatchingError` when the draft no longer fits (see :func:`check_current`).
    """
    with write():
        # Locked: a swap or lock on the draft at this moment waits, then finds
        # it published (or this publish waits for it and publishes its result).
        hold(run)
        if run.status == "draft":
            check_current(run, event, setup)
        done = db.session.execute(update(Run).where(Run.id == run.id, Run.status == "draft")
                                  .values(status="published", published_at=utcnow()))
        if done.rowcount != 1:
            return False
        db.session.execute(update(Run).where(Run.event_id == run.event_id, Run.id != run.id,
                                             Run.status == "published")
                           .values(status="replaced"))
        for round_no, groups in enumerate(run.rounds, start=1):
            for group_no, group in enumerate(groups, start=1):
                for member in group["members"]:
                    db.session.add(Match(run_id=run.id, event_id=run.event_id, round=round_no,
                                         group_no=group_no, attendee_id=member))
        db.session.flush()
        from .intros import queue_introductions  # intros builds on this module
        queue_introductions(run, event)
        send_webhook("matching.published", event, lambda: published_data(run, event))
    return True


def published_data(run: Run, event: Event) -> dict:
    """What a ``matching.published`` webhook and the API say of a published run."""
    return {"event_id": event.id, "run_id": run.id,
            "published_at": run.published_at.isoformat() if run.published_at else None,
            "rounds": [[{"group": number, "attendee_ids": list(group["members"])}
                        for number, group in enumerate(groups, start=1)]
                       for groups in run.rounds]}


def matches_of(attendee: Attendee, run: Run | None = None) -> list[tuple[int, list[Attendee]]]:
    """The groups of ``attendee`` in ``run`` (the published one by default): (round, the
    others still going and not erased), in round order; rounds where nobody else is left
    are skipped."""
    run = run or published(attendee.event)
    if run is None or attendee.status != AttendeeStatus.GOING:
        return []
    mine = db.session.execute(select(Match.round, Match.group_no).where(
        Match.run_id == run.id, Match.attendee_id == attendee.id).order_by(Match.round)).all()
    found = []
    for round_no, group_no in mine:
        others = db.session.scalars(select(Attendee).join(Match, Match.attendee_id == Attendee.id)
                                    .where(Match.run_id == run.id, Match.round == round_no,
                                           Match.group_no == group_no,
                                           Attendee.id != attendee.id,
                                           Attendee.status == AttendeeStatus.GOING)
                                    .order_by(Attendee.name)).all()
        others = [other for other in others if not erased(other)]
        if others:
            found.append((round_no, others))
    return found
