"""Mails to attendees: confirmations, waiting list, approvals, updates, reminders.

Each mail carries the person's private link; those that put the event in a
calendar carry a METHOD:REQUEST invite, those that take it out a
METHOD:CANCEL, both with the event's UID.
"""
from __future__ import annotations

from flask import render_template

from organizer import ics, mail
from organizer.models import Attendee
from organizer.timeutil import format_range
from organizer.urls import external_url

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


def sequence_for(attendee: Attendee, reg=None) -> int:
    """The SEQUENCE of this person's next calendar message."""
    from .seats import registration
    return attendee.event.sequence + (reg or registration(attendee)).ics_bump


def send(kind: str, attendee: Attendee, reg=None) -> None:
    """Mail ``attendee`` the message ``kind`` (see ``KINDS``)."""
    from .seats import position
    event = attendee.event
    subject, method = KINDS[kind]
    calendar = None
    if method == "REQUEST":
        calendar = ics.invite(event, attendee, sequence=sequence_for(attendee, reg))
    elif method == "CANCEL":
        calendar = ics.cancellation(event, attendee, sequence=sequence_for(attendee, reg))
    context = {
        "attendee": attendee, "event": event, "kind": kind,
        "when": format_range(event.local_start, event.local_end),
        "link": external_url("rsvp.mine", token=attendee.token),
        "event_url": external_url("events.public", slug=event.slug),
        "position": position(attendee),
    }
    mail.send(mail.Message(
        to=attendee.email, subject=subject.format(title=event.title),
        text=render_template("rsvp/mail/message.txt", **context),
        calendar=calendar, calendar_method=method, reply_to=event.owner.email,
        attachments=mail.plugin_attachments(kind, attendee)))
