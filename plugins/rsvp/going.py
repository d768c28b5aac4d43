"""Who's going, as the event page shows it: the people who chose to appear there."""
from __future__ import annotations

from sqlalchemy import func, select

from organizer.plugin_api import Attendee, AttendeeStatus, Event, db, utcnow, write

# A long list helps nobody scan for a familiar name; the rest are counted.
SHOWN = 48


def listed(event: Event) -> tuple[list[Attendee], int]:
    """Up to SHOWN going attendees who chose to be listed, in the order they joined,
    and how many chose it in all."""
    where = (Attendee.event_id == event.id, Attendee.status == AttendeeStatus.GOING,
             Attendee.listed.is_(True))
    people = db.session.scalars(select(Attendee).where(*where).order_by(Attendee.id)
                                .limit(SHOWN)).all()
    total = len(people) if len(people) < SHOWN else db.session.scalar(
        select(func.count()).select_from(Attendee).where(*where))
    return list(people), total


def set_listed(attendee_id: int, shown: bool) -> Attendee:
    """The attendee appears on (or disappears from) the event page's list."""
    with write():
        attendee = db.session.get(Attendee, attendee_id)
        attendee.listed = shown
        attendee.updated_at = utcnow()
    return attendee
