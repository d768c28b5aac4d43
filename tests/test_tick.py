"""The due-work command fires "event ended" exactly once, even when run twice at once."""
from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

from sqlalchemy import select, update

from organizer import hookimpl, tick
from organizer.db import db
from organizer.models import Event, Host, utcnow

from .concurrency import run_together


class Recorder:
    def __init__(self):
        self.ended = Counter()
        self.due = 0
        self.lock = threading.Lock()

    @hookimpl
    def event_ended(self, event):
        with self.lock:
            self.ended[event.id] += 1

    @hookimpl
    def due_work(self, now):
        with self.lock:
            self.due += 1
        return 1


def _host():
    host = Host(name="H", email="h@example.org", handle="h", password_hash="x", timezone="UTC")
    db.session.add(host)
    db.session.commit()
    return host


def _events(host, n, ended=True, status="published"):
    now = utcnow()
    offset = -timedelta(hours=2) if ended else timedelta(hours=2)
    for i in range(n):
        db.session.add(Event(owner_id=host.id, title=f"E{i}", timezone="UTC", status=status,
                             starts_at=now + offset, ends_at=now + offset + timedelta(hours=1),
                             settings={}))
    db.session.commit()


def test_ended_events_are_announced_once_and_plugins_do_their_work(app_factory):
    recorder = Recorder()
    app = app_factory(EXTRA_PLUGINS=[recorder])
    with app.app_context():
        host = _host()
        _events(host, 3)
        _events(host, 2, ended=False)
        _events(host, 1, status="draft")
        _events(host, 1, status="cancelled")
        first = tick.run()
        second = tick.run()
    assert first["ended"] == 3 and second["ended"] == 0
    assert sorted(recorder.ended.values()) == [1, 1, 1]
    assert recorder.due == 2 and first["plugin_work"] == 1


def test_two_ticks_at_once_announce_each_event_once(app_factory):
    recorder = Recorder()
    app = app_factory(EXTRA_PLUGINS=[recorder])
    with app.app_context():
        _events(_host(), 20)
    assert run_together(app, lambda: tick.end_events(utcnow())) == []
    assert len(recorder.ended) == 20
    assert set(recorder.ended.values()) == {1}
    with app.app_context():
        assert all(e.ended_at for e in db.session.scalars(select(Event)))


def test_control_a_read_then_write_claim_announces_events_twice(app_factory):
    """Proves the race above is visible: without the conditional UPDATE, ticks overlap."""
    fired = Counter()
    lock = threading.Lock()
    app = app_factory()
    with app.app_context():
        _events(_host(), 20)

    threads = 4
    # Every tick reads before any writes: the window a read-then-write leaves open.
    all_read = threading.Barrier(threads, timeout=20)

    def naive_end_events():
        due = db.session.scalars(select(Event.id).where(Event.ended_at.is_(None))).all()
        db.session.commit()  # end the read, so each write can take SQLite's lock in turn
        all_read.wait()
        for event_id in due:
            db.session.execute(update(Event).where(Event.id == event_id)
                               .values(ended_at=utcnow()))
            with lock:
                fired[event_id] += 1
        db.session.commit()

    run_together(app, naive_end_events, threads=threads)
    assert set(fired.values()) == {threads}


def test_tick_can_act_as_if_it_were_another_time(app_factory):
    recorder = Recorder()
    seen = []

    class Clock:
        @hookimpl
        def due_work(self, now):
            seen.append(now)
            return 0

    app = app_factory(EXTRA_PLUGINS=[recorder, Clock()])
    with app.app_context():
        host = _host()
        _events(host, 1, ended=False)  # ends in three hours
    runner = app.test_cli_runner()
    result = runner.invoke(args=["tick", "--now", "2099-01-10T09:00"])
    assert result.exit_code == 0, result.output
    assert seen[-1].isoformat() == "2099-01-10T09:00:00+00:00"
    assert sum(recorder.ended.values()) == 1  # "now" is past its end
    bad = runner.invoke(args=["tick", "--now", "next tuesday"])
    assert bad.exit_code != 0 and "Invalid value for '--now'" in bad.output
