"""Nobody takes over someone else's RSVP, and the waiting list is first come, first served."""
from __future__ import annotations

from ..conftest import event_form, post
from .helpers import mails_to, make_event, person, rsvp


def test_an_address_on_the_list_cannot_be_taken_over_by_the_rsvp_form(app, host_client):
    event = make_event(host_client)
    victim_client = app.test_client()
    rsvp(victim_client, event, "Vera", "vera@example.org", plus_one="")
    token = person(event, "vera@example.org").token
    post(victim_client, f"/rsvp/{token}/cancel")
    attack = rsvp(app.test_client(), event, "Attacker", "vera@example.org")
    page = attack.get_data(as_text=True)
    assert attack.status_code == 409 and token not in page
    vera = person(event, "vera@example.org")
    assert vera.name == "Vera" and vera.status == "cancelled"
    # The link goes to the address's owner, not to whoever typed it.
    assert mails_to(app, "vera@example.org")[-1]["Subject"].startswith("Your RSVP link")


def test_someone_declined_cannot_come_back_on_their_own(app, host_client):
    event = make_event(host_client, approval="1")
    rsvp(app.test_client(), event, "Dan", "dan@example.org")
    dan = person(event, "dan@example.org")
    post(host_client, f"/events/{event.id}/guests/{dan.id}/status", {"status": "declined"},
         page="/dashboard")
    assert rsvp(app.test_client(), event, "Dan", "dan@example.org").status_code == 409
    response = post(app.test_client(), f"/rsvp/{dan.token}/rejoin",
                    follow_redirects=True)
    assert "declined" in response.get_data(as_text=True)
    assert person(event, "dan@example.org").status == "declined"


def test_someone_who_rejoins_goes_to_the_back_of_the_queue(app, host_client):
    event = make_event(host_client, capacity="1")
    for name in ("ana", "vic", "dee"):
        rsvp(app.test_client(), event, name, f"{name}@example.org")
    vic = person(event, "vic@example.org")
    post(app.test_client(), f"/rsvp/{vic.token}/cancel")
    post(app.test_client(), f"/rsvp/{vic.token}/rejoin")
    ana = person(event, "ana@example.org")
    post(app.test_client(), f"/rsvp/{ana.token}/cancel")
    assert person(event, "dee@example.org").status == "going"
    assert person(event, "vic@example.org").status == "waiting"


def test_the_host_can_move_someone_going_to_the_waiting_list(app, host_client):
    event = make_event(host_client, capacity="1")
    rsvp(app.test_client(), event, "Ana", "ana@example.org")
    rsvp(app.test_client(), event, "Ben", "ben@example.org")
    ana = person(event, "ana@example.org")
    post(host_client, f"/events/{event.id}/guests/{ana.id}/status", {"status": "waiting"},
         page="/dashboard")
    assert person(event, "ana@example.org").status == "waiting"
    assert person(event, "ben@example.org").status == "going"


def test_no_promotion_and_no_changes_once_the_event_is_cancelled(app, host_client):
    event = make_event(host_client, capacity="1", plus_one="1")
    rsvp(app.test_client(), event, "Ana", "ana@example.org")
    rsvp(app.test_client(), event, "Ben", "ben@example.org")
    post(host_client, f"/events/{event.id}/cancel", page="/dashboard")
    ana = person(event, "ana@example.org")
    post(app.test_client(), f"/rsvp/{ana.token}/cancel")
    assert person(event, "ben@example.org").status == "waiting"
    assert not any(m["Subject"].startswith("A seat opened up")
                   for m in mails_to(app, "ben@example.org"))
    ben = person(event, "ben@example.org")
    response = post(app.test_client(), f"/rsvp/{ben.token}/answers",
                    {"name": "Ben", "plus_one": "1"})
    assert response.status_code in (409, 422) and person(event, "ben@example.org").guests == 0


def test_the_export_header_is_neutralised_too(app, host_client):
    event = make_event(host_client)
    post(host_client, f"/events/{event.id}/questions", {"label": "=cmd|' /C calc'!A0",
                                                        "kind": "text"}, page="/dashboard")
    header = host_client.get(f"/events/{event.id}/guests.csv").get_data(as_text=True)
    assert header.splitlines()[0].endswith("'=cmd|' /C calc'!A0")


def test_a_deadline_outside_sensible_years_is_refused(host_client):
    response = post(host_client, "/events/new", event_form(
        **{"plugin-rsvp-deadline": "0001-01-01T00:00"}), page="/dashboard")
    assert response.status_code == 422
    assert "between the years 1970 and 2200" in response.get_data(as_text=True)
