"""What matching keeps about a person, for their export, and forgetting it."""
from __future__ import annotations

import re

from sqlalchemy import delete, or_, select, update

from organizer.plugin_api import Attendee, db

from .models import BoardPost, IntroRequest, Match, Profile, Run

ERASED = "Erased guest"



def data(attendees: list[Attendee], whole: bool) -> dict:
    """Their profiles and what they agreed to share, posts, introductions and matches."""
    ids = [a.id for a in attendees]
    titles = {a.id: a.event.title for a in attendees}
    profiles = db.session.scalars(select(Profile).where(Profile.attendee_id.in_(ids))).all()
    posts = db.session.scalars(select(BoardPost).where(BoardPost.attendee_id.in_(ids))
                               .order_by(BoardPost.id)).all()
    requests = db.session.scalars(select(IntroRequest).where(
        or_(IntroRequest.from_id.in_(ids), IntroRequest.to_id.in_(ids)))
        .order_by(IntroRequest.id)).all()
    published = select(Run.id).where(Run.status == "published")
    mine = db.session.execute(select(Match.attendee_id, Match.run_id, Match.round,
                                     Match.group_no).where(Match.attendee_id.in_(ids),
                                                           Match.run_id.in_(published))).all()
    matches = []
    for attendee_id, run_id, round_no, group_no in mine:
        names = db.session.scalars(select(Attendee.name).join(
            Match, Match.attendee_id == Attendee.id).where(
            Match.run_id == run_id, Match.round == round_no, Match.group_no == group_no,
            Match.attendee_id != attendee_id).order_by(Attendee.name)).all()
        matches.append({"event": titles[attendee_id], "round": round_no, "with": names})
    return {
        "Matching profiles": [{
            "event": titles[p.attendee_id], "field": p.field, "interests": p.interests,
            "can offer": p.offers, "looking for": p.seeks, "languages": p.languages,
            "links": p.links, "shared with matches (consent)": p.share,
            "left out of matching": p.opted_out, "last changed": p.updated_at}
            for p in profiles],
        "Asks and offers": [{"event": titles[p.attendee_id], "kind": p.kind, "text": p.text,
                             "posted": p.created_at, "withdrawn": p.withdrawn_at}
                            for p in posts],
        "Introductions": [{
            "event": titles.get(r.from_id) or titles.get(r.to_id),
            "asked by": "you" if r.from_id in ids else r.sender.name,
            "to meet": "you" if r.to_id in ids else r.receiver.name,
            "message": r.message, "status": r.status, "asked": r.created_at,
            "answered": r.decided_at} for r in requests],
        "Matches": matches,
    }


def forget(attendees: list[Attendee], whole: bool) -> None:
    """Blank their profiles but for the field (the host's mix of fields stays right),
    delete their posts, blank introduction messages to or from them, and take their
    names out of the host's notes on matching runs."""
    ids = [a.id for a in attendees]
    db.session.execute(update(Profile).where(Profile.attendee_id.in_(ids)).values(
        interests=[], offers=[], seeks=[], languages=[], links=[], share=[]))
    db.session.execute(delete(BoardPost).where(BoardPost.attendee_id.in_(ids)))
    db.session.execute(update(IntroRequest).where(
        or_(IntroRequest.from_id.in_(ids), IntroRequest.to_id.in_(ids))).values(message=""))
    names = {a.name for a in attendees if a.name.strip()}
    if not names:
        return
    # Not \b: a name may begin or end with something other than a letter ("Ana (she)").
    said = re.compile(r"(?<!\w)(?:" + "|".join(
        sorted(map(re.escape, names), key=len, reverse=True)) + r")(?!\w)")
    for run in db.session.scalars(select(Run).where(
            Run.event_id.in_(sorted({a.event_id for a in attendees})))):
        warnings = [said.sub(ERASED, text) for text in run.warnings or ()]
        if warnings != (run.warnings or []):
            run.warnings = warnings
