"""Webhooks: each change reaches the host's endpoint once, signed per Standard Webhooks and
in order; a receiver that was down gets what it missed; one failing for days is paused and
its host told; private addresses are refused; another host's endpoints are not yours."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from organizer import attendees, delivery, events, webhooks
from organizer.db import db
from organizer.models import Attendee, OutboxMessage, WebhookAttempt, WebhookEndpoint, utcnow

from .conftest import outbox, post, signup
from .rsvp.helpers import make_event
from .test_api import make_token
from .webhook_receiver import Receiver


@pytest.fixture
def organizer_config(organizer_config):
    return {**organizer_config, "WEBHOOK_ALLOW_PRIVATE": True}


@pytest.fixture
def receiver():
    receiver = Receiver()
    receiver.start()
    yield receiver
    receiver.stop()


def add_endpoint(client, url, types=None, event_id="") -> WebhookEndpoint:
    response = post(client, "/settings/webhooks", {
        "url": url, "description": "CRM", "event_id": str(event_id),
        "types": types or list(webhooks.CORE_TYPES)}, page="/settings/webhooks")
    assert response.status_code == 302, response.text[:3000]
    endpoint_id = int(response.location.rstrip("/").split("/")[-1])
    return db.session.get(WebhookEndpoint, endpoint_id)


def add_guest(app, event, token, name, email):
    response = app.test_client().post(
        f"/api/v1/events/{event.id}/attendees", json={"name": name, "email": email},
        headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201, response.text
    return db.session.get(Attendee, response.get_json()["id"])


def cancel_rsvp(app, guest):
    page = f"/rsvp/{guest.token}"
    assert post(app.test_client(), f"{page}/cancel", page=page).status_code == 302


def deliveries_to(endpoint) -> int:
    return db.session.scalar(select(func.count()).where(
        OutboxMessage.webhook_endpoint_id == endpoint.id))


def test_each_change_reaches_the_endpoint_once_signed_and_in_order(app, host_client, receiver):
    event = make_event(host_client, capacity="1")
    other = make_event(host_client, capacity="1")
    endpoint = add_endpoint(host_client, receiver.url)
    only_other = add_endpoint(host_client, receiver.url, event_id=other.id)
    check_ins_only = add_endpoint(host_client, receiver.url, types=["attendee.checked_in"])
    receiver.secret = endpoint.secret
    token = make_token(host_client, "Site", "write")

    ann = add_guest(app, event, token, "Ann", "ann@example.org")
    ben = add_guest(app, event, token, "Ben", "ben@example.org")  # waiting: one seat
    cancel_rsvp(app, ann)                                          # Ben moves up
    assert attendees.check_in(db.session.get(Attendee, ben.id))
    events.update(db.session.get(type(event), event.id), {"title": "Coffee at the lab"})

    # Only the all-types endpoint's secret is the receiver's: the check-ins-only
    # endpoint's deliveries fail verification there, and are counted apart.
    assert receiver.types_for("ann@example.org") == ["attendee.registered",
                                                     "attendee.cancelled"]
    assert receiver.types_for("ben@example.org") == [
        "attendee.registered", "attendee.promoted", "attendee.checked_in"]
    assert [p["type"] for p in receiver.received if p["type"].startswith("event.")] == [
        "event.updated"]
    promoted = next(p for p in receiver.received if p["type"] == "attendee.promoted")
    assert promoted["data"]["status"] == "going" and promoted["data"]["id"] == ben.id
    updated = next(p for p in receiver.received if p["type"] == "event.updated")
    assert updated["data"]["title"] == "Coffee at the lab"
    assert len({p["id"] for p in receiver.received}) == len(receiver.received) == 6
    assert all(p["path"] == "/hooks/organizer?src=test" for p in receiver.received)
    assert deliveries_to(only_other) == 0
    assert deliveries_to(check_ins_only) == 1 and len(receiver.refused) == 1

    page = host_client.get(f"/settings/webhooks/{endpoint.id}")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-store"
    assert page.text.count("delivered") >= 6 and "attendee.promoted" in page.text
    assert re.search(r"200 · \d+ ms", page.text)


def test_what_was_queued_while_the_receiver_was_down_arrives_once_it_is_back(
        app, host_client, receiver):
    event = make_event(host_client, capacity="5")
    endpoint = add_endpoint(host_client, receiver.url)
    receiver.secret = endpoint.secret
    token = make_token(host_client, "Site", "write")
    receiver.stop()

    ann = add_guest(app, event, token, "Ann", "ann@example.org")
    cancel_rsvp(app, ann)
    assert receiver.received == []
    first = db.session.scalar(select(WebhookAttempt))
    assert first.status_code is None and "refused the connection" in first.error
    page = host_client.get(f"/settings/webhooks/{endpoint.id}").text
    assert "failed since" in page.lower() and "next try" in page

    receiver.start()
    delivery.drain(now=utcnow() + timedelta(hours=1))
    assert receiver.types_for("ann@example.org") == ["attendee.registered",
                                                     "attendee.cancelled"]
    delivery.drain(now=utcnow() + timedelta(hours=5))  # nothing is sent twice
    assert len(receiver.received) == 2
    registered = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.webhook_endpoint_id == endpoint.id).order_by(OutboxMessage.id))
    assert registered.status == "sent" and registered.attempts == 2
    assert db.session.get(WebhookEndpoint, endpoint.id).failing_since is None


def test_an_endpoint_failing_for_days_is_paused_its_host_told_and_it_can_be_resumed(
        app, host_client, receiver):
    event = make_event(host_client, capacity="5")
    endpoint = add_endpoint(host_client, receiver.url)
    receiver.secret = endpoint.secret
    token = make_token(host_client, "Site", "write")
    receiver.answer = 503
    add_guest(app, event, token, "Ann", "ann@example.org")
    endpoint = db.session.get(WebhookEndpoint, endpoint.id)
    assert endpoint.failing_since is not None and endpoint.paused_at is None
    endpoint.failing_since = utcnow() - timedelta(days=4)
    db.session.commit()

    add_guest(app, event, token, "Ben", "ben@example.org")  # waits behind Ann's retry
    delivery.drain(now=utcnow() + timedelta(hours=1))
    db.session.expire_all()
    endpoint = db.session.get(WebhookEndpoint, endpoint.id)
    assert endpoint.paused_at is not None
    notice = [m for m in outbox(app) if m["Subject"] == "A webhook endpoint of yours was paused"]
    assert len(notice) == 1 and notice[0]["To"] == "ana@example.org"
    assert all(m.status == "failed" for m in db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.webhook_endpoint_id == endpoint.id)))
    before = deliveries_to(endpoint)
    add_guest(app, event, token, "Cy", "cy@example.org")
    assert deliveries_to(endpoint) == before  # nothing is queued while paused
    assert "Paused since" in host_client.get(f"/settings/webhooks/{endpoint.id}").text

    receiver.answer = 204
    page = f"/settings/webhooks/{endpoint.id}"
    assert post(host_client, f"{page}/resume", page=page).status_code == 302
    assert post(host_client, f"{page}/resend", page=page).status_code == 302
    delivery.drain()
    assert [p["data"]["email"] for p in receiver.received if p["type"] ==
            "attendee.registered"][-2:] == ["ann@example.org", "ben@example.org"]


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8080/hook", "http://localhost/hook", "http://[::1]/hook",
    "http://169.254.169.254/latest/meta-data/", "http://10.0.0.7/hook",
    "http://[::ffff:192.168.1.1]/hook"])
def test_private_loopback_and_link_local_destinations_are_refused(app, host_client, url):
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False
    response = post(host_client, "/settings/webhooks", {
        "url": url, "event_id": "", "types": ["attendee.registered"]},
        page="/settings/webhooks")
    assert response.status_code == 422
    assert "private, loopback or link-local" in response.text
    assert db.session.scalar(select(func.count()).select_from(WebhookEndpoint)) == 0


@pytest.mark.parametrize("url, sentence", [
    ("ftp://example.org/hook", "full web address"),
    ("https://user:pw@example.org/hook", "Leave the user name and password out"),
    ("https://no-such-host.invalid/hook", "could not be found")])
def test_other_bad_destinations_get_a_sentence(app, host_client, url, sentence):
    response = post(host_client, "/settings/webhooks", {
        "url": url, "event_id": "", "types": ["attendee.registered"]},
        page="/settings/webhooks")
    assert response.status_code == 422 and sentence in response.text


def test_an_address_that_turns_private_after_saving_is_not_called(app, host_client, receiver):
    event = make_event(host_client, capacity="5")
    endpoint = add_endpoint(host_client, receiver.url)
    receiver.secret = endpoint.secret
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False
    token = make_token(host_client, "Site", "write")
    add_guest(app, event, token, "Ann", "ann@example.org")
    assert receiver.received == []
    attempt = db.session.scalar(select(WebhookAttempt))
    assert "private, loopback or link-local" in attempt.error


def test_another_hosts_endpoints_are_not_theirs(app, host_client, receiver):
    endpoint = add_endpoint(host_client, receiver.url)
    other = app.test_client()
    signup(other, name="Bo Other", email="bo@example.org")
    page = f"/settings/webhooks/{endpoint.id}"
    assert other.get(page).status_code == 404
    for action in ("pause", "resume", "resend", "delete"):
        assert post(other, f"{page}/{action}", page="/settings/webhooks").status_code == 404
    assert endpoint.secret not in other.get("/settings/webhooks").text
    assert db.session.get(WebhookEndpoint, endpoint.id).paused_at is None
    # Without the form's token nothing changes.
    assert host_client.post(f"{page}/delete").status_code == 400
    assert db.session.get(WebhookEndpoint, endpoint.id) is not None


def test_plugins_send_their_own_types_matches_published_and_follow_ups_sent(
        app, host_client, receiver):
    from .followup.test_followup import _meetup
    page = host_client.get("/settings/webhooks").text
    assert "matching.published" in page and "followup.sent" in page
    endpoint = add_endpoint(host_client, receiver.url,
                            types=["matching.published", "followup.sent"])
    receiver.secret = endpoint.secret
    event, ana, ben, cara, dan = _meetup(app, host_client)
    post(host_client, f"/events/{event.id}/followup/send", page=f"/events/{event.id}/followup")
    post(host_client, f"/events/{event.id}/followup/send", page=f"/events/{event.id}/followup")
    assert [p["type"] for p in receiver.received] == ["matching.published", "followup.sent"]
    matches, sent = (p["data"] for p in receiver.received)
    groups = [set(g["attendee_ids"]) for g in matches["rounds"][0]]
    assert {ana.id, ben.id} in groups and {cara.id, dan.id} in groups
    assert set(sent["attendee_ids"]) == {ana.id, ben.id, cara.id}


def test_events_know_whether_anyone_listens_as_endpoints_and_co_hosts_change(
        app, host_client, receiver):
    from organizer.models import Event as EventRow

    def flag(event_id):
        db.session.expire_all()
        return db.session.get(EventRow, event_id).webhooks

    before = make_event(host_client)
    assert flag(before.id) is False
    endpoint = add_endpoint(host_client, receiver.url)
    receiver.secret = endpoint.secret
    after = make_event(host_client)
    assert flag(before.id) is True and flag(after.id) is True  # old and new events

    # Bo's endpoint for all his events hears of Ana's event once he co-hosts it.
    bo = app.test_client()
    signup(bo, name="Bo Other", email="bo@example.org")
    theirs = add_endpoint(bo, receiver.url)
    page = f"/settings/webhooks/{endpoint.id}"
    assert post(host_client, f"{page}/pause", page=page).status_code == 302
    assert flag(before.id) is False
    assert post(host_client, f"/events/{before.id}/cohosts", {"email": "bo@example.org"},
                page=f"/events/{before.id}").status_code == 302
    assert flag(before.id) is True and flag(after.id) is False
    receiver.secret = theirs.secret
    token = make_token(host_client, "Site", "write")
    add_guest(app, db.session.get(EventRow, before.id), token, "Ann", "ann@example.org")
    assert receiver.types_for("ann@example.org") == ["attendee.registered"]
    # Nobody listens to the other event: its changes queue nothing.
    queued = select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.kind == "webhook")
    so_far = db.session.scalar(queued)
    add_guest(app, db.session.get(EventRow, after.id), token, "Cy", "cy@example.org")
    assert receiver.types_for("cy@example.org") == []
    assert db.session.scalar(queued) == so_far
    bo_page = f"/settings/webhooks/{theirs.id}"
    assert post(bo, f"{bo_page}/delete", page=bo_page).status_code == 302
    assert flag(before.id) is False
