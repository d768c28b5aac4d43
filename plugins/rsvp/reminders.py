"""Reminder mails N hours before the start, each sent exactly once."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select, update

from organizer.db import db
from organizer.models import Attendee, Event

from . import notify, settings
from .models import RsvpRegistration

log = logging.getLogger(__name__)


def _claim(attendee_id: int, now: datetime) -> bool:
    # One conditional UPDATE per person: two ticks at once send one mail.
    # It starts its own transaction: on SQLite a transaction that has read
    # cannot write once another connection has written.
    db.session.commit()
    result = db.session.execute(
        update(RsvpRegistration).where(RsvpRegistration.attendee_id == attendee_id,
                                       RsvpRegistration.reminder_sent_at.is_(None))
        .values(reminder_sent_at=now))
    db.session.commit()
    return result.rowcount == 1


def send_due(now: datetime) -> int:
    """Mail the reminder to everyone going to an event whose reminder time has come."""
    soon = db.session.scalars(select(Event).where(
        Event.status == "published", Event.starts_at > now,
        Event.starts_at <= now + timedelta(hours=settings.MAX_REMINDER_HOURS))).all()
    sent = 0
    for event in soon:
        due = settings.reminder_due(event)
        if due is None or due > now:
            continue
        people = db.session.scalars(
            select(Attendee.id).join(RsvpRegistration,
                                     RsvpRegistration.attendee_id == Attendee.id)
            .where(Attendee.event_id == event.id, Attendee.status == "going",
                   RsvpRegistration.reminder_sent_at.is_(None))).all()
        db.session.commit()
        for attendee_id in people:
            if not _claim(attendee_id, now):
                continue
            try:
                notify.send("reminder", db.session.get(Attendee, attendee_id))
            except Exception:
                # Unclaim, so the next tick tries again; the others still go out.
                log.exception("reminder to attendee %s failed", attendee_id)
                db.session.rollback()
                db.session.execute(update(RsvpRegistration).where(
                    RsvpRegistration.attendee_id == attendee_id).values(reminder_sent_at=None))
                db.session.commit()
                continue
            sent += 1
    return sent
