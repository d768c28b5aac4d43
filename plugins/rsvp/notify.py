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

from organizer.plugin_api import (Attendee, Event, Message, Skip, cancellation_ics, db,
                                  external_url, format_range, invite_ics, mail_renderer,
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
        "position": position(attendee),
    }
    return Message(
        to=attendee.email, subject=subject.format(title=event.title),
        text=render_template("rsvp/mail/message.txt", **context),
        calendar=calendar, calendar_method=method, reply_to=event.owner.email,
        attachments=plugin_attachments(kind, attendee))
