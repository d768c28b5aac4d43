"""Gentle nudges and reminders, as due work.

For people who asked for them, one nudge a week after an event and one a
month after, about the people they met there and have not followed up with
("not now" and "reached out" end them); never more. And a mail on the day of
each "remind me". Each is claimed by a conditional UPDATE before it is
queued, so two runners never send one twice; it is built when delivered, so
a follow-up marked in between is left out (and a nudge with nobody left in
it is not sent).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import render_template
from sqlalchemy import func, select, update

from organizer.plugin_api import (Attendee, Event, Message, Skip, db, gettext as _, in_language,
                                  lazy_gettext as _l, mail_renderer, queue_mail, write)

from . import network, people
from .models import Contact, Delivery, Person

WEEK, MONTH = timedelta(days=7), timedelta(days=30)
# A nudge later than this after its moment is not sent (the runner was down for weeks).
LATE = timedelta(days=14)
NUDGE = "followup.nudge"
REMINDER = "followup.reminder"
STAGES = {"week": (WEEK, Delivery.week_nudge_at), "month": (MONTH, Delivery.month_nudge_at)}


def _wanted(email: str) -> bool:
    return bool(db.session.scalar(select(Person.nudges).where(Person.email == email)))


def _due(stage: str, now: datetime) -> list[int]:
    after, column = STAGES[stage]
    return list(db.session.scalars(
        select(Delivery.attendee_id).join(Event, Event.id == Delivery.event_id)
        .where(column.is_(None), Event.ends_at <= now - after,
               Event.ends_at > now - after - LATE)
        .order_by(Delivery.attendee_id)))


def _claim(stage: str, attendee_id: int, now: datetime) -> bool:
    _, column = STAGES[stage]
    values = {column.key: now}
    if stage == "month":  # a week nudge not sent by now never will be
        values["week_nudge_at"] = func.coalesce(Delivery.week_nudge_at, now)
    return db.session.execute(update(Delivery).where(
        Delivery.attendee_id == attendee_id, column.is_(None)).values(**values)).rowcount == 1


def queue_nudges(now: datetime) -> int:
    """Claim every nudge that is due; queue those that are wanted and have someone open."""
    queued = 0
    for stage in ("month", "week"):
        for attendee_id in _due(stage, now):
            with write():
                if not _claim(stage, attendee_id, now):
                    continue  # another runner has it
                guest = db.session.get(Attendee, attendee_id)
                if not _wanted(guest.email) or not network.open_from(guest):
                    continue  # passed over, and never tried again
                with in_language(guest.event.language):
                    subject = _("Following up after %(event)s", event=guest.event.title)
                queue_mail(NUDGE, guest.email, {"attendee_id": guest.id, "stage": stage},
                           event_id=guest.event_id, attendee_id=guest.id, subject=subject)
                queued += 1
    return queued


def queue_reminders(now: datetime) -> int:
    """Claim and queue the mail of every "remind me" whose day has come."""
    due = list(db.session.scalars(select(Contact.id).where(
        Contact.state == "remind", Contact.remind_on <= now.date(),
        Contact.reminded_at.is_(None))))
    queued = 0
    for contact_id in due:
        with write():
            claimed = db.session.execute(update(Contact).where(
                Contact.id == contact_id, Contact.state == "remind",
                Contact.reminded_at.is_(None)).values(reminded_at=now)).rowcount == 1
            if not claimed:
                continue
            contact = db.session.get(Contact, contact_id)
            with in_language(_language_of(contact.person.email)):
                subject = _("A reminder to follow up")
            queue_mail(REMINDER, contact.person.email, {"contact_id": contact.id},
                       subject=subject)
            queued += 1
    return queued


def _latest_guest(email: str) -> Attendee | None:
    return db.session.scalar(select(Attendee).where(Attendee.email == email)
                             .order_by(Attendee.id.desc()).limit(1))


def _language_of(email: str) -> str | None:
    """The language a mail about no one event speaks to ``email``: that of the event of
    their latest place on a guest list."""
    guest = _latest_guest(email)
    return guest.event.language if guest is not None else None


@mail_renderer(NUDGE, title=_l("Follow-up nudges"))
def render_nudge(params: dict) -> Message:
    guest = db.session.get(Attendee, params["attendee_id"])
    if guest is None:
        raise Skip(_("They are no longer on the guest list."))
    if not _wanted(guest.email):
        raise Skip(_("They turned nudges off."))
    still_open = network.open_from(guest)
    if not still_open:
        raise Skip(_("They followed up with everyone meanwhile."))
    with in_language(guest.event.language):
        return _nudge(guest, still_open, params.get("stage"))


def _nudge(guest: Attendee, still_open: list[tuple], stage: str | None) -> Message:
    event = guest.event
    others = [{"name": met.name, "how": met.how,
               "reached": people.action_url(guest, "reached", other),
               "remind": people.action_url(guest, "remind14", other),
               "not_now": people.action_url(guest, "not_now", other)}
              for other, met in still_open]
    context = {"guest": guest, "event": event, "others": others,
               "stage": "week" if stage == "week" else "month",
               "network": people.network_url(guest),
               "subject": _("Following up after %(event)s", event=event.title)}
    return Message(to=guest.email, subject=context["subject"],
                   text=render_template("followup/mail/nudge.txt", **context),
                   html=render_template("followup/mail/nudge.html", **context),
                   reply_to=event.owner.email)


@mail_renderer(REMINDER, title=_l("Follow-up reminders"))
def render_reminder(params: dict) -> Message:
    contact = db.session.get(Contact, params["contact_id"])
    if contact is None or contact.state != "remind":
        raise Skip(_("The reminder was changed or removed."))
    me, other = _latest_guest(contact.person.email), _latest_guest(contact.other.email)
    if me is None or other is None:
        raise Skip(_("One of them is no longer on any guest list."))
    # A reminder is about no one event: it speaks the language of the person's latest.
    with in_language(me.event.language):
        context = {"me": me, "name": other.name, "note": contact.note,
                   "reached": people.action_url(me, "reached", other),
                   "remind": people.action_url(me, "remind14", other),
                   "network": people.network_url(me),
                   "subject": _("A reminder: follow up with %(name)s", name=other.name)}
        return Message(to=contact.person.email, subject=context["subject"],
                       text=render_template("followup/mail/reminder.txt", **context),
                       html=render_template("followup/mail/reminder.html", **context))
