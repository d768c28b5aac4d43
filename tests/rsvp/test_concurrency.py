"""Many people at once: never more going than seats, the waiting list in arrival order."""
from __future__ import annotations

import random
import threading
from contextlib import contextmanager

from sqlalchemy import select

from organizer.db import db
from organizer.models import Attendee

from ..concurrency import run_together
from ..conftest import signup
from .helpers import make_event

PEOPLE, SEATS = 200, 50


def _event(app, capacity=SEATS):
    with app.app_context():
        host = app.test_client()
        signup(host)
        return make_event(host, capacity=str(capacity)).id


def _surge(app, event_id):
    from organizer_plugins.rsvp import seats
    counter = iter(range(PEOPLE))
    lock = threading.Lock()

    def one():
        with lock:
            n = next(counter)
        seats.register(event_id, f"Person {n}", f"p{n}@example.org")

    return run_together(app, one, threads=PEOPLE)


def _people(app, event_id):
    with app.app_context():
        return db.session.scalars(select(Attendee).where(Attendee.event_id == event_id)
                                  .order_by(Attendee.id)).all()


def test_200_rsvps_at_once_for_50_seats_confirm_exactly_50(app_factory):
    app = app_factory(JOB_BACKEND="eager")
    event_id = _event(app)
    assert _surge(app, event_id) == []
    people = _people(app, event_id)
    going = [p for p in people if p.status == "going"]
    waiting = [p for p in people if p.status == "waiting"]
    assert len(people) == PEOPLE and len(going) == SEATS and len(waiting) == PEOPLE - SEATS
    # Seats went to the first fifty to arrive; the waiting list keeps arrival order.
    assert max(p.id for p in going) < min(p.id for p in waiting)
    from organizer_plugins.rsvp import seats
    with app.app_context():
        positions = [seats.position(db.session.get(Attendee, p.id)) for p in waiting]
    assert positions == list(range(1, PEOPLE - SEATS + 1))


def _without_the_guard(monkeypatch, parties=PEOPLE):
    """The RSVP as careless code would write it: a plain transaction (no write lock),
    the event read without its row lock, and the seat count's read committed before
    the write, as code that checks with one query and writes with another."""
    from organizer.db import commit
    from organizer.models import Event
    from organizer_plugins.rsvp import seats

    @contextmanager
    def plain_transaction(keep_loaded=False):
        yield db.session()
        commit()

    def place_then_commit(*args, **kwargs):
        status = place(*args, **kwargs)
        session = db.session()
        session.expire_on_commit = False  # what was read stays, as in the careless code
        session.commit()
        session.expire_on_commit = True
        all_read.wait()  # everyone has counted the seats before anyone takes one
        return status

    all_read = threading.Barrier(parties, timeout=60)

    place = seats._place
    monkeypatch.setattr(seats, "write", plain_transaction)
    monkeypatch.setattr(seats, "lock_event", lambda event_id: db.session.get(Event, event_id))
    monkeypatch.setattr(seats, "_place", place_then_commit)


def test_control_without_the_guard_the_same_surge_overbooks(app_factory, monkeypatch):
    """Proves the test above can see a race: with the guard off, seats are oversold."""
    app = app_factory(JOB_BACKEND="eager")
    event_id = _event(app)
    _without_the_guard(monkeypatch)
    _surge(app, event_id)
    going = [p for p in _people(app, event_id) if p.status == "going"]
    assert len(going) == PEOPLE  # every one of them counted 50 free seats


def test_concurrent_cancellations_and_rsvps_never_leave_a_seat_empty_while_people_wait(
        app_factory):
    from organizer_plugins.rsvp import seats
    app = app_factory(JOB_BACKEND="eager")
    event_id = _event(app, capacity=20)
    for n in range(35):
        with app.app_context():
            seats.register(event_id, f"Early {n}", f"early{n}@example.org")
    with app.app_context():
        ids = [p.id for p in _people(app, event_id)]
    rng = random.Random(3)
    leaving = iter(rng.sample(ids, 24))
    joining = iter(range(16))
    lock = threading.Lock()

    def act():
        with lock:
            leave = next(leaving, None)
            join = None if leave is not None else next(joining, None)
        if leave is not None:
            seats.cancel(leave)
        elif join is not None:
            seats.register(event_id, f"Late {join}", f"late{join}@example.org")

    assert run_together(app, act, threads=40) == []
    people = _people(app, event_id)
    going = [p for p in people if p.status == "going"]
    waiting = [p for p in people if p.status == "waiting"]
    assert len([p for p in people if p.status == "cancelled"]) == 24
    assert len(going) <= 20
    assert not waiting or len(going) == 20
    assert len(going) + len(waiting) == 35 + 16 - 24
