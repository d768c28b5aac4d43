"""Calendar files: parse back strictly, fold lines, carry VTIMEZONEs, stable UIDs."""
from __future__ import annotations

from datetime import datetime, timedelta

import icalendar
from ical.calendar_stream import IcsCalendarStream
from sqlalchemy import select

from organizer import ics
from organizer.db import db
from organizer.models import Attendee, Event

from .conftest import create_event, event_form, post


def strict_parse(body: bytes):
    """Parse with a strict third-party parser (``ical``); raises on invalid files."""
    return IcsCalendarStream.calendar_from_ics(body.decode("utf-8"))


def check_rules(body: bytes) -> icalendar.Calendar:
    """The rules every file we emit follows; returns the parsed calendar."""
    assert body.endswith(b"\r\n")
    for line in body.split(b"\r\n"):
        assert len(line) <= 75, line
    cal = icalendar.Calendar.from_ical(body)
    tzids = {str(c["TZID"]) for c in cal.walk("VTIMEZONE")}
    for component in cal.walk():
        for name in ("DTSTART", "DTEND", "RECURRENCE-ID"):
            if name in component and "TZID" in component[name].params:
                assert component[name].params["TZID"] in tzids
    strict_parse(body)
    return cal


def _event(client, event_id):
    return db.session.get(Event, event_id)


def test_the_download_is_publish_with_uid_alarm_and_local_times(app, host_client):
    event_id = create_event(host_client, start="2030-07-02T08:30", end="2030-07-02T09:15")
    event = _event(host_client, event_id)
    response = app.test_client().get(f"/e/{event.slug}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    cal = check_rules(response.data)
    assert cal["METHOD"] == "PUBLISH"
    vevent = cal.walk("VEVENT")[0]
    assert str(vevent["UID"]) == event.uid
    assert vevent["DTSTART"].dt == datetime(2030, 7, 2, 8, 30, tzinfo=event.zone)
    assert vevent["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert vevent["STATUS"] == "CONFIRMED"
    alarm = vevent.walk("VALARM")[0]
    assert alarm["TRIGGER"].dt == -timedelta(minutes=60)
    assert f"/e/{event.slug}" in str(vevent["URL"])


def test_uid_stays_and_sequence_rises_on_every_change(app, host_client):
    event_id = create_event(host_client)
    slug = _event(host_client, event_id).slug
    anonymous = app.test_client()
    seen = []
    for title in ("First", "Second", "Third"):
        post(host_client, f"/events/{event_id}/edit", event_form(title=title, action="save"),
             page="/dashboard")
        vevent = icalendar.Calendar.from_ical(anonymous.get(f"/e/{slug}.ics").data).walk("VEVENT")[0]
        seen.append((str(vevent["UID"]), int(vevent["SEQUENCE"]), str(vevent["SUMMARY"])))
    assert len({uid for uid, _, _ in seen}) == 1
    assert [s for _, s, _ in seen] == sorted({s for _, s, _ in seen})
    assert seen[-1][2] == "Third"


def test_a_cancelled_event_is_status_cancelled(app, host_client):
    event_id = create_event(host_client)
    post(host_client, f"/events/{event_id}/cancel", page="/dashboard")
    body = app.test_client().get(f"/e/{_event(host_client, event_id).slug}.ics").data
    vevent = check_rules(body).walk("VEVENT")[0]
    assert vevent["STATUS"] == "CANCELLED"


def test_line_breaks_in_user_text_cannot_add_properties(app, host_client):
    event_id = create_event(host_client)
    event = _event(host_client, event_id)
    # The form refuses such a title; the calendar must be safe even if one got in.
    event.title = "Coffee\r\nATTENDEE:mailto:evil@example.org\r\nX-EVIL:1"
    event.venue = "Room 1\nORGANIZER:mailto:evil@example.org"
    event.description = "a\r\nEND:VEVENT\r\nBEGIN:VEVENT"
    db.session.commit()
    body = app.test_client().get(f"/e/{event.slug}.ics").data
    cal = check_rules(body)
    vevents = cal.walk("VEVENT")
    assert len(vevents) == 1
    assert "ATTENDEE" not in vevents[0] and "X-EVIL" not in vevents[0]
    assert b"\r\nATTENDEE" not in body and b"\r\nX-EVIL" not in body
    assert str(vevents[0]["SUMMARY"]).startswith("Coffee\nATTENDEE")


def test_long_text_is_folded_at_75_octets_even_for_multibyte_characters(app, host_client):
    event_id = create_event(host_client, title="Café " + "ünïcödé ☕ " * 18,
                            description="Долгий текст " * 200)
    body = app.test_client().get(f"/e/{_event(host_client, event_id).slug}.ics").data
    cal = check_rules(body)
    assert str(cal.walk("VEVENT")[0]["SUMMARY"]).startswith("Café ünïcödé ☕")


def test_mail_invites_are_request_and_cancel_with_organizer_and_attendee(app, host_client):
    event_id = create_event(host_client)
    event = _event(host_client, event_id)
    attendee = Attendee(event_id=event.id, name="Ben Guest", email="ben@example.org")
    db.session.add(attendee)
    db.session.commit()
    with app.test_request_context():
        request_body = ics.invite(event, attendee)
        cancel_body = ics.cancellation(event, attendee, sequence=event.sequence + 1)
    request_cal = check_rules(request_body)
    assert request_cal["METHOD"] == "REQUEST"
    vevent = request_cal.walk("VEVENT")[0]
    assert str(vevent["ORGANIZER"]) == "mailto:ana@example.org"
    assert vevent["ORGANIZER"].params["CN"] == "Ana Host"
    assert str(vevent["ATTENDEE"]) == "mailto:ben@example.org"
    assert vevent["ATTENDEE"].params["CN"] == "Ben Guest"
    cancel_cal = check_rules(cancel_body)
    assert cancel_cal["METHOD"] == "CANCEL"
    cancelled = cancel_cal.walk("VEVENT")[0]
    assert cancelled["STATUS"] == "CANCELLED"
    assert str(cancelled["UID"]) == str(vevent["UID"])
    assert int(cancelled["SEQUENCE"]) > int(vevent["SEQUENCE"])


def test_a_different_zone_gets_its_own_vtimezone(app, host_client):
    create_event(host_client, timezone="America/New_York", title="NY")
    create_event(host_client, timezone="Asia/Tokyo", title="Tokyo")
    handle = db.session.scalar(select(Event)).owner.handle
    body = app.test_client().get(f"/h/{handle}/calendar.ics").data
    cal = check_rules(body)
    assert {str(c["TZID"]) for c in cal.walk("VTIMEZONE")} == {"America/New_York", "Asia/Tokyo"}


def test_the_description_keeps_its_paragraphs_and_list_items(app, host_client):
    event_id = create_event(host_client, description="Hello **all**.\n\n- one & two\n- three")
    body = app.test_client().get(f"/e/{_event(host_client, event_id).slug}.ics").data
    text = str(check_rules(body).walk("VEVENT")[0]["DESCRIPTION"])
    assert text.startswith("Hello all.\n• one & two\n• three")
