"""Long jobs (badge sheets, bulk PDFs, mass mail) behind one interface.

A job function is registered under a name and called with a
:class:`JobContext` and its parameters. Progress lives in the ``job`` table,
so any page (on any app server) can show it. The embedded backend runs jobs
in a thread pool of the app itself; another backend only has to call
:func:`run_job` with the job's id in a process that has the app.

    @jobs.register("badges.sheet")
    def build_sheet(ctx, event_id):
        ctx.progress(0, total=n)
        ...
        return {"file": str(ctx.output_path("badges.pdf"))}

    job = jobs.submit("badges.sheet", {"event_id": 3}, owner=host, event=event)
"""
from __future__ import annotations

import logging
import traceback
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable

from flask import Flask, current_app
from sqlalchemy import func, update

from .db import db, immediate
from .models import Event, Host, Job, utcnow

log = logging.getLogger(__name__)

_REGISTRY: dict[str, Callable] = {}
_TITLES: dict[str, str] = {}


def register(kind: str, title: str | None = None):
    """Decorator: make ``func(ctx, **params)`` runnable as the job ``kind``.

    ``title`` is what people see on the job's progress page ("Badge sheet").
    """
    def wrap(func: Callable) -> Callable:
        _REGISTRY[kind] = func
        _TITLES[kind] = title or kind
        return func
    return wrap


def title(kind: str) -> str:
    """The human title of the job ``kind``."""
    return _TITLES.get(kind, kind)


class JobContext:
    """What a running job uses to report progress and store its files."""

    def __init__(self, job_id: int):
        self.job_id = job_id

    def progress(self, done: int, total: int | None = None, message: str | None = None) -> None:
        """Record progress, committed at once so pages see it while the job runs.

        Commits the job's own work so far first: the update then starts a
        transaction of its own (on SQLite a transaction that has read cannot
        write after another connection has).
        """
        db.session.commit()
        values: dict = {"done": done, "heartbeat_at": utcnow()}
        if total is not None:
            values["total"] = total
        if message is not None:
            values["message"] = message[:500]
        db.session.execute(update(Job).where(Job.id == self.job_id).values(**values))
        db.session.commit()

    def output_path(self, filename: str) -> Path:
        """A path in the job's own folder of the instance for a file it produces."""
        folder = Path(current_app.instance_path) / "jobs" / str(self.job_id)
        folder.mkdir(parents=True, exist_ok=True)
        return folder / Path(filename).name


def submit(kind: str, params: dict | None = None, owner: Host | None = None,
           event: Event | None = None) -> Job:
    """Store a job and hand it to the configured backend; return it (status "queued")."""
    if kind not in _REGISTRY:
        raise KeyError(f"no job called {kind!r} is registered")
    job = Job(kind=kind, params=params or {}, owner_id=owner.id if owner else None,
              event_id=event.id if event else None)
    with immediate():  # callers have usually read first; take the write lock up front
        db.session.add(job)
    backend = current_app.config["JOB_BACKEND"]
    if backend == "eager":
        run_job(job.id)
        db.session.refresh(job)
    elif backend == "rq":
        try:
            queue(current_app).enqueue(run_in_worker, job.id, job_timeout=JOB_TIMEOUT,
                                       result_ttl=0, description=f"{kind} #{job.id}")
        except Exception:
            # Not left "queued" forever: the page says what happened.
            with immediate():
                db.session.execute(update(Job).where(Job.id == job.id).values(
                    status="failed", finished_at=utcnow(),
                    message="The job queue did not answer; try again in a moment."))
            raise
    else:
        _executor(current_app).submit(_run_in_app, current_app._get_current_object(), job.id)
    return job


# --- the Redis queue backend ---------------------------------------------------

JOB_TIMEOUT = 3600
_worker_app: Flask | None = None


def queue(app: Flask):
    """The app's RQ queue (``JOB_QUEUE`` on ``REDIS_URL``)."""
    from redis import Redis
    from rq import Queue

    found = app.extensions.get("organizer.queue")
    if found is None:
        found = Queue(app.config["JOB_QUEUE"],
                      connection=Redis.from_url(app.config["REDIS_URL"]))
        app.extensions["organizer.queue"] = found
    return found


def run_in_worker(job_id: int) -> None:
    """What an ``organizer worker`` process runs for a queued job (one app per process)."""
    global _worker_app
    if _worker_app is None:
        from . import create_app

        _worker_app = create_app()
    _run_in_app(_worker_app, job_id)


def work(app: Flask, burst: bool = False) -> None:
    """Serve the app's queue in this process until stopped (or, with ``burst``, until empty)."""
    global _worker_app
    from rq import SimpleWorker

    _worker_app = app
    q = queue(app)
    # SimpleWorker runs jobs in this process: the app, its plugins and the
    # PDF renderer stay warm from one job to the next.
    SimpleWorker([q], connection=q.connection).work(burst=burst, with_scheduler=False)


def _claim(job_id: int) -> bool:
    # One conditional UPDATE: two workers handed the same id run it once.
    result = db.session.execute(
        update(Job).where(Job.id == job_id, Job.status == "queued")
        .values(status="running", started_at=utcnow(), heartbeat_at=utcnow()))
    db.session.commit()
    return result.rowcount == 1


def run_job(job_id: int) -> None:
    """Run the stored job ``job_id`` to the end, recording success or failure."""
    if not _claim(job_id):
        return
    job = db.session.get(Job, job_id)
    func = _REGISTRY.get(job.kind)
    try:
        if func is None:
            raise LookupError(f"no job called {job.kind!r} is registered here")
        result = func(JobContext(job_id), **job.params) or {}
        db.session.execute(update(Job).where(Job.id == job_id).values(
            status="done", result=result, finished_at=utcnow(),
            done=Job.total))
        db.session.commit()
    except Exception as exc:  # a failed job is reported on its page, not lost
        db.session.rollback()
        log.exception("job %s (%s) failed", job_id, job.kind)
        db.session.execute(update(Job).where(Job.id == job_id).values(
            status="failed", finished_at=utcnow(), message=str(exc)[:500],
            error=traceback.format_exc()[-5000:]))
        db.session.commit()


STALLED_MESSAGE = ("This job stopped without finishing (its server or worker was probably "
                   "restarted). Start it again.")


def reap(now: datetime, silent_for: timedelta) -> int:
    """Mark running jobs that have not reported for ``silent_for`` as failed.

    A job whose process died (a restart, a killed worker) would otherwise
    show its progress bar forever. One conditional UPDATE: safe when two
    timers run at once, and a job that reports meanwhile is left alone.
    """
    with immediate():  # a write after whatever the caller read: the write lock first
        result = db.session.execute(
            update(Job).where(Job.status == "running",
                              func.coalesce(Job.heartbeat_at, Job.started_at) < now - silent_for)
            .values(status="failed", finished_at=now, message=STALLED_MESSAGE))
    return result.rowcount


def _run_in_app(app: Flask, job_id: int) -> None:
    with app.app_context():
        try:
            run_job(job_id)
        finally:
            db.session.remove()


def _executor(app: Flask) -> ThreadPoolExecutor:
    executor = app.extensions.get("organizer.jobs")
    if executor is None:
        executor = ThreadPoolExecutor(max_workers=app.config["JOB_WORKERS"],
                                      thread_name_prefix="organizer-job")
        app.extensions["organizer.jobs"] = executor
    return executor


def wait_all(app: Flask) -> None:
    """Wait until the app's in-process jobs have finished (shutdown, tests)."""
    executor = app.extensions.pop("organizer.jobs", None)
    if executor is not None:
        executor.shutdown(wait=True)
