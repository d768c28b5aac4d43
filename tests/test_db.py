"""Writes that must not race: immediate() serialises read-check-write on both databases."""
from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import select, update

from organizer.db import db, immediate
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
        with immediate():
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

    def increment():
        value = db.session.scalar(select(Event.capacity).where(Event.id == event_id))
        time.sleep(0.01)
        db.session.execute(update(Event).where(Event.id == event_id).values(capacity=value + 1))
        db.session.commit()

    errors = run_together(app, increment, THREADS)
    assert _value(app, event_id) + len(errors) < THREADS or errors
