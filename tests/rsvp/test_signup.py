"""Attendees RSVP without an account, get the invite by mail, and manage their own RSVP."""
from __future__ import annotations

import icalendar

from ..conftest import body_text, post
from .helpers import calendar_of, mails_to, make_event, person, rsvp


def test_an_attendee_rsvps_and_gets_the_invite_and_a_private_link(app, host_client):
    event = make_event(host_client)
    guest = app.test_client()
    response = rsvp(guest, event, "Ben Guest", "Ben@Example.org")
    assert response.status_code == 201
    assert "You're going!" in response.get_data(as_text=True)
    ben = person(event, "ben@example.org")
    assert ben.status == "going" and len(ben.token) >= 32
    [mail] = mails_to(app, "ben@example.org")
    assert mail["Subject"] == f"You're going: {event.title}"
    cal = icalendar.Calendar.from_ical(calendar_of(mail))
    assert cal["METHOD"] == "REQUEST"
    vevent = cal.walk("VEVENT")[0]
    assert str(vevent["UID"]) == event.uid
    assert str(vevent["ATTENDEE"]) == "mailto:ben@example.org"
    assert f"/rsvp/{ben.token}" in body_text(mail)


def test_the_same_email_twice_gives_one_rsvp_and_a_clear_answer(app, host_client):
    event = make_event(host_client)
    rsvp(app.test_client(), event, "Ben", "ben@example.org")
    again = rsvp(app.test_client(), event, "Ben again", "BEN@example.org ")
    assert again.status_code == 409
    assert "already on the list" in again.get_data(as_text=True)
    assert person(event, "ben@example.org").name == "Ben"
    assert [m["Subject"] for m in mails_to(app, "ben@example.org")] == [
        f"You're going: {event.title}", f"Your RSVP link: {event.title}"]


def test_the_attendee_changes_answers_cancels_and_joins_again(app, host_client):
    event = make_event(host_client)
    post(host_client, f"/events/{event.id}/questions",
         {"label": "What do you work on?", "kind": "text", "required": "1"},
         page=f"/events/{event.id}/questions")
    guest = app.test_client()
    rsvp(guest, event, "Ben", "ben@example.org", q1="Heat pumps")
    ben = person(event, "ben@example.org")
    page = f"/rsvp/{ben.token}"
    assert 'value="Heat pumps"' in guest.get(page).get_data(as_text=True)
    response = post(guest, f"{page}/answers", {"name": "Ben B.", "q1": "Solar"}, page=page)
    assert response.status_code == 302
    assert 'value="Solar"' in guest.get(page).get_data(as_text=True)
    assert person(event, "ben@example.org").name == "Ben B."

    post(guest, f"{page}/cancel", page=page)
    assert person(event, "ben@example.org").status == "cancelled"
    cancel_mail = mails_to(app, "ben@example.org")[-1]
    cancel = icalendar.Calendar.from_ical(calendar_of(cancel_mail))
    assert cancel["METHOD"] == "CANCEL"
    first = icalendar.Calendar.from_ical(calendar_of(mails_to(app, "ben@example.org")[0]))
    assert int(cancel.walk("VEVENT")[0]["SEQUENCE"]) > int(first.walk("VEVENT")[0]["SEQUENCE"])

    post(guest, f"{page}/rejoin", page=page)
    assert person(event, "ben@example.org").status == "going"
    rejoin = icalendar.Calendar.from_ical(calendar_of(mails_to(app, "ben@example.org")[-1]))
    assert rejoin["METHOD"] == "REQUEST"
    assert int(rejoin.walk("VEVENT")[0]["SEQUENCE"]) > int(cancel.walk("VEVENT")[0]["SEQUENCE"])


def test_a_tampered_or_unknown_link_finds_nothing_and_changes_nothing(app, host_client):
    event = make_event(host_client)
    rsvp(app.test_client(), event, "Ben", "ben@example.org")
    token = person(event, "ben@example.org").token
    stranger = app.test_client()
    tampered = token[:-1] + ("x" if token[-1] != "x" else "y")
    assert stranger.get(f"/rsvp/{tampered}").status_code == 404
    response = post(stranger, f"/rsvp/{token[:-2]}/cancel", page=f"/e/{event.slug}")
    assert response.status_code == 404
    assert person(event, "ben@example.org").status == "going"


def test_a_cancel_without_the_csrf_token_is_refused(app, host_client):
    event = make_event(host_client)
    rsvp(app.test_client(), event, "Ben", "ben@example.org")
    token = person(event, "ben@example.org").token
    assert app.test_client().post(f"/rsvp/{token}/cancel").status_code == 400
    assert person(event, "ben@example.org").status == "going"
