"""Helpers for the RSVP tests: an event to RSVP to, and RSVPs as a browser sends them."""
from __future__ import annotations

from organizer.db import db
from organizer.models import Attendee, Event

from ..conftest import create_event, csrf_token, outbox


def make_event(host_client, capacity="3", **settings) -> Event:
    """A published event with RSVP settings (plugin-rsvp-* form fields)."""
    fields = {"plugin-rsvp-enabled": "1", "plugin-rsvp-reminder_hours": "24",
              "plugin-rsvp-public_count": "1"}
    for key, value in settings.items():
        if value is not None:
            fields[f"plugin-rsvp-{key}"] = value
    event_id = create_event(host_client, capacity=capacity, **fields)
    return db.session.get(Event, event_id)


def rsvp(client, event: Event, name: str, email: str, **extra):
    """Submit the RSVP form from the event page."""
    token = csrf_token(client)
    return client.post(f"/e/{event.slug}/rsvp",
                       data={"csrf_token": token, "name": name, "email": email, **extra})


def person(event: Event, email: str) -> Attendee:
    db.session.expire_all()
    return db.session.query(Attendee).filter_by(event_id=event.id, email=email).one()


def mails_to(app, address: str) -> list:
    return [m for m in outbox(app) if m["To"] == address]


def calendar_of(message) -> bytes | None:
    """The text/calendar part of a mail, if any."""
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return part.get_content().encode()
    return None
