"""The runner: delivers queued mail within a second or so, and does the due work every minute.

``organizer serve`` starts one runner process beside its web workers (at a
lower CPU priority, so a surge of requests comes first and the mail follows
a moment later); ``organizer worker`` runs the same loop on machines that
serve no pages. Several runners at once are safe: every message and every
piece of due work is claimed before it is done.

    python -m organizer.runner      # what `organizer serve` starts
"""
from __future__ import annotations

import logging
import os
import signal
import threading
import time

from flask import Flask

from . import delivery
from .db import db

log = logging.getLogger(__name__)


# While messages pour in (a surge of RSVPs), the runner gives way to the
# requests causing them: it works at most this share of the time, and the
# mail catches up once the surge is over. A lower CPU priority alone does not
# do it: requests wait on SQLite's write lock, and the runner fills those
# pauses with writes of its own.
SURGE_PER_SECOND = 20.0
SURGE_DUTY = 0.25


def run(app: Flask, stop: threading.Event) -> None:
    """Deliver and do due work until ``stop`` is set."""
    poll = float(app.config["RUNNER_POLL_SECONDS"])
    tick_every = float(app.config["TICK_SECONDS"])
    next_tick = time.monotonic()  # due work once at start: a restart catches up
    arrivals = Arrivals()
    while not stop.is_set():
        delivered, began = 0, time.monotonic()
        with app.app_context():
            try:
                delivered = delivery.run_pass()["claimed"]
                rate = arrivals.rate()
            except Exception:  # a bad moment (the database restarting) is not the end
                log.exception("delivering queued messages failed; trying again shortly")
                rate = 0.0
            if time.monotonic() >= next_tick:
                next_tick = time.monotonic() + tick_every
                _due_work()
            db.session.remove()
        if delivered:
            if rate > SURGE_PER_SECOND:
                stop.wait((time.monotonic() - began) * (1 / SURGE_DUTY - 1))
            continue  # more may be due: no pause while there is work
        delivery.wake.wait(poll)
        delivery.wake.clear()


class Arrivals:
    """How many messages a second have been queued lately (from the outbox's newest id)."""

    def __init__(self):
        self._last: tuple[float, int] | None = None
        self._rate = 0.0

    def rate(self) -> float:
        newest, now = delivery.newest_id(), time.monotonic()
        if self._last is not None and now - self._last[0] >= 0.5:
            self._rate = (newest - self._last[1]) / (now - self._last[0])
            self._last = (now, newest)
        elif self._last is None:
            self._last = (now, newest)
        return self._rate


def _due_work() -> None:
    from .tick import run as tick
    try:
        counts = tick(deliver=False)
    except Exception:
        log.exception("the due work failed; it runs again in a minute")
        db.session.rollback()
        return
    if any(counts.values()):
        log.info("due work: %s", ", ".join(f"{k} {v}" for k, v in counts.items() if v))


def start_thread(app: Flask) -> tuple[threading.Thread, threading.Event]:
    """Run the loop in a daemon thread of this process (``organizer worker``, tests)."""
    stop = threading.Event()
    thread = threading.Thread(target=run, args=(app, stop), name="organizer-runner",
                              daemon=True)
    thread.start()
    return thread, stop


def main() -> None:
    """The runner process: the loop until SIGTERM, or until the process that started it ends."""
    from . import create_app

    # Our own news at INFO; libraries (the PDF renderer narrates every page)
    # only when something is wrong.
    logging.basicConfig(level=logging.WARNING, format="[runner] %(levelname)s %(message)s")
    logging.getLogger("organizer").setLevel(logging.INFO)
    app = create_app()
    stop = threading.Event()
    parent = os.getppid()

    def _stop(*_):
        stop.set()
        delivery.wake.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)

    def _orphaned():
        # If the server that started us is killed outright, no signal comes:
        # notice and leave rather than deliver for a server that is gone.
        while not stop.wait(2):
            if os.getppid() != parent:
                _stop()

    threading.Thread(target=_orphaned, daemon=True).start()
    log.info("delivering mail and doing due work for %s", app.instance_path)
    run(app, stop)


if __name__ == "__main__":
    main()
