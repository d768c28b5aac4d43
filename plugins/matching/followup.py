"""What matching tells the follow-up plugin: who met whom and why, and facts for the report."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from organizer.db import db
from organizer.models import Attendee, Event

from . import explain, intros, profiles, runs
from .models import IntroRequest, Match, Profile

LABELS = {"email": "E-mail", "organisation": "Organisation", "field": "Field",
          "links": "Links", "offers": "Can offer", "seeks": "Looking for",
          "interests": "Interests", "languages": "Languages"}


def _details(view: dict) -> dict:
    """A shared view (see profiles.shared_view) as label → text, name left out."""
    return {LABELS[key]: ", ".join(value) if isinstance(value, list) else value
            for key, value in view.items() if key in LABELS and value}


def people(attendee: Attendee) -> list[dict]:
    mine = profiles.of(attendee)
    me = profiles.for_matching(attendee, mine)
    found: dict[int, dict] = {}
    for round_no, others in runs.matches_of(attendee):
        for other in others:
            other_profile = profiles.of(other)
            how = "matched for a 1:1" if len(others) == 1 else "at your table"
            if round_no > 1 or len(runs.matches_of(attendee)) > 1:
                how += f" (round {round_no})"
            found.setdefault(other.id, {
                "attendee_id": other.id, "name": other.name, "how": how,
                "details": _details(profiles.shared_view(other, other_profile)),
                "why": explain.for_attendee(me, profiles.for_matching(other, other_profile),
                                            other_profile)})
    requests = intros.requests_of(attendee)
    for request in requests["sent"] + requests["received"]:
        if request.status != "accepted":
            continue
        other = request.receiver if request.from_id == attendee.id else request.sender
        if other.id in found:
            continue
        other_profile = profiles.of(other)
        found[other.id] = {
            "attendee_id": other.id, "name": other.name,
            "how": "introduced at your request" if request.from_id == attendee.id
            else "introduced at their request",
            "details": _details(profiles.shared_view(other, other_profile)),
            "why": explain.for_attendee(me, profiles.for_matching(other, other_profile),
                                        other_profile)}
    return list(found.values())


def report(event: Event) -> dict | None:
    run = runs.published(event)
    fields = Counter(field for (field,) in db.session.execute(
        select(Profile.field).join(Attendee, Attendee.id == Profile.attendee_id)
        .where(Profile.event_id == event.id, Attendee.status == "going")) if field)
    requests = dict(db.session.execute(select(IntroRequest.status, func.count())
                                       .where(IntroRequest.event_id == event.id)
                                       .group_by(IntroRequest.status)).all())
    if run is None and not fields and not requests:
        return None
    groups = 0
    if run is not None:
        groups = db.session.scalar(select(func.count(func.distinct(
            Match.round * 100000 + Match.group_no))).where(Match.run_id == run.id)) or 0
    return {"title": "Connections",
            "rows": [("Matches made", f"{groups} {'pairs' if run and run.mode == 'pairs' else 'groups'}"
                      if run else "matching was not published"),
                     ("Introductions asked", sum(requests.values())),
                     ("Introductions accepted", requests.get("accepted", 0)),
                     ("Profiles filled in", profiles.count(event.id))],
            "mix": dict(fields)}
