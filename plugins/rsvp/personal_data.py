"""What the RSVP plugin keeps about a person, for their export, and forgetting it."""
from __future__ import annotations

from sqlalchemy import delete, select, update

from organizer.plugin_api import Attendee, Event, db

from .models import RsvpQuestion, RsvpRegistration, SeriesHold



def _holds(attendees: list[Attendee]):
    """Their holds on every date of the series their events belong to."""
    series_ids = select(Event.series_id).where(
        Event.id.in_(sorted({a.event_id for a in attendees})), Event.series_id.is_not(None))
    return (SeriesHold.email.in_(sorted({a.email for a in attendees}))
            & SeriesHold.series_id.in_(series_ids))


def data(attendees: list[Attendee], whole: bool) -> dict:
    """Their answers to each event's questions, their +1, waiting-list dates and holds."""
    ids = [a.id for a in attendees]
    registrations = db.session.scalars(select(RsvpRegistration).where(
        RsvpRegistration.attendee_id.in_(ids)).order_by(RsvpRegistration.attendee_id)).all()
    labels = {str(q.id): q.label for q in db.session.scalars(select(RsvpQuestion).where(
        RsvpQuestion.event_id.in_(sorted({r.event_id for r in registrations}))))} \
        if registrations else {}
    titles = {a.id: a.event.title for a in attendees}
    holds = db.session.scalars(select(SeriesHold).where(_holds(attendees))).all()
    return {
        "RSVP answers": [{
            "event": titles[r.attendee_id],
            "answers": {labels.get(key, f"question {key}"): value
                        for key, value in (r.answers or {}).items()},
            "+1's name": r.guest_name, "joined the waiting list": r.waiting_since,
            "moved up to a seat": r.promoted_at,
            "reminder sent": r.reminder_sent_at} for r in registrations],
        "Seats held for every date of a series": [{
            "series": h.series.title, "name": h.name, "organisation": h.organisation,
            "role": h.role, "since": h.created_at, "stopped": h.stopped_at}
            for h in holds],
    }


def forget(attendees: list[Attendee], whole: bool) -> None:
    """Blank their answers and +1's name (the seats stay counted) and end their holds;
    a hold stays when only some of their dates are forgotten and others remain."""
    ids = [a.id for a in attendees]
    db.session.execute(update(RsvpRegistration).where(RsvpRegistration.attendee_id.in_(ids))
                       .values(answers={}, guest_name="", hold_id=None))
    holds = _holds(attendees)
    if not whole:
        remaining = select(Attendee.id).join(Event, Event.id == Attendee.event_id).where(
            Attendee.email == SeriesHold.email, Event.series_id == SeriesHold.series_id,
            Attendee.id.not_in(ids))
        holds &= ~remaining.exists()
    db.session.execute(delete(SeriesHold).where(holds))
