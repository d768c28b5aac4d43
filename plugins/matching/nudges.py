"""Asking the people without a networking profile to fill one in: once each, by mail,
at the host's request from the matching page."""
from __future__ import annotations

from flask import render_template
from sqlalchemy import select

from organizer.plugin_api import (Attendee, AttendeeStatus, Event, Message, Skip, card_url, db,
                                  external_url, format_range, gettext as _, in_language,
                                  lazy_gettext as _l, mail_renderer, queue_mails, utcnow, write)

from .models import Nudge, Profile

KIND = "matching.nudge"


def without_profile(event: Event, people: list[Attendee]) -> tuple[list[Attendee], set[int]]:
    """Of ``people`` (those taking part), who has no profile yet, and which of them
    were already asked."""
    ids = [a.id for a in people]
    if not ids:
        return [], set()
    have = set(db.session.scalars(select(Profile.attendee_id).where(
        Profile.attendee_id.in_(ids))))
    missing = [a for a in people if a.id not in have]
    asked = set(db.session.scalars(select(Nudge.attendee_id).where(
        Nudge.attendee_id.in_([a.id for a in missing])))) if missing else set()
    return missing, asked


def send(event: Event, people: list[Attendee]) -> int:
    """Mail everyone of ``people`` without a profile who was not asked before; return
    how many were mailed. The record and the mails are written together."""
    with write():
        missing, asked = without_profile(event, people)
        fresh = [a for a in missing if a.id not in asked]
        now = utcnow()
        for person in fresh:
            db.session.add(Nudge(attendee_id=person.id, event_id=event.id, sent_at=now))
        with in_language(event.language):  # the mail speaks the event's language
            subject = _("Who should you meet at %(title)s?", title=event.title)
        queue_mails(KIND, [{"to": a.email, "params": {"attendee_id": a.id},
                            "event_id": event.id, "attendee_id": a.id, "subject": subject}
                           for a in fresh])
    return len(fresh)


@mail_renderer(KIND, title=_l("Profile reminders"))
def render(params: dict) -> Message:
    """The request to fill in a profile, unless they have one by now."""
    person = db.session.get(Attendee, params["attendee_id"])
    if person is None or person.status != AttendeeStatus.GOING:
        raise Skip(_("They are no longer going."))
    if db.session.get(Profile, person.id) is not None:
        raise Skip(_("They filled in their profile before this went out."))
    event = person.event
    context = {"person": person, "event": event,
               "when": format_range(event.local_start, event.local_end),
               "link": external_url("matching.profile", token=person.token),
               "card": card_url(event),
               "subject": _("Who should you meet at %(title)s?", title=event.title)}
    return Message(to=person.email, subject=context["subject"],
                   text=render_template("matching/mail/nudge.txt", **context),
                   html=render_template("matching/mail/nudge.html", **context),
                   reply_to=event.owner.email)
