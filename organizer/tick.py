"""Due work: what the runner does every minute (and ``organizer tick`` on demand).

Each piece of work is claimed with a single conditional UPDATE before it is
done, so two runs at once (two runners, a manual tick beside one) never do
anything twice.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select, update

from .db import after_commit, db, write
from .events import queue_messages
from .models import Event, utcnow
from .plugins import hook

log = logging.getLogger(__name__)


def claim_ended(event_id: int, now: datetime) -> bool:
    """Mark ``event_id`` as ended if nobody has; True for the one caller that did."""
    result = db.session.execute(
        update(Event).where(Event.id == event_id, Event.ended_at.is_(None))
        .values(ended_at=now))
    return result.rowcount == 1


def end_events(now: datetime) -> int:
    """Fire ``event_ended`` once for every published event whose end has passed."""
    due = db.session.scalars(
        select(Event.id).where(Event.status == "published", Event.ends_at <= now,
                               Event.ended_at.is_(None))).all()
    db.session.commit()
    fired = 0
    for event_id in due:
        # Each claim in a transaction of its own, with the messages it sends.
        with write():
            if claim_ended(event_id, now):
                event = db.session.get(Event, event_id)
                queue_messages(event, "ended")
                after_commit(lambda event=event: hook().event_ended(event=event))
                fired += 1
    return fired


def run(now: datetime | None = None, deliver: bool = True) -> dict[str, int]:
    """Do everything that is due (and, with ``deliver``, send due mail); return counts."""
    from flask import current_app

    from . import auth, delivery, jobs, privacy
    from .api import idempotency
    from .series import extend_all

    now = now or utcnow()
    counts = {"ended": end_events(now), "occurrences": extend_all(now),
              "stalled_jobs": jobs.reap(now, timedelta(
                  minutes=current_app.config["JOB_STALL_MINUTES"])),
              "old_reset_links": auth.prune_resets(now),
              "old_idempotency_keys": idempotency.prune(now),
              "anonymised_guests": privacy.anonymise_due(now)}
    done = hook().due_work(now=now)
    counts["plugin_work"] = sum(n for n in done if isinstance(n, int))
    if deliver:
        counts["messages"] = delivery.drain()
    return counts
