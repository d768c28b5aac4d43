"""Introductions by mail: published matches, and connector requests between attendees.

Each mail is queued in the transaction that causes it (publishing, asking,
accepting) and built when it is delivered, from the matches as they are then.
"""
from __future__ import annotations

from datetime import timedelta

from flask import render_template
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from organizer.plugin_api import (Attendee, AttendeeStatus, Event, Message, Skip, card_url,
                                  commit, db, external_url, format_clock, format_range,
                                  gettext as _, in_language, lazy_gettext as _l, mail_renderer,
                                  meeting_ics, queue_mail, queue_mails, utcnow)

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
                 profile_of: dict[int, Profile], minutes: int) -> Message:
    """The mail introducing ``person`` to everyone they were matched with, in the event's
    language (its reasons and its calendar invite too)."""
    with in_language(person.event.language):
        return _introduction(person, groups, profile_of, minutes)


def _introduction(person: Attendee, groups: list[tuple[int, list[Attendee]]],
                  profile_of: dict[int, Profile], minutes: int) -> Message:
    event = person.event
    me = profiles.for_matching(person, profile_of.get(person.id))
    rounds = []
    calendar = None
    for round_no, others in groups:
        if not others:
            continue
        people = []
        for other in others:
            other_profile = profile_of.get(other.id)
            people.append({
                "shared": profiles.shared_view(other, other_profile),
                "reasons": explain.for_attendee(me, profiles.for_matching(other, other_profile),
                                                other_profile)})
        start, end = slot(event, round_no, minutes)
        rounds.append({"number": round_no, "people": people,
                       "when": format_clock(start.astimezone(event.zone))})
        if len(others) == 1 and calendar is None:
            # A 1:1 gets a calendar invite for its suggested slot; only the
            # recipient's own address is in it.
            calendar = meeting_ics(
                uid=f"match-{event.uid}-{round_no}-{min(person.id, others[0].id)}-"
                    f"{max(person.id, others[0].id)}",
                summary=_("1:1 with %(name)s at %(title)s", name=others[0].name,
                          title=event.title),
                starts_at=start, ends_at=end, zone=event.timezone, host=event.owner,
                attendee=(person.name, person.email), location=event.venue or "",
                description=_("Suggested by the host of %(title)s. Your page: %(url)s",
                              title=event.title,
                              url=external_url("attendee.page", token=person.token)))
    link = external_url("attendee.page", token=person.token)
    text = render_template("matching/mail/introduction.txt", person=person, event=event,
                           rounds=rounds, link=link)
    html = render_template("matching/mail/introduction.html", person=person, event=event,
                           rounds=rounds, link=link, card=card_url(event),
                           when=format_range(event.local_start, event.local_end))
    return Message(to=person.email, subject=_("Who to meet at %(title)s", title=event.title),
                   text=text, html=html, calendar=calendar,
                   calendar_method="REQUEST" if calendar else None, reply_to=event.owner.email)


INTRODUCTION = "matching.introduction"
REQUEST = "matching.request"
ACCEPTED = "matching.accepted"


def queue_introductions(run: Run, event: Event) -> int:
    """Inside the publishing transaction: queue each matched person's introduction, once."""
    members = sorted({member for groups in run.rounds for group in groups
                      for member in group["members"]})
    people = db.session.scalars(select(Attendee).where(
        Attendee.id.in_(members), Attendee.status == AttendeeStatus.GOING)
        .order_by(Attendee.id)).all()
    with in_language(event.language):  # the mail speaks the event's language
        subject = _("Who to meet at %(title)s", title=event.title)
    queue_mails(INTRODUCTION, [
        {"to": person.email, "params": {"run_id": run.id, "attendee_id": person.id},
         "event_id": event.id, "attendee_id": person.id, "subject": subject}
        for person in people])
    db.session.execute(update(Match).where(Match.run_id == run.id)
                       .values(mailed_at=utcnow()))
    return len(people)


@mail_renderer(INTRODUCTION, title=_l("Introductions"))
def render_introduction(params: dict) -> Message:
    """A published run's introduction for one person, as the matches stand now."""
    run = db.session.get(Run, params["run_id"])
    person = db.session.get(Attendee, params["attendee_id"])
    if run is None or run.status != "published":
        raise Skip(_("These matches were replaced before the introduction went out."))
    if person is None or person.status != AttendeeStatus.GOING:
        raise Skip(_("They are no longer going to the event."))
    groups = runs.matches_of(person, run)
    if not groups:
        raise Skip(_("Nobody they were matched with is still going."))
    event = db.session.get(Event, run.event_id)
    profile_of = _profile_map([person.id] + [o.id for _, others in groups for o in others])
    return introduction(person, groups, profile_of, runs.setup_of(event).slot_minutes)


# --- connector mode ----------------------------------------------------------

class IntroError(ValueError):
    """A request that cannot be made, with a sentence for the attendee."""


def may_ask(person: Attendee) -> bool:
    """Only people going, with a profile they did not opt out of, ask for introductions."""
    profile = db.session.get(Profile, person.id)
    return person.status == AttendeeStatus.GOING and profile is not None and not profile.opted_out


