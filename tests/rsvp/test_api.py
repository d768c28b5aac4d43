"""Guests added through the API: the guest list's rules, and no oversell however many at once."""
from __future__ import annotations

import threading
from contextlib import contextmanager

from sqlalchemy import select

from organizer.db import db
from organizer.models import Attendee, Event

from ..concurrency import run_together
from ..conftest import signup
from ..test_api import make_token
from .helpers import make_event

PEOPLE, SEATS = 200, 50


def _add(client, event_id, token, **guest):
    return client.post(f"/api/v1/events/{event_id}/attendees", json=guest,
                       headers={"Authorization": f"Bearer {token}"})


def test_a_host_adds_guests_going_then_waiting_and_each_is_mailed(app, host_client):
    from ..conftest import outbox
    event = make_event(host_client, capacity="1")
    token = make_token(host_client, "Site", "write")
    first = _add(app.test_client(), event.id, token, name="Ann", email="ann@example.org",
                 organisation="Solar Co-op")
    assert first.status_code == 201 and first.get_json()["status"] == "going"
    second = _add(app.test_client(), event.id, token, name="Ben", email="BEN@example.org")
    assert second.status_code == 201 and second.get_json()["status"] == "waiting"
    assert second.get_json()["email"] == "ben@example.org"
    assert {m["To"] for m in outbox(app)} >= {"ann@example.org", "ben@example.org"}
    again = _add(app.test_client(), event.id, token, name="Ann", email="ann@example.org")
    assert again.status_code == 409 and "already on the guest list" in again.get_json()["detail"]


def test_bad_guests_wrong_tokens_and_others_events_are_refused(app, host_client):
    event = make_event(host_client, capacity="5")
    reader, writer = make_token(host_client), make_token(host_client, "Site", "write")
    client = app.test_client()
    assert _add(client, event.id, reader, name="Ann", email="ann@example.org").status_code == 403
    missing = _add(client, event.id, writer, email="ann@example.org")
    assert missing.status_code == 422 and "name" in missing.get_json()["errors"]["json"]
    bad = _add(client, event.id, writer, name="Ann", email="not an address")
    assert bad.status_code == 422 and "valid e-mail" in bad.get_json()["detail"]
    broken = client.post(f"/api/v1/events/{event.id}/attendees", data="{not json",
                         headers={"Authorization": f"Bearer {writer}",
                                  "Content-Type": "application/json"})
    assert broken.status_code == 400 and "send a JSON object" in broken.get_json()["detail"]
    unknown = _add(client, event.id, writer, name="Ann", email="ann@example.org", vip=True)
    assert unknown.status_code == 422 and "vip" in unknown.get_json()["errors"]["json"]
    other = app.test_client()
    signup(other, name="Bo Other", email="bo@example.org")
    theirs = make_token(other, "Bo", "write")
    assert _add(client, event.id, theirs, name="Ann", email="ann@example.org").status_code == 404
    assert db.session.scalars(select(Attendee)).all() == []


def test_the_post_is_in_the_openapi_document_beside_the_list(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    assert {"get", "post"} <= set(spec["paths"]["/api/v1/events/{event_id}/attendees"])


def _surge(app, event_id, token):
    counter = iter(range(PEOPLE))
    lock = threading.Lock()
    statuses = []

    def one():
        with lock:
            n = next(counter)
        response = _add(app.test_client(), event_id, token, name=f"Person {n}",
                        email=f"p{n}@example.org")
        with lock:
            statuses.append(response.status_code)

    errors = run_together(app, one, threads=PEOPLE)
    return errors, statuses


def _setup(app_factory, backend):
    # 200 requests at once in one process: more connections than a server's worker
    # needs, and time to wait for one.
    engine = {"pool_size": 20, "max_overflow": 40, "pool_timeout": 120}
    if backend == "sqlite":
        engine["connect_args"] = {"timeout": 30, "check_same_thread": False}
    app = app_factory(JOB_BACKEND="eager", SQLALCHEMY_ENGINE_OPTIONS=engine)
    with app.app_context():
        host = app.test_client()
        signup(host)
        event = make_event(host, capacity=str(SEATS))
        return app, event.id, make_token(host, "Surge", "write")


def _going(app, event_id) -> int:
    with app.app_context():
        return len(db.session.scalars(select(Attendee).where(
            Attendee.event_id == event_id, Attendee.status == "going")).all())


def test_200_api_registrations_at_once_for_50_seats_make_exactly_50_going(app_factory,
                                                                          backend):
    app, event_id, token = _setup(app_factory, backend)
    errors, statuses = _surge(app, event_id, token)
    assert errors == [] and statuses == [201] * PEOPLE
    assert _going(app, event_id) == SEATS
    with app.app_context():
        assert db.session.get(Event, event_id) is not None


def test_control_without_the_lock_the_same_api_surge_overbooks(app_factory, backend,
                                                                monkeypatch):
    """Proves the test above can see a race: every request counts the seats before any
    takes one, with no write lock and no row lock."""
    from organizer.db import commit
    from organizer_plugins.rsvp import seats
    app, event_id, token = _setup(app_factory, backend)
    all_counted = threading.Barrier(PEOPLE, timeout=60)

    @contextmanager
    def plain_transaction(keep_loaded=False):
        yield db.session()
        commit()

    def count_then_wait(event):
        free = count(event)
        session = db.session()
        session.expire_on_commit = False
        session.commit()
        session.expire_on_commit = True
        all_counted.wait()
        return free

    count = seats.free_seats
    monkeypatch.setattr(seats, "write", plain_transaction)
    monkeypatch.setattr(seats, "lock_event", lambda event_id: db.session.get(Event, event_id))
    monkeypatch.setattr(seats, "free_seats", count_then_wait)
    _surge(app, event_id, token)
    assert _going(app, event_id) == PEOPLE
