"""Capacity, the waiting list, +1 guests and approval mode."""
from __future__ import annotations

from ..conftest import event_form, post
from .helpers import mails_to, make_event, person, rsvp


def test_once_full_people_wait_and_see_their_position(app, host_client):
    event = make_event(host_client, capacity="2")
    for n in range(4):
        rsvp(app.test_client(), event, f"P{n}", f"p{n}@example.org")
    assert [person(event, f"p{n}@example.org").status for n in range(4)] == [
        "going", "going", "waiting", "waiting"]
    response = rsvp(app.test_client(), event, "P4", "p4@example.org")
    assert "You're number <strong>3</strong>" in response.get_data(as_text=True)
    page = app.test_client().get(f"/e/{event.slug}").get_data(as_text=True)
    assert "Join the waiting list" in page and "3 on the waiting list" in page


def test_a_cancellation_promotes_the_first_person_waiting_and_mails_the_invite(app, host_client):
    event = make_event(host_client, capacity="1")
    rsvp(app.test_client(), event, "Ana", "ana.g@example.org")
    rsvp(app.test_client(), event, "Ben", "ben@example.org")
    rsvp(app.test_client(), event, "Cem", "cem@example.org")
    ana = person(event, "ana.g@example.org")
    post(app.test_client(), f"/rsvp/{ana.token}/cancel", page=f"/rsvp/{ana.token}")
    assert person(event, "ben@example.org").status == "going"
    assert person(event, "cem@example.org").status == "waiting"
    promoted = mails_to(app, "ben@example.org")[-1]
    assert promoted["Subject"].startswith("A seat opened up")
    assert any(p.get_content_type() == "text/calendar" for p in promoted.walk())


def test_raising_the_capacity_promotes_people_waiting(app, host_client):
    event = make_event(host_client, capacity="1")
    for n in range(3):
        rsvp(app.test_client(), event, f"P{n}", f"p{n}@example.org")
    post(host_client, f"/events/{event.id}/edit",
         event_form(capacity="2", action="save", **{"plugin-rsvp-enabled": "1"}),
         page="/dashboard")
    assert [person(event, f"p{n}@example.org").status for n in range(3)] == [
        "going", "going", "waiting"]


def test_a_plus_one_takes_a_seat(app, host_client):
    event = make_event(host_client, capacity="3", plus_one="1")
    rsvp(app.test_client(), event, "Ana", "ana.g@example.org", plus_one="1", guest_name="Jo")
    rsvp(app.test_client(), event, "Ben", "ben@example.org", plus_one="1")
    rsvp(app.test_client(), event, "Cem", "cem@example.org")
    assert person(event, "ana.g@example.org").guests == 1
    assert person(event, "ben@example.org").status == "waiting"  # 2 + 2 > 3
    assert person(event, "cem@example.org").status == "waiting"  # nobody jumps the queue


def test_a_plus_one_is_refused_where_the_host_does_not_allow_it(app, host_client):
    event = make_event(host_client)
    rsvp(app.test_client(), event, "Ana", "ana.g@example.org", plus_one="1")
    assert person(event, "ana.g@example.org").guests == 0


def test_in_approval_mode_rsvps_wait_for_the_host(app, host_client):
    event = make_event(host_client, capacity="5", approval="1")
    response = rsvp(app.test_client(), event, "Ben", "ben@example.org")
    assert "the host will confirm" in response.get_data(as_text=True)
    rsvp(app.test_client(), event, "Cem", "cem@example.org")
    ben, cem = person(event, "ben@example.org"), person(event, "cem@example.org")
    assert ben.status == cem.status == "pending"
    post(host_client, f"/events/{event.id}/guests/{ben.id}/status", {"status": "going"},
         page="/dashboard")
    post(host_client, f"/events/{event.id}/guests/{cem.id}/status", {"status": "declined"},
         page="/dashboard")
    assert person(event, "ben@example.org").status == "going"
    assert person(event, "cem@example.org").status == "declined"
    assert [m["Subject"] for m in mails_to(app, "ben@example.org")] == [
        f"Your RSVP awaits the host's approval: {event.title}", f"You're going: {event.title}"]
    assert mails_to(app, "cem@example.org")[-1]["Subject"] == \
        f"Your RSVP was declined: {event.title}"


def test_approving_when_full_puts_the_person_on_the_waiting_list(app, host_client):
    event = make_event(host_client, capacity="1", approval="1")
    rsvp(app.test_client(), event, "Ben", "ben@example.org")
    rsvp(app.test_client(), event, "Cem", "cem@example.org")
    for email in ("ben@example.org", "cem@example.org"):
        post(host_client, f"/events/{event.id}/guests/{person(event, email).id}/status",
             {"status": "going"}, page="/dashboard")
    assert person(event, "ben@example.org").status == "going"
    assert person(event, "cem@example.org").status == "waiting"
