"""Writing through the API: events made, changed, published and cancelled by the event form's
rules; guests approved, declined, moved and cancelled by the guest list's; guests checked in
and out once per request id."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from organizer.db import db
from organizer.models import Attendee, Event

from .conftest import outbox, signup
from .rsvp.helpers import make_event
from .test_api import make_token


def call(client, method, path, token, **kwargs):
    return client.open(f"/api/v1{path}", method=method,
                       headers={"Authorization": f"Bearer {token}"}, **kwargs)


def new_event(**overrides) -> dict:
    start = (datetime.now(timezone.utc) + timedelta(days=10)).replace(second=0, microsecond=0)
    return {"title": "API lunch", "kind": "lunch", "timezone": "Europe/Berlin",
            "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat(),
            "venue": "Kantine", "capacity": 2, **overrides}


def test_a_host_creates_changes_publishes_and_cancels_an_event(app, host_client):
    token = make_token(host_client, "Site", "write")
    client = app.test_client()
    made = call(client, "POST", "/events", token, json=new_event(
        settings={"rsvp": {"approval": True}}))
    assert made.status_code == 201, made.text
    body = made.get_json()
    assert body["status"] == "draft" and body["title"] == "API lunch"
    assert body["settings"]["rsvp"]["approval"] is True
    assert body["settings"]["rsvp"]["enabled"] is True  # the form's default
    assert datetime.fromisoformat(body["starts_at"]) == datetime.fromisoformat(
        new_event()["starts_at"])
    event_id = body["id"]

    changed = call(client, "PATCH", f"/events/{event_id}", token,
                   json={"title": "API lunch, moved", "capacity": None})
    assert changed.status_code == 200, changed.text
    assert changed.get_json()["title"] == "API lunch, moved"
    assert changed.get_json()["capacity"] is None and changed.get_json()["venue"] == "Kantine"
    assert changed.get_json()["settings"]["rsvp"]["approval"] is True  # kept

    assert call(client, "POST", f"/events/{event_id}/publish", token).get_json()[
        "status"] == "published"
    assert "API lunch, moved" in app.test_client().get(body["url"]).text
    cancelled = call(client, "POST", f"/events/{event_id}/cancel", token)
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    again = call(client, "POST", f"/events/{event_id}/cancel", token)
    assert again.status_code == 409 and "already cancelled" in again.get_json()["detail"]
    frozen = call(client, "PATCH", f"/events/{event_id}", token, json={"title": "x"})
    assert frozen.status_code == 409


def test_events_the_web_form_would_refuse_are_refused_with_a_sentence(app, host_client):
    token = make_token(host_client, "Site", "write")
    client = app.test_client()
    start = datetime.fromisoformat(new_event()["starts_at"])
    cases = [
        (new_event(ends_at=(start - timedelta(hours=1)).isoformat()), "ends_at",
         "The end must be after the start"),
        (new_event(kind="coffee", venue="", address="", online_url=""), "venue",
         "Say where people meet"),
        (new_event(timezone="Mars/Olympus"), "timezone", ""),
        (new_event(capacity=0), "capacity", "at least 1"),
        (new_event(ends_at=(start + timedelta(days=20)).isoformat()), "ends_at", "14 days"),
        (new_event(settings={"nope": {}}), "settings", "No plugin called “nope”"),
        (new_event(settings={"rsvp": {"colour": "red"}}), "settings", "no setting called"),
        (new_event(settings={"rsvp": {"reminder_hours": "soon"}}), "settings", ""),
    ]
    for sent, field, sentence in cases:
        response = call(client, "POST", "/events", token, json=sent)
        assert response.status_code == 422, (sent, response.text)
        assert response.mimetype == "application/problem+json"
        problem = response.get_json()
        assert field in problem["errors"]["json"], problem
        assert sentence in problem["detail"] + str(problem["errors"]), problem
    missing = call(client, "POST", "/events", token, json={"title": "No times"})
    assert missing.status_code == 422 and "starts_at" in missing.get_json()["errors"]["json"]
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0
    reader = make_token(host_client, "Reader")
    assert call(client, "POST", "/events", reader, json=new_event()).status_code == 403


def test_another_hosts_events_cannot_be_changed(app, host_client):
    event = make_event(host_client)
    other = app.test_client()
    signup(other, name="Bo Other", email="bo@example.org")
    token = make_token(other, "Bo's", "write")
    for method, path, sent in [("PATCH", f"/events/{event.id}", {"title": "Mine now"}),
                               ("POST", f"/events/{event.id}/cancel", None),
                               ("POST", f"/events/{event.id}/check-ins", {"attendee_id": 1}),
                               ("POST", f"/events/{event.id}/attendees/1/status",
                                {"status": "cancelled"})]:
        response = call(app.test_client(), method, path, token, json=sent)
        assert response.status_code == 404, (path, response.text)
    db.session.refresh(event)
    assert event.title != "Mine now" and event.status == "published"


def _add(client, event, token, name, email):
    response = call(client, "POST", f"/events/{event.id}/attendees", token,
                    json={"name": name, "email": email})
    assert response.status_code == 201, response.text
    return response.get_json()["id"]


def test_guests_are_approved_declined_and_moved_by_the_guest_lists_rules(app, host_client):
    event = make_event(host_client, capacity="1")
    token = make_token(host_client, "Site", "write")
    client = app.test_client()
    ann, ben = (_add(client, event, token, n, f"{n.lower()}@example.org") for n in ("Ann",
                                                                                       "Ben"))
    status = f"/events/{event.id}/attendees"
    to_going = call(client, "POST", f"{status}/{ben}/status", token, json={"status": "going"})
    assert to_going.get_json()["status"] == "waiting"  # no seat free: no oversell
    assert to_going.get_json()["asked"] == "going"
    cancel = call(client, "POST", f"{status}/{ann}/status", token, json={"status": "cancelled"})
    assert cancel.status_code == 200 and cancel.get_json()["status"] == "cancelled"
    assert db.session.get(Attendee, ben).status == "going"  # moved up into the free seat
    declined = call(client, "POST", f"{status}/{ben}/status", token,
                    json={"status": "declined"})
    assert declined.get_json()["status"] == "declined"
    assert any(m["To"] == "ben@example.org" for m in outbox(app))
    bad = call(client, "POST", f"{status}/{ben}/status", token, json={"status": "vip"})
    assert bad.status_code == 422 and "status" in bad.get_json()["errors"]["json"]


def test_check_in_by_code_or_id_once_per_request_id_and_check_out(app, host_client):
    event = make_event(host_client, capacity="5")
    token = make_token(host_client, "Door", "write")
    client = app.test_client()
    ann = _add(client, event, token, "Ann", "ann@example.org")
    ben = _add(client, event, token, "Ben", "ben@example.org")
    path = f"/events/{event.id}/check-ins"
    first = call(client, "POST", path, token, json={"attendee_id": ann, "request_id": "r-1"})
    assert first.status_code == 200 and first.get_json()["result"] == "checked_in"
    retry = call(client, "POST", path, token, json={"attendee_id": ann, "request_id": "r-1"})
    assert retry.get_json() == first.get_json()  # the same answer, nothing more stored
    arrived = db.session.get(Attendee, ann).checked_in_at
    assert datetime.fromisoformat(first.get_json()["checked_in_at"]) == arrived
    other = call(client, "POST", path, token, json={"attendee_id": ann, "request_id": "r-2"})
    assert other.get_json()["result"] == "already"

    from organizer_plugins.badges.models import CheckIn
    from organizer_plugins.badges.tickets import ticket_for
    ticket = ticket_for(db.session.get(Attendee, ben))
    db.session.commit()
    scanned = call(client, "POST", path, token,
                   json={"code": f"https://x.example/t/{ticket.secret}"})
    assert scanned.get_json()["result"] == "checked_in" and scanned.get_json()[
        "attendee_id"] == ben
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 2
    unknown = call(client, "POST", path, token, json={"code": "not-a-ticket"})
    assert unknown.status_code == 404 and "No ticket" in unknown.get_json()["detail"]
    both = call(client, "POST", path, token, json={"code": ticket.secret, "attendee_id": ben})
    assert both.status_code == 422

    out = call(client, "POST", f"/events/{event.id}/check-outs", token,
               json={"attendee_id": ann})
    assert out.status_code == 200 and db.session.get(Attendee, ann).checked_in_at is None
    again = call(client, "POST", f"/events/{event.id}/check-outs", token,
                 json={"attendee_id": ann})
    assert again.status_code == 409 and "not checked in" in again.get_json()["detail"]
    by_code = call(client, "POST", f"/events/{event.id}/check-outs", token,
                   json={"code": ticket.secret})
    assert by_code.status_code == 200 and by_code.get_json()["attendee_id"] == ben
    assert db.session.get(Attendee, ben).checked_in_at is None
    call(client, "POST", f"/events/{event.id}/attendees/{ann}/status", token,
         json={"status": "cancelled"})
    refused = call(client, "POST", path, token, json={"attendee_id": ann})
    assert refused.status_code == 409 and refused.get_json()["detail"].startswith("Ann: ")


def test_a_retried_write_with_its_idempotency_key_is_done_once(app, host_client):
    token = make_token(host_client, "Site", "write")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "7d1f-retry"}
    first = client.post("/api/v1/events", json=new_event(), headers=headers)
    again = client.post("/api/v1/events", json=new_event(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert db.session.scalar(select(func.count()).select_from(Event)) == 1
    other = client.post("/api/v1/events", json=new_event(title="Another"), headers=headers)
    assert other.status_code == 422 and "different request" in other.get_json()["detail"]
    fresh = client.post("/api/v1/events", json=new_event(title="Another"),
                        headers={**headers, "Idempotency-Key": "7d1f-next"})
    assert fresh.status_code == 201
    refused = client.post("/api/v1/events", json=new_event(capacity=0),
                          headers={**headers, "Idempotency-Key": "bad-once"})
    assert refused.status_code == 422  # kept too: the same answer once more
    assert client.post("/api/v1/events", json=new_event(capacity=0), headers={
        **headers, "Idempotency-Key": "bad-once"}).headers["Idempotent-Replayed"] == "true"
    long_key = client.post("/api/v1/events", json=new_event(),
                           headers={**headers, "Idempotency-Key": "k" * 300})
    assert long_key.status_code == 400


def _create_at_once(app, token, key) -> int:
    from .concurrency import run_together
    answers = []

    def create():
        headers = {"Authorization": f"Bearer {token}"}
        if key:
            headers["Idempotency-Key"] = key
        answers.append(app.test_client().post("/api/v1/events", json=new_event(),
                                              headers=headers).status_code)

    assert run_together(app, create, threads=6) == []
    assert set(answers) <= {201, 409}, answers
    db.session.rollback()  # a fresh look, not this session's last snapshot
    return db.session.scalar(select(func.count()).select_from(Event))


def test_copies_of_one_request_sent_at_once_create_one_event(app, host_client):
    token = make_token(host_client, "Site", "write")
    # Control: without a key the same six requests make six events.
    assert _create_at_once(app, token, None) == 6
    assert _create_at_once(app, token, "same-key") == 7


def test_each_token_has_its_limit_told_in_ratelimit_headers(app_factory):
    app = app_factory(API_RATE_LIMIT=3)
    client = app.test_client()
    signup(client)
    token, other = make_token(client), make_token(client, "Other")
    seen = []
    for _ in range(3):
        response = call(app.test_client(), "GET", "/events", token)
        assert response.status_code == 200
        assert response.headers["RateLimit-Limit"] == "3"
        assert response.headers["RateLimit-Policy"] == "3;w=60"
        assert 0 < int(response.headers["RateLimit-Reset"]) <= 60
        seen.append(int(response.headers["RateLimit-Remaining"]))
    assert seen == [2, 1, 0]
    over = call(app.test_client(), "GET", "/events", token)
    assert over.status_code == 429 and over.mimetype == "application/problem+json"
    assert "more than 3 requests in a minute" in over.get_json()["detail"]
    assert 0 < int(over.headers["Retry-After"]) <= 60
    assert call(app.test_client(), "GET", "/events", other).status_code == 200
