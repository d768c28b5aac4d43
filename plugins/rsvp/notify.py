"""Mails to attendees: confirmations, waiting list, approvals, updates, reminders.

Each mail carries the person's private link; those that put the event in a
calendar carry a METHOD:REQUEST invite, those that take it out a
METHOD:CANCEL, both with the event's UID.

A change queues its mail in its own transaction (:func:`queue`); the mail,
its invite and its ticket are built when it is delivered (:func:`render`),
so the page that made the change never waits for them.
"""
from __future__ import annotations

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from organizer.plugin_api import (Attendee, Event, Message, Skip, cancellation_ics, card_url,
                                  db, external_url, format_range, invite_ics, mail_renderer,
                                  plugin_attachments, queue_mail, queue_mails)


KIND = "rsvp.notice"

# kind: (subject, calendar method or None)
KINDS = {
    "going": ("You're going: {title}", "REQUEST"),
    "promoted": ("A seat opened up — you're going: {title}", "REQUEST"),
    "waiting": ("You're on the waiting list: {title}", None),
    "pending": ("Your RSVP awaits the host's approval: {title}", None),
    "declined": ("Your RSVP was declined: {title}", None),
    "cancelled": ("You've cancelled: {title}", "CANCEL"),
    "left": ("You've left the list: {title}", None),
    "cancelled_by_host": ("Your place was cancelled: {title}", "CANCEL"),
    "already": ("Your RSVP link: {title}", None),
    "update": ("Changed: {title}", "REQUEST"),
    "event_cancelled": ("Cancelled: {title}", "CANCEL"),
    "reminder": ("Reminder: {title}", "REQUEST"),
}


# The status a notice is about; one that no longer holds when it is sent is dropped.
STILL = {"going": {"going"}, "promoted": {"going"}, "update": {"going"}, "reminder": {"going"},
         "waiting": {"waiting"}, "pending": {"pending"}, "declined": {"declined"},
         "cancelled": {"cancelled"}, "left": {"cancelled"}, "cancelled_by_host": {"cancelled"}}


def sequence_for(attendee: Attendee) -> int:
    """The SEQUENCE of this person's next calendar message."""
    from .seats import registration
    return attendee.event.sequence + registration(attendee).ics_bump


def _item(kind: str, attendee: Attendee, event: Event) -> dict:
    return {"to": attendee.email, "params": {"attendee_id": attendee.id, "notice": kind},
            "event_id": event.id, "attendee_id": attendee.id,
            "subject": KINDS[kind][0].format(title=event.title)}


def queue(kind: str, attendee: Attendee, event: Event | None = None) -> None:
    """Queue the mail ``kind`` (see ``KINDS``) for ``attendee`` in the current transaction."""
    item = _item(kind, attendee, event or attendee.event)
    queue_mail(KIND, item.pop("to"), **item)


def queue_everyone(kind: str, people: list[Attendee], event: Event) -> int:
    """Queue the mail ``kind`` for each of ``people`` in one statement; return how many."""
    queue_mails(KIND, [_item(kind, person, event) for person in people])
    return len(people)


@mail_renderer(KIND, title="RSVP mails and invites")
def render(params: dict) -> Message:
    """Build a queued notice for the attendee as they are now."""
    # The attendee, their event and its host in one query; their registration in one more.
    attendee = db.session.scalar(select(Attendee).where(Attendee.id == params["attendee_id"])
                                 .options(joinedload(Attendee.event).joinedload(Event.owner)))
    if attendee is None:
        raise Skip("The guest is no longer on the list.")
    kind = params["notice"]
    if kind in STILL and attendee.status not in STILL[kind]:
        # A later change has its own mail (queued after this one): this one
        # would now say something untrue, or undo it in their calendar.
        raise Skip(f"Their RSVP changed before this went out (now {attendee.status}).")
    if KINDS[kind][1] == "REQUEST" and attendee.event.status == "cancelled":
        raise Skip("The event was cancelled before this went out.")
    return message(kind, attendee)


def lead(kind: str, attendee: Attendee, event: Event, position: int | None) -> str:
    """The sentence a notice opens with, the same in its text and HTML parts."""
    title = event.title
    return {
        "going": f"You're going to {title}{' with your +1' if attendee.guests else ''}. "
                 "The invite is attached: open it to add the event to your calendar.",
        "promoted": f"Good news: a seat opened up and you're now going to {title}. "
                    "The invite is attached.",
        "waiting": f"{title} is full, so you're on the waiting list"
                   f"{f' at place {position}' if position else ''}. If a seat opens up "
                   "you'll be moved up automatically and we'll mail you the invite.",
        "pending": f"Thanks for your RSVP to {title}. The host approves each RSVP; "
                   "we'll mail you as soon as they decide.",
        "declined": f"The host could not offer you a place at {title} this time.",
        "cancelled": f"You've cancelled your place at {title}; the attached message removes "
                     "it from your calendar. Changed your mind? You can join again from your "
                     "link below while RSVPs are open.",
        "left": f"You've left the list for {title}. You can join again from your link "
                "below while RSVPs are open.",
        "cancelled_by_host": f"The host has cancelled your place at {title}; the attached "
                             "message removes it from your calendar.",
        "already": f"You asked to RSVP to {title} again, but you're already on the list "
                   f"(status: {attendee.status}). Use your link below to change or cancel "
                   "your RSVP.",
        "update": f"The host changed {title}. Here are the details as they are now; the "
                  "attached invite updates your calendar.",
        "event_cancelled": f"The host has cancelled {title}. The attached message removes "
                           "it from your calendar.",
        "reminder": f"A reminder: {title} is coming up.",
    }[kind]


def message(kind: str, attendee: Attendee) -> Message:
    """The mail ``kind`` for ``attendee``, with its invite and plugins' attachments."""
    from .seats import position
    event = attendee.event
    subject, method = KINDS[kind]
    calendar = None
    if method == "REQUEST":
        calendar = invite_ics(event, attendee, sequence=sequence_for(attendee))
    elif method == "CANCEL":
        calendar = cancellation_ics(event, attendee, sequence=sequence_for(attendee))
    context = {
        "attendee": attendee, "event": event, "kind": kind,
        "when": format_range(event.local_start, event.local_end),
        "link": external_url("attendee.page", token=attendee.token),
        "event_url": external_url("events.public", slug=event.slug),
        "card_url": card_url(event), "calendar": calendar is not None,
        "lead": lead(kind, attendee, event, position(attendee)),
        "subject": subject.format(title=event.title),
        # A date of a series can be skipped in one click from its reminder.
        "skip": external_url("rsvp_mine.skip", token=attendee.token)
        if kind == "reminder" and event.series_id is not None else None,
    }
    return Message(
        to=attendee.email, subject=context["subject"],
        text=render_template("rsvp/mail/message.txt", **context),
        html=render_template("rsvp/mail/message.html", **context),
        calendar=calendar, calendar_method=method, reply_to=event.owner.email,
        attachments=plugin_attachments(kind, attendee))
