"""Reminder mails N hours before the start, each queued exactly once."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from organizer.plugin_api import Attendee, AttendeeStatus, Event, db, write

from . import notify, settings
from .models import RsvpRegistration


def send_due(now: datetime) -> int:
    """Queue the reminder for everyone going to an event whose reminder time has come."""
    soon = db.session.scalars(select(Event.id).where(
        Event.status == "published", Event.starts_at > now,
        Event.starts_at <= now + timedelta(hours=settings.MAX_REMINDER_HOURS))).all()
    queued = 0
    for event_id in soon:
        # One transaction per event: the claim (a conditional UPDATE, so two
        # runs at once remind nobody twice) and the mails it queues.
        with write():
            event = db.session.get(Event, event_id)
            due = settings.reminder_due(event)
            if event.status != "published" or due is None or due > now:
                continue
            going = select(Attendee.id).where(Attendee.event_id == event.id,
                                              Attendee.status == AttendeeStatus.GOING)
            claimed = db.session.execute(
                update(RsvpRegistration).where(RsvpRegistration.attendee_id.in_(going),
                                               RsvpRegistration.reminder_sent_at.is_(None))
                .values(reminder_sent_at=now).returning(RsvpRegistration.attendee_id)
            ).scalars().all()
            if claimed:
                people = db.session.scalars(select(Attendee).where(
                    Attendee.id.in_(claimed)).order_by(Attendee.id)).all()
                queued += notify.queue_everyone("reminder", people, event)
    return queued
