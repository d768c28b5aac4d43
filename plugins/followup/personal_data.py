"""What the follow-up plugin keeps about a person, for their export, and forgetting it."""
from __future__ import annotations

from sqlalchemy import delete, select

from organizer.plugin_api import Attendee, db

from .models import Contact, Delivery, LinkUse, Person, Preference



def data(attendees: list[Attendee], whole: bool) -> dict:
    """Their follow-ups; in their own export, their network's settings and their notes."""
    ids = [a.id for a in attendees]
    titles = {a.id: a.event.title for a in attendees}
    deliveries = db.session.scalars(select(Delivery).where(Delivery.attendee_id.in_(ids))).all()
    opted_out = set(db.session.scalars(select(Preference.attendee_id).where(
        Preference.attendee_id.in_(ids), Preference.opted_out.is_(True))))
    # Their network spans every host's events: it is theirs to export, not a host's.
    person = db.session.scalar(select(Person).where(Person.email == attendees[0].email)) \
        if whole else None
    found = {
        "Follow-ups": [{"event": titles[d.attendee_id], "mailed": d.claimed_at,
                        "nudged after a week": d.week_nudge_at,
                        "nudged after a month": d.month_nudge_at} for d in deliveries],
        "Follow-up mail turned off for": [titles[i] for i in ids if i in opted_out],
    }
    if person is not None:
        found["Your network"] = {"opened first": person.created_at,
                                 "hidden from others' networks": person.hidden,
                                 "nudges": person.nudges}
        found["Your notes on people you met"] = [{
            "about": _name(email), "note": c.note, "state": c.state,
            "remind on": c.remind_on,
            "last changed": c.updated_at} for c, email in db.session.execute(
                select(Contact, Person.email).join(Person, Person.id == Contact.other_id)
                .where(Contact.person_id == person.id).order_by(Contact.id))]
    return found


def _name(email: str) -> str:
    """The name someone gave on their latest guest list (never their address)."""
    return db.session.scalar(select(Attendee.name).where(Attendee.email == email)
                             .order_by(Attendee.id.desc()).limit(1)) or "someone"


def forget(attendees: list[Attendee], whole: bool) -> None:
    """Drop their follow-up preferences; for everyone among them no other guest list will
    know any more, drop them as a person too: their network, their notes, and everyone's
    notes about them. ``attendees`` may be many people (a host's events being deleted)."""
    ids = [a.id for a in attendees]
    db.session.execute(delete(Preference).where(Preference.attendee_id.in_(ids)))
    emails = {a.email for a in attendees}
    still = set(db.session.scalars(select(Attendee.email).where(
        Attendee.email.in_(sorted(emails)), Attendee.id.not_in(ids)).distinct()))
    gone = list(db.session.scalars(select(Person.id).where(
        Person.email.in_(sorted(emails - still)))))
    if gone:
        db.session.execute(delete(Contact).where(
            Contact.person_id.in_(gone) | Contact.other_id.in_(gone)))
        db.session.execute(delete(LinkUse).where(LinkUse.person_id.in_(gone)))
        db.session.execute(delete(Person).where(Person.id.in_(gone)))
