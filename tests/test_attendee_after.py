"""The attendee's page follows the event: the ticket first before it; after it, thanks and
what comes next, with nothing left to change or cancel."""
from __future__ import annotations

import re
from datetime import timedelta

from organizer import attendees
from organizer.db import db
from organizer.models import Event, utcnow


def _panel_titles(page: str) -> list[str]:
    return re.findall(r'<h2 id="[^"]+-title">([^<]+)</h2>', page)


def _move(event, start_hours_from_now: float):
    start = utcnow() + timedelta(hours=start_hours_from_now)
    db.session.execute(db.update(Event).where(Event.id == event.id).values(
        starts_at=start, ends_at=start + timedelta(hours=2)))
    db.session.commit()


def test_before_the_event_the_ticket_comes_first(app, event, attendee):
    page = app.test_client().get(f"/rsvp/{attendee.token}").text
    titles = _panel_titles(page)
    assert titles[0] == "Your ticket"
    assert "You're going" in page and "Cancel my RSVP" in page and "Add to calendar" in page


def test_after_the_event_the_page_thanks_and_offers_only_what_comes_next(app, event, attendee):
    assert attendees.check_in(attendee)
    _move(event, -5)  # ended three hours ago
    page = app.test_client().get(f"/rsvp/{attendee.token}").text
    assert "Thanks for coming, Ben Guest!" in page
    for gone in ("You're going", "Cancel my RSVP", "Your ticket", "Add to calendar",
                 "Your answers", "Show me on the event page"):
        assert gone not in page, gone
    titles = _panel_titles(page)
    assert titles[:2] == ["Your follow-up", "People you met"]


def test_a_guest_who_did_not_come_is_not_thanked_for_coming(app, event, attendee):
    _move(event, -5)
    page = app.test_client().get(f"/rsvp/{attendee.token}").text
    assert "Thanks for coming" not in page and "This event has taken place" in page


def test_during_the_event_the_ticket_is_still_there_for_the_door(app, event, attendee):
    _move(event, -1)  # started an hour ago, ends in an hour
    page = app.test_client().get(f"/rsvp/{attendee.token}").text
    assert _panel_titles(page)[0] == "Your ticket" and "You're going" in page
