"""What the built-in plugins add to the API: the RSVP form's questions with each guest's
answers, ticket codes, published matches and follow-ups' delivery."""
from __future__ import annotations

from .conftest import post
from .followup.test_followup import _meetup
from .rsvp.helpers import make_event, person, rsvp
from .test_api import make_token
from .test_api_writes import call


def test_questions_and_each_guests_answers_and_ticket(app, host_client):
    event = make_event(host_client)
    post(host_client, f"/events/{event.id}/questions",
         {"label": "Dietary needs", "kind": "choice", "choices": "None\nVegan"},
         page="/dashboard")
    post(host_client, f"/events/{event.id}/questions",
         {"label": "Code of conduct read", "kind": "checkbox", "required": "1"},
         page="/dashboard")
    assert rsvp(app.test_client(), event, "Ben", "ben@example.org", q1="Vegan",
                q2="1").status_code == 201
    token = make_token(host_client)
    client = app.test_client()
    asked = call(client, "GET", f"/events/{event.id}/questions", token).get_json()
    assert [(q["label"], q["kind"], q["choices"], q["required"]) for q in asked] == [
        ("Dietary needs", "choice", ["None", "Vegan"], False),
        ("Code of conduct read", "checkbox", [], True)]
    [ben] = call(client, "GET", f"/events/{event.id}/attendees", token).get_json()["items"]
    answers = ben["plugins"]["rsvp"]["answers"]
    assert answers[str(asked[0]["id"])] == "Vegan" and answers[str(asked[1]["id"])] is True
    code = ben["plugins"]["badges"]["ticket_code"]
    assert code and person(event, "ben@example.org").id == ben["id"]
    # The code the API shows is the one that checks Ben in.
    checked = call(client, "POST", f"/events/{event.id}/check-ins",
                   make_token(host_client, "Door", "write"), json={"code": code})
    assert checked.get_json()["attendee_id"] == ben["id"]


def test_published_matches_and_follow_ups_with_their_delivery(app, host_client):
    token = make_token(host_client)
    client = app.test_client()
    event = make_event(host_client)
    nothing = call(client, "GET", f"/events/{event.id}/matches", token)
    assert nothing.status_code == 404 and "No matches are published" in nothing.get_json()[
        "detail"]
    event, ana, ben, cara, dan = _meetup(app, host_client)
    matches = call(client, "GET", f"/events/{event.id}/matches", token).get_json()
    groups = [set(g["attendee_ids"]) for g in matches["rounds"][0]]
    assert {ana.id, ben.id} in groups and {cara.id, dan.id} in groups

    before = call(client, "GET", f"/events/{event.id}/followups", token).get_json()
    assert before == {"closed_at": None, "followups": []}
    post(host_client, f"/events/{event.id}/followup/send", page=f"/events/{event.id}/followup")
    after = call(client, "GET", f"/events/{event.id}/followups", token).get_json()
    assert after["closed_at"] is not None
    assert {f["attendee_id"]: f["status"] for f in after["followups"]} == {
        ana.id: "sent", ben.id: "sent", cara.id: "sent"}
