"""Writes that must not race: write() serialises read-check-write on both databases."""
from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from organizer.db import db, write
from organizer.models import Event, Host, utcnow

from .concurrency import run_together

THREADS = 8


def _counter_event(app) -> int:
    with app.app_context():
        host = Host(name="H", email="h@example.org", handle="h", password_hash="x",
                    timezone="UTC")
        db.session.add(host)
        db.session.flush()
        event = Event(owner_id=host.id, title="Counter", timezone="UTC", capacity=0,
                      starts_at=utcnow(), ends_at=utcnow() + timedelta(hours=1), settings={})
        db.session.add(event)
        db.session.commit()
        return event.id


def _value(app, event_id) -> int:
    with app.app_context():
        return db.session.scalar(select(Event.capacity).where(Event.id == event_id))


def test_read_check_write_inside_immediate_loses_no_update(app_factory):
    app = app_factory()
    event_id = _counter_event(app)

    def increment():
        with write():
            value = db.session.scalar(select(Event.capacity).where(Event.id == event_id)
                                      .with_for_update())
            time.sleep(0.01)
            db.session.execute(update(Event).where(Event.id == event_id)
                               .values(capacity=value + 1))

    assert run_together(app, increment, THREADS) == []
    assert _value(app, event_id) == THREADS


def test_control_the_same_without_immediate_loses_updates(app_factory):
    """Proves the test above can see a race: a plain read-then-write loses updates."""
    app = app_factory()
    event_id = _counter_event(app)

    # Every thread reads before any writes: the window a read-then-write leaves open.
    all_read = threading.Barrier(THREADS, timeout=20)

    def increment():
        value = db.session.scalar(select(Event.capacity).where(Event.id == event_id))
        db.session.commit()  # end the read, so each write can take SQLite's lock in turn
        all_read.wait()
        db.session.execute(update(Event).where(Event.id == event_id).values(capacity=value + 1))
        db.session.commit()

    assert run_together(app, increment, THREADS) == []
    assert _value(app, event_id) == 1  # eight increments, seven of them lost


def test_a_core_insert_leaves_the_object_loaded_exactly_as_stored(app):
    from sqlalchemy import event as sa_event

    from organizer.db import insert_loaded
    from organizer.models import Attendee
    event_id = _counter_event(app)
    with write():
        ana = insert_loaded(Attendee(event_id=event_id, name="Ana", email="ana@example.org",
                                     status="going"))
    # The key and the defaults filled in on the way (token, times) are on the
    # object, which the session holds as clean: nothing is written twice.
    assert ana.id and len(ana.token) >= 22 and ana.created_at is not None and ana.guests == 0
    assert ana in db.session and ana not in db.session.dirty and not db.session.new
    statements = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert (ana.name, ana.organisation, ana.checked_in_at) == ("Ana", "", None)
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", record)
    assert statements == []  # read from the object, not reloaded
    stored = db.session.execute(select(Attendee.__table__).where(
        Attendee.id == ana.id)).one()
    assert (stored.token, stored.created_at, stored.name) == (ana.token, ana.created_at, "Ana")


def test_a_crash_in_a_thread_of_a_concurrency_test_fails_that_test(app):
    """The helper the race tests use cannot pass over a thread that crashed."""
    def crash():
        raise ZeroDivisionError("a bug in the code under test")

    with pytest.raises(ZeroDivisionError, match="a bug in the code under test"):
        run_together(app, crash, threads=3)
