"""The host's day on the guest list: approve in one click or in bulk, see who arrived when
and the answers that matter."""
from __future__ import annotations

import re

from organizer import attendees

from ..conftest import post, signup
from .helpers import make_event, person, rsvp


def test_pending_guests_are_approved_or_declined_in_one_click(app, host_client):
    event = make_event(host_client, capacity="5", approval="1")
    rsvp(app.test_client(), event, "Ana Souza", "ana@example.org")
    ana = person(event, "ana@example.org")
    page = host_client.get(f"/events/{event.id}/guests").text
    assert 'aria-label="Approve Ana Souza"' in page
    post(host_client, f"/events/{event.id}/guests/{ana.id}/status", {"status": "going"},
         page=f"/events/{event.id}/guests")
    assert person(event, "ana@example.org").status == "going"


def test_the_host_approves_ticked_guests_in_bulk_and_the_seats_still_hold(app, host_client):
    event = make_event(host_client, capacity="2", approval="1")
    for n in range(4):
        rsvp(app.test_client(), event, f"Guest {n}", f"g{n}@example.org")
    ids = [person(event, f"g{n}@example.org").id for n in range(4)]
    response = post(host_client, f"/events/{event.id}/guests/bulk?status=pending",
                    {"status": "going", "attendee_ids": [str(i) for i in ids[:3]]},
                    page=f"/events/{event.id}/guests", follow_redirects=True)
    assert "Done: 2 going, 1 waiting" in response.text and "on the waiting list" in response.text
    assert [person(event, f"g{n}@example.org").status for n in range(4)] == \
        ["going", "going", "waiting", "pending"]
    declined = post(host_client, f"/events/{event.id}/guests/bulk",
                    {"status": "declined", "attendee_ids": [str(ids[3])]},
                    page=f"/events/{event.id}/guests", follow_redirects=True)
    assert "Done: 1 declined" in declined.text
    nothing = post(host_client, f"/events/{event.id}/guests/bulk", {"status": "going"},
                   page=f"/events/{event.id}/guests", follow_redirects=True)
    assert "Tick the guests to change first" in nothing.text


def test_bulk_changes_reach_only_the_hosts_own_guests(app, host_client):
    event = make_event(host_client, capacity="5", approval="1")
    rsvp(app.test_client(), event, "Ana Souza", "ana@example.org")
    ana = person(event, "ana@example.org")
    other = app.test_client()
    signup(other, name="Mallory", email="mallory@example.org")
    mine = make_event(other, capacity="5")
    refused = post(other, f"/events/{event.id}/guests/bulk",
                   {"status": "going", "attendee_ids": [str(ana.id)]}, page="/dashboard")
    assert refused.status_code in (403, 404)
    sneaky = post(other, f"/events/{mine.id}/guests/bulk",
                  {"status": "going", "attendee_ids": [str(ana.id)]}, page="/dashboard",
                  follow_redirects=True)
    assert "Tick the guests to change first" in sneaky.text
    assert person(event, "ana@example.org").status == "pending"
    bad = post(host_client, f"/events/{event.id}/guests/bulk",
               {"status": "going", "attendee_ids": ["1; DROP TABLE attendee"]},
               page="/dashboard", follow_redirects=True)
    assert bad.status_code == 200 and "could not be read" in bad.text


def test_the_list_shows_when_each_guest_arrived_and_their_answers(app, host_client):
    event = make_event(host_client, capacity="5", plus_one="1")
    post(host_client, f"/events/{event.id}/questions", {"label": "Dietary needs", "kind": "text"},
         page="/dashboard")
    rsvp(app.test_client(), event, "Ana Souza", "ana@example.org", q1="Vegan",
         plus_one="1", guest_name="Bruno")
    ana = person(event, "ana@example.org")
    assert attendees.check_in(ana)
    page = host_client.get(f"/events/{event.id}/guests").text
    arrived = ana.checked_in_at.astimezone(event.zone).strftime("%H:%M")
    assert re.search(rf'<time datetime="[^"]+">{arrived}</time>', page)
    assert "<th scope=\"col\">Dietary needs</th>" in page and "<td>Vegan</td>" in page
    assert "+1 Bruno" in page
