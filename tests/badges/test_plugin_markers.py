"""Other plugins' lines on a badge and markers at the door (badge_lines, door_markers)."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from organizer.plugin_api import BadgeLine, DoorMarker, hookimpl

from ..conftest import signup
from ..rsvp.helpers import make_event, person, rsvp
from .helpers import scan, station_secret, ticket_url


class Speakers:
    """Marks speakers on their badge; tells the door who must not be photographed."""

    @hookimpl(optionalhook=True)
    def badge_lines(self, attendee):
        return BadgeLine("Speaker") if attendee.role == "Speaker" else None

    @hookimpl(optionalhook=True)
    def door_markers(self, attendee):
        markers = [DoorMarker("Speaker: send to the green room")] if attendee.role == "Speaker" else []
        if "nophoto" in attendee.email:
            markers.append(DoorMarker("No photos <give a red lanyard>", tone="warning"))
        return markers


@pytest.fixture
def door(app_factory):
    app = app_factory(EXTRA_PLUGINS=[("speakers", Speakers())])
    with app.app_context():
        host = app.test_client()
        signup(host)
        event = make_event(host, capacity="10")
        for name, email, role in (("Ben", "ben.nophoto@example.org", "Speaker"),
                                  ("Cy", "cy@example.org", "")):
            assert rsvp(app.test_client(), event, name, email, role=role).status_code == 201
        yield app, host, event


def _badge_text(host, event, attendee) -> str:
    data = host.get(f"/events/{event.id}/badges/{attendee.id}.pdf").data
    return " ".join(PdfReader(io.BytesIO(data)).pages[0].extract_text().split())


def test_a_plugins_line_is_printed_on_the_badge_of_those_it_names(door):
    app, host, event = door
    assert "SPEAKER" in _badge_text(host, event, person(event, "ben.nophoto@example.org"))
    assert "SPEAKER" not in _badge_text(host, event, person(event, "cy@example.org"))


def test_the_door_shows_each_markers_text_and_tone_on_the_scan(door):
    app, host, event = door
    secret = station_secret(host, event)
    ben = person(event, "ben.nophoto@example.org")
    answer = scan(app.test_client(), secret, ticket_url(app.test_client(), ben)).get_json()
    assert answer["result"] == "checked_in"
    assert answer["markers"] == [
        {"text": "Speaker: send to the green room", "tone": "info"},
        {"text": "No photos <give a red lanyard>", "tone": "warning"}]
    again = scan(app.test_client(), secret, ticket_url(app.test_client(), ben)).get_json()
    assert again["result"] == "already" and len(again["markers"]) == 2
    cy = person(event, "cy@example.org")
    assert scan(app.test_client(), secret,
                ticket_url(app.test_client(), cy)).get_json()["markers"] == []


def test_the_station_page_without_script_escapes_the_markers(door):
    app, host, event = door
    secret = station_secret(host, event)
    ben = person(event, "ben.nophoto@example.org")
    station = app.test_client()
    page = station.get(f"/station/{secret}")
    assert page.status_code == 200
    answer = station.post(f"/station/{secret}/scan", data={
        "code": ticket_url(app.test_client(), ben)})
    body = answer.get_data(as_text=True)
    assert '<li class="marker marker-warning">No photos &lt;give a red lanyard&gt;</li>' in body


def test_control_without_the_plugin_no_line_and_no_marker(app, host_client):
    event = make_event(host_client, capacity="5")
    assert rsvp(app.test_client(), event, "Ben", "ben@example.org", role="Speaker").status_code == 201
    ben = person(event, "ben@example.org")
    assert "SPEAKER" not in _badge_text(host_client, event, ben)
    answer = scan(app.test_client(), station_secret(host_client, event),
                  ticket_url(app.test_client(), ben)).get_json()
    assert answer["result"] == "checked_in" and answer["markers"] == []
