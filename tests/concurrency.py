"""Run the same work in several threads at once, each with its own database session."""
from __future__ import annotations

import threading
from typing import Callable

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
