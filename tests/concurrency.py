"""Run the same work in several threads at once, each with its own database session."""
from __future__ import annotations

import threading
import time
from typing import Callable

from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from organizer.db import db


def run_together(app, work: Callable[[], None], threads: int = 4) -> list[Exception]:
    """Start ``work`` in ``threads`` threads released together; return lock errors.

    SQLite refuses a writer whose snapshot went stale ("database is locked");
    such refusals are collected rather than raised, so a control run can
    show what a race does. Anything else a thread raises is raised here, once
    every thread has finished: a test cannot pass over a crash.
    """
    barrier = threading.Barrier(threads)
    errors: list[Exception] = []
    crashes: list[BaseException] = []

    def run():
        with app.app_context():
            barrier.wait()
            try:
                work()
            except OperationalError as exc:
                errors.append(exc)
                db.session.rollback()
            except BaseException as exc:  # noqa: BLE001  (handed to the test's thread)
                crashes.append(exc)
                db.session.rollback()
            finally:
                db.session.remove()

    pool = [threading.Thread(target=run) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    if crashes:
        raise crashes[0]
    return errors


def run_behind_a_row_lock(app, work: Callable[[], None], threads: int, table: str,
                          row_id: int) -> list[Exception]:
    """Like :func:`run_together`, with the widest window on PostgreSQL: row ``row_id`` of
    ``table`` is locked from outside until every thread waits on it, so each has read
    before the first one writes. On SQLite the write lock serialises them anyway."""
    with app.app_context():
        on_postgresql = db.engine.dialect.name == "postgresql"
    if not on_postgresql:
        return run_together(app, work, threads=threads)
    errors: list[Exception] = []
    with app.app_context(), db.engine.connect() as outside, db.engine.connect() as watch:
        outside.execute(text(f"SELECT id FROM {table} WHERE id = :id FOR UPDATE"), {"id": row_id})
        racing = threading.Thread(
            target=lambda: errors.extend(run_together(app, work, threads=threads)))
        racing.start()
        waiting, deadline = 0, time.monotonic() + 30
        while waiting < threads and time.monotonic() < deadline:
            time.sleep(0.02)
            waiting = watch.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock'")).scalar()
            watch.rollback()
        outside.rollback()
        racing.join()
        assert waiting == threads, f"only {waiting} of {threads} waited on the row"
    return errors
