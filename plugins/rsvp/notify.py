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
                                  db, external_url, format_range, format_number, gettext as _,
                                  in_language, invite_ics, lazy_gettext as _l, mail_renderer,
                                  plugin_attachments, queue_mail, queue_mails)

from .labels import status_word


KIND = "rsvp.notice"

# kind: (subject, calendar method or None)
KINDS = {
    "going": (_l("You're going: %(title)s"), "REQUEST"),
    "promoted": (_l("A seat opened up — you're going: %(title)s"), "REQUEST"),
    "waiting": (_l("You're on the waiting list: %(title)s"), None),
    "pending": (_l("Your RSVP awaits the host's approval: %(title)s"), None),
    "declined": (_l("Your RSVP was declined: %(title)s"), None),
    "cancelled": (_l("You've cancelled: %(title)s"), "CANCEL"),
    "left": (_l("You've left the list: %(title)s"), None),
    "cancelled_by_host": (_l("Your place was cancelled: %(title)s"), "CANCEL"),
    "already": (_l("Your RSVP link: %(title)s"), None),
    "update": (_l("Changed: %(title)s"), "REQUEST"),
    "event_cancelled": (_l("Cancelled: %(title)s"), "CANCEL"),
    "reminder": (_l("Reminder: %(title)s"), "REQUEST"),
}


def subject(kind: str, event: Event) -> str:
    """The subject of the notice ``kind``, in the language being spoken."""
    return str(KINDS[kind][0]) % {"title": event.title}


# The status a notice is about; one that no longer holds when it is sent is dropped.
STILL = {"going": {"going"}, "promoted": {"going"}, "update": {"going"}, "reminder": {"going"},
         "waiting": {"waiting"}, "pending": {"pending"}, "declined": {"declined"},
         "cancelled": {"cancelled"}, "left": {"cancelled"}, "cancelled_by_host": {"cancelled"}}


def sequence_for(attendee: Attendee) -> int:
    """The SEQUENCE of this person's next calendar message."""
    from .seats import registration
    return attendee.event.sequence + registration(attendee).ics_bump


def _item(kind: str, attendee: Attendee, event: Event, said: str | None = None) -> dict:
    return {"to": attendee.email, "params": {"attendee_id": attendee.id, "notice": kind},
            "event_id": event.id, "attendee_id": attendee.id,
            "subject": subject(kind, event) if said is None else said}


def queue(kind: str, attendee: Attendee, event: Event | None = None) -> None:
    """Queue the mail ``kind`` (see ``KINDS``) for ``attendee`` in the current transaction."""
    event = event or attendee.event
    with in_language(event.language):  # the mail speaks the event's language
        item = _item(kind, attendee, event)
    queue_mail(KIND, item.pop("to"), **item)


def queue_everyone(kind: str, people: list[Attendee], event: Event) -> int:
    """Queue the mail ``kind`` for each of ``people`` in one statement; return how many."""
    with in_language(event.language):  # the mail speaks the event's language
        said = subject(kind, event)
    queue_mails(KIND, [_item(kind, person, event, said) for person in people])
    return len(people)


@mail_renderer(KIND, title=_l("RSVP mails and invites"))
def render(params: dict) -> Message:
    """Build a queued notice for the attendee as they are now."""
    # The attendee, their event and its host in one query; their registration in one more.
    attendee = db.session.scalar(select(Attendee).where(Attendee.id == params["attendee_id"])
                                 .options(joinedload(Attendee.event).joinedload(Event.owner)))
    if attendee is None:
        raise Skip(_("The guest is no longer on the list."))
    kind = params["notice"]
    if kind in STILL and attendee.status not in STILL[kind]:
        # A later change has its own mail (queued after this one): this one
        # would now say something untrue, or undo it in their calendar.
        raise Skip(_("Their RSVP changed before this went out (now %(status)s).",
                     status=status_word(attendee.status)))
    if KINDS[kind][1] == "REQUEST" and attendee.event.status == "cancelled":
        raise Skip(_("The event was cancelled before this went out."))
    return message(kind, attendee)


def lead(kind: str, attendee: Attendee, event: Event, position: int | None) -> str:
    """The sentence a notice opens with, the same in its text and HTML parts."""
    title = event.title
    if kind == "going":
        if attendee.guests:
            return _("You're going to %(title)s with your +1. The invite is attached: open it "
                     "to add the event to your calendar.", title=title)
        return _("You're going to %(title)s. The invite is attached: open it to add the event "
                 "to your calendar.", title=title)
    if kind == "promoted":
        return _("Good news: a seat opened up and you're now going to %(title)s. The invite is "
                 "attached.", title=title)
    if kind == "waiting":
        if position:
            return _("%(title)s is full, so you're on the waiting list at place %(position)s. If "
                     "a seat opens up you'll be moved up automatically and we'll mail you the "
                     "invite.", title=title, position=format_number(position))
        return _("%(title)s is full, so you're on the waiting list. If a seat opens up you'll "
                 "be moved up automatically and we'll mail you the invite.", title=title)
    if kind == "pending":
        return _("Thanks for your RSVP to %(title)s. The host approves each RSVP; we'll mail you "
                 "as soon as they decide.", title=title)
    if kind == "declined":
        return _("The host could not offer you a place at %(title)s this time.", title=title)
    if kind == "cancelled":
        return _("You've cancelled your place at %(title)s; the attached message removes it "
                 "from your calendar. Changed your mind? You can join again from your link "
                 "below while RSVPs are open.", title=title)
    if kind == "left":
        return _("You've left the list for %(title)s. You can join again from your link below "
                 "while RSVPs are open.", title=title)
    if kind == "cancelled_by_host":
        return _("The host has cancelled your place at %(title)s; the attached message removes "
                 "it from your calendar.", title=title)
    if kind == "already":
        return _("You asked to RSVP to %(title)s again, but you're already on the list "
                 "(status: %(status)s). Use your link below to change or cancel your RSVP.",
                 title=title, status=status_word(attendee.status))
    if kind == "update":
        return _("The host changed %(title)s. Here are the details as they are now; the "
                 "attached invite updates your calendar.", title=title)
    if kind == "event_cancelled":
        return _("The host has cancelled %(title)s. The attached message removes it from your "
                 "calendar.", title=title)
    if kind == "reminder":
        return _("A reminder: %(title)s is coming up.", title=title)
    raise KeyError(kind)


def message(kind: str, attendee: Attendee) -> Message:
    """The mail ``kind`` for ``attendee``, with its invite and plugins' attachments."""
    from .seats import position
    event = attendee.event
    method = KINDS[kind][1]
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
        "subject": subject(kind, event),
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
