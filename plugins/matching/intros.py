"""Introductions by mail: published matches, and connector requests between attendees."""
from __future__ import annotations

from datetime import timedelta

from flask import render_template
from sqlalchemy import select, update

from organizer import ics, jobs, mail
from organizer.db import db
from organizer.models import Attendee, Event, utcnow
from organizer.urls import external_url

from . import explain, profiles, runs
from .models import IntroRequest, Match, Profile, Run

MAX_MESSAGE = 500


def _profile_map(ids: list[int]) -> dict[int, Profile]:
    return {p.attendee_id: p for p in db.session.scalars(
        select(Profile).where(Profile.attendee_id.in_(ids)))} if ids else {}


def slot(event: Event, round_no: int, minutes: int) -> tuple:
    """The suggested time of a 1:1 in round ``round_no`` (1-based): rounds follow each other
    from the start of the event."""
    start = event.starts_at + timedelta(minutes=minutes * (round_no - 1))
    return start, start + timedelta(minutes=minutes)


def introduction(person: Attendee, groups: list[tuple[int, list[Attendee]]],
                 profile_of: dict[int, Profile], minutes: int) -> mail.Message:
    """The mail introducing ``person`` to everyone they were matched with."""
    event = person.event
    me = profiles.for_matching(person, profile_of.get(person.id))
    rounds = []
    calendar = None
    for round_no, others in groups:
        people = []
        for other in others:
            other_profile = profile_of.get(other.id)
            people.append({
                "shared": profiles.shared_view(other, other_profile),
                "reasons": explain.for_attendee(me, profiles.for_matching(other, other_profile),
                                                other_profile)})
        start, end = slot(event, round_no, minutes)
        rounds.append({"number": round_no, "people": people,
                       "when": start.astimezone(event.zone).strftime("%H:%M")})
        if len(others) == 1 and calendar is None:
            # A 1:1 gets a calendar invite for its suggested slot; only the
            # recipient's own address is in it.
            calendar = ics.meeting(
                uid=f"match-{event.uid}-{round_no}-{min(person.id, others[0].id)}-"
                    f"{max(person.id, others[0].id)}",
                summary=f"1:1 with {others[0].name} at {event.title}",
                starts_at=start, ends_at=end, zone=event.timezone, host=event.owner,
                attendee=(person.name, person.email), location=event.venue or "",
                description=f"Suggested by the host of {event.title}. Your page: "
                            + external_url("rsvp.mine", token=person.token))
    text = render_template("matching/mail/introduction.txt", person=person, event=event,
                           rounds=rounds, link=external_url("rsvp.mine", token=person.token))
    return mail.Message(to=person.email, subject=f"Who to meet at {event.title}", text=text,
                        calendar=calendar, calendar_method="REQUEST" if calendar else None,
                        reply_to=event.owner.email)


@jobs.register("matching.introductions", title="Introductions")
def send_introductions(ctx: jobs.JobContext, run_id: int) -> dict:
    """Mail everyone in a published run their introduction, once each."""
    run = db.session.get(Run, run_id)
    event = db.session.get(Event, run.event_id)
    setup = runs.setup_of(event)
    people = db.session.scalars(select(Attendee).join(Match, Match.attendee_id == Attendee.id)
                                .where(Match.run_id == run.id).distinct()
                                .order_by(Attendee.id)).all()
    profile_of = _profile_map([p.id for p in people])
    ctx.progress(0, total=len(people), message="introductions mailed")
    for done, person in enumerate(people, start=1):
        mail.send(introduction(person, runs.matches_of(person), profile_of, setup.slot_minutes))
        if done % 20 == 0 or done == len(people):
            ctx.progress(done)
    return {"mailed": len(people)}


# --- connector mode ----------------------------------------------------------

class IntroError(ValueError):
    """A request that cannot be made, with a sentence for the attendee."""


def candidates(person: Attendee) -> list[Attendee]:
    """Who ``person`` may ask to meet: others going to the event with a profile."""
    return list(db.session.scalars(
        select(Attendee).join(Profile, Profile.attendee_id == Attendee.id)
        .where(Attendee.event_id == person.event_id, Attendee.status == "going",
               Attendee.id != person.id, Profile.opted_out.is_(False))
        .order_by(Attendee.name)))


def ask(person: Attendee, other_id: int, message: str) -> IntroRequest:
    """``person`` asks to be introduced to ``other_id``; the other is mailed."""
    if person.status != "going":
        raise IntroError("Only people going to the event can ask for introductions.")
    other = db.session.get(Attendee, other_id)
    if other is None or other.id not in {a.id for a in candidates(person)}:
        raise IntroError("Choose someone from the list of people at this event.")
    message = " ".join((message or "").split())
    if len(message) > MAX_MESSAGE:
        raise IntroError(f"Keep your note under {MAX_MESSAGE} characters.")
    existing = db.session.scalar(select(IntroRequest).where(
        IntroRequest.from_id == person.id, IntroRequest.to_id == other.id))
    if existing is not None:
        raise IntroError(f"You already asked to meet {other.name}.")
    request = IntroRequest(event_id=person.event_id, from_id=person.id, to_id=other.id,
                           message=message)
    db.session.add(request)
    db.session.commit()
    event = person.event
    mail.send(mail.Message(
        to=other.email, subject=f"{person.name} would like to meet you at {event.title}",
        text=render_template("matching/mail/request.txt", request=request, sender=person,
                             receiver=other, event=event,
                             link=external_url("rsvp.mine", token=other.token)),
        reply_to=event.owner.email))
    return request


def decide(person: Attendee, request_id: int, accept: bool) -> IntroRequest:
    """The asked person accepts or declines; on acceptance both get each other's shared details."""
    request = db.session.get(IntroRequest, request_id)
    if request is None or request.to_id != person.id:
        raise IntroError("That request is not for you.")
    done = db.session.execute(update(IntroRequest).where(
        IntroRequest.id == request.id, IntroRequest.status == "pending")
        .values(status="accepted" if accept else "declined", decided_at=utcnow()))
    db.session.commit()
    db.session.refresh(request)
    if done.rowcount != 1:
        raise IntroError("You already answered this request.")
    if accept:
        profile_of = _profile_map([request.from_id, request.to_id])
        for me, other in ((request.sender, request.receiver), (request.receiver, request.sender)):
            mail.send(mail.Message(
                to=me.email, subject=f"Introduction: {other.name} at {me.event.title}",
                text=render_template("matching/mail/accepted.txt", me=me, event=me.event,
                                     shared=profiles.shared_view(other, profile_of.get(other.id)),
                                     link=external_url("rsvp.mine", token=me.token)),
                reply_to=me.event.owner.email))
    return request


def requests_of(person: Attendee) -> dict[str, list[IntroRequest]]:
    """Requests ``person`` made and received."""
    return {
        "sent": list(db.session.scalars(select(IntroRequest).where(
            IntroRequest.from_id == person.id).order_by(IntroRequest.id))),
        "received": list(db.session.scalars(select(IntroRequest).where(
            IntroRequest.to_id == person.id).order_by(IntroRequest.id))),
    }