def candidates(person: Attendee) -> list[Attendee]:
    """Who ``person`` may ask to meet: others going to the event with a profile."""
    if not may_ask(person):
        return []
    return list(db.session.scalars(
        select(Attendee).join(Profile, Profile.attendee_id == Attendee.id)
        .where(Attendee.event_id == person.event_id, Attendee.status == AttendeeStatus.GOING,
               Attendee.id != person.id, Profile.opted_out.is_(False))
        .order_by(Attendee.name)))


def ask(person: Attendee, other_id: int, message: str) -> IntroRequest:
    """``person`` asks to be introduced to ``other_id``; the other is mailed."""
    if not may_ask(person):
        raise IntroError(_("Fill in your profile first: only people going to the event who "
                           "take part in matching can ask for introductions."))
    other = db.session.get(Attendee, other_id)
    if other is None or other.id not in {a.id for a in candidates(person)}:
        raise IntroError(_("Choose someone from the list of people at this event."))
    message = " ".join((message or "").split())
    if len(message) > MAX_MESSAGE:
        raise IntroError(_("Keep your note under %(most)d characters.", most=MAX_MESSAGE))
    existing = db.session.scalar(select(IntroRequest).where(
        IntroRequest.from_id == person.id, IntroRequest.to_id == other.id))
    if existing is not None:
        raise IntroError(_("You already asked to meet %(name)s.", name=other.name))
    request = IntroRequest(event_id=person.event_id, from_id=person.id, to_id=other.id,
                           message=message)
    db.session.add(request)
    try:
        db.session.flush()
        with in_language(other.event.language):  # the mail speaks the event's language
            subject = _("%(name)s would like to meet you at %(title)s", name=person.name,
                        title=person.event.title)
        queue_mail(REQUEST, other.email, {"request_id": request.id}, event_id=other.event_id,
                   attendee_id=other.id, subject=subject)
        commit()
    except IntegrityError:  # the same request sent twice at once
        db.session.rollback()
        raise IntroError(_("You already asked to meet %(name)s.", name=other.name)) from None
    return request


@mail_renderer(REQUEST, title=_l("Requests to meet"))
def render_request(params: dict) -> Message:
    request = db.session.get(IntroRequest, params["request_id"])
    if request is None:
        raise Skip(_("The request was withdrawn."))
    person, other, event = request.sender, request.receiver, request.receiver.event
    context = {"request": request, "sender": person, "receiver": other, "event": event,
               "link": external_url("attendee.page", token=other.token),
               "when": format_range(event.local_start, event.local_end),
               "card": card_url(event),
               "subject": _("%(name)s would like to meet you at %(title)s", name=person.name,
                            title=event.title)}
    return Message(
        to=other.email, subject=context["subject"],
        text=render_template("matching/mail/request.txt", **context),
        html=render_template("matching/mail/request.html", **context),
        reply_to=event.owner.email)


def decide(person: Attendee, request_id: int, accept: bool) -> IntroRequest:
    """The asked person accepts or declines; on acceptance both get each other's shared details."""
    request = db.session.get(IntroRequest, request_id)
    if request is None or request.to_id != person.id:
        raise IntroError(_("That request is not for you."))
    if person.status != AttendeeStatus.GOING or request.sender.status != AttendeeStatus.GOING:
        raise IntroError(_("Introductions are only between people going to the event."))
    done = db.session.execute(update(IntroRequest).where(
        IntroRequest.id == request.id, IntroRequest.status == "pending")
        .values(status="accepted" if accept else "declined", decided_at=utcnow()))
    if done.rowcount == 1 and accept:
        # Both sides are mailed the other's shared details, with the decision.
        for me, other in ((request.sender, request.receiver), (request.receiver, request.sender)):
            with in_language(me.event.language):  # the mail speaks the event's language
                subject = _("Introduction: %(name)s at %(title)s", name=other.name,
                            title=me.event.title)
            queue_mail(ACCEPTED, me.email, {"request_id": request.id, "to": me.id},
                       event_id=me.event_id, attendee_id=me.id, subject=subject)
    commit()
    db.session.refresh(request)
    if done.rowcount != 1:
        raise IntroError(_("You already answered this request."))
    return request


@mail_renderer(ACCEPTED, title=_l("Accepted introductions"))
def render_accepted(params: dict) -> Message:
    request = db.session.get(IntroRequest, params["request_id"])
    if request is None:
        raise Skip(_("The introduction was withdrawn."))
    me, other = ((request.sender, request.receiver) if params["to"] == request.from_id
                 else (request.receiver, request.sender))
    profile_of = _profile_map([other.id])
    context = {"me": me, "event": me.event,
               "shared": profiles.shared_view(other, profile_of.get(other.id)),
               "link": external_url("attendee.page", token=me.token),
               "subject": _("Introduction: %(name)s at %(title)s", name=other.name,
                            title=me.event.title)}
    return Message(
        to=me.email, subject=context["subject"],
        text=render_template("matching/mail/accepted.txt", **context),
        html=render_template("matching/mail/accepted.html", **context),
        reply_to=me.event.owner.email)


def requests_of(person: Attendee) -> dict[str, list[IntroRequest]]:
    """Requests ``person`` made and received."""
    return {
        "sent": list(db.session.scalars(select(IntroRequest).where(
            IntroRequest.from_id == person.id).order_by(IntroRequest.id))),
        "received": list(db.session.scalars(select(IntroRequest).where(
            IntroRequest.to_id == person.id).order_by(IntroRequest.id))),
    }
