"""Long jobs (badge sheets, bulk PDFs, mass mail) behind one interface.

A job function is registered under a name and called with a
:class:`JobContext` and its parameters. Progress lives in the ``job`` table,
so any page (on any app server) can show it. The embedded backend runs jobs
in a thread pool of the app itself; another backend only has to call
:func:`run_job` with the job's id in a process that has the app.

A job's own writes (its claim, progress, outcome) take the write lock the
way requests do, through :func:`organizer.db.write`, and are tried again
while the database is busy: its last word ("done" or "failed") is not lost.
People only ever read sentences: a job that cannot be done raises
:class:`JobError` with one; any other exception is shown as a generic
sentence while its details go to the log and the job's ``error`` column.

    @jobs.register("badges.sheet")
    def build_sheet(ctx, event_id):
        ctx.progress(0, total=n)
        ...
        return {"file": str(ctx.output_path("badges.pdf"))}

A job that goes on after one person's failure lists them in
``result["failed"]`` as ``f"{person.name}: {jobs.reason(exc)}"``.

    job = jobs.submit("badges.sheet", {"event_id": 3}, owner=host, event=event)
"""
from __future__ import annotations

import logging
import re
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable

from flask import Flask, current_app
from sqlalchemy import func, update
from sqlalchemy.exc import OperationalError

from .db import db, end_transaction, write
from .i18n import current_language, in_language, lazy_gettext as _l
from .models import Event, Host, Job, utcnow

log = logging.getLogger(__name__)


class JobError(Exception):
    """A job that cannot be done, with a sentence for the person who started it.

    Raised from a job function, its message is what the job's page shows
    ("The event has no guests yet."): mark it with ``gettext``, the job runs in
    the language of the person who started it. Any other exception shows
    :data:`FAILED_MESSAGE` instead.
    """


FAILED_MESSAGE = _l("Something went wrong while running this job; it has been logged. "
                    "Start it again.")
# One person's line in result["failed"] when nothing better can be said.
FAILED_ONE = _l("something went wrong; it has been logged")
# The same as a line of its own.
FAILED_ONE_ALONE = _l("Something went wrong; it has been logged")


def reason(exc: BaseException) -> str:
    """A sentence about ``exc`` that may be shown to people.

    For one person's line in ``result["failed"]``: ``f"{name}: {reason(exc)}"``.
    A :class:`JobError` says its own message; anything else a generic
    sentence (:data:`FAILED_ONE`): the details of ``exc`` belong in the log.
    """
    if isinstance(exc, JobError):
        return str(exc)
    return str(FAILED_ONE)


# What never belongs on a page: SQL, driver and traceback text, paths on the server.
_INTERNAL = re.compile(
    r"\[SQL:|\[parameters:|\(sqlite3\.|\(psycopg|sqlalche\.me|Traceback \(most recent"
    r"|File \"|\[Errno |(?<![\w.:/~])/(?:[\w.@~+-]+/)+[\w.@~+-]*")


def presentable(text: str | None) -> bool:
    """False when ``text`` carries SQL, a traceback or a server path (so is not shown)."""
    return not _INTERNAL.search(text or "")


_REGISTRY: dict[str, Callable] = {}
_TITLES: dict[str, str] = {}


def register(kind: str, title: str | None = None):
    """Decorator: make ``func(ctx, **params)`` runnable as the job ``kind``.

    ``title`` is what people see on the job's progress page ("Badge sheet"): give it
    with ``lazy_gettext`` so each page shows it in its own language.
    """
    def wrap(func: Callable) -> Callable:
        _REGISTRY[kind] = func
        _TITLES[kind] = title or kind
        return func
    return wrap


def title(kind: str) -> str:
    """The human title of the job ``kind``, in the language being spoken."""
    return str(_TITLES.get(kind, kind))


# Progress is written at most this often (seconds), unless the total or the
# message changes or the count reaches the total: a job reporting each of
# 500 PDFs does not take the write lock 500 times.
PROGRESS_EVERY = 0.5


class JobContext:
    """What a running job uses to report progress and store its files."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self._written_at: float | None = None
        self._total: int | None = None
        self._message: str | None = None

    def progress(self, done: int, total: int | None = None, message: str | None = None) -> None:
        """Record progress, committed at once so pages see it while the job runs.

        Commits the job's own work so far first: the update then starts a
        transaction of its own (on SQLite a transaction that has read cannot
        write after another connection has). The update waits for the write
        lock in line with requests (:func:`organizer.db.write`). Calls
        that follow each other closely only record the last count.
        """
        message = None if message is None else message[:500]
        now = time.monotonic()
        changed = ((total is not None and total != self._total)
                   or (message is not None and message != self._message))
        total_now = total if total is not None else self._total
        if (not changed and self._written_at is not None
                and now - self._written_at < PROGRESS_EVERY
                and not (total_now and done >= total_now)):
            end_transaction()
            return
        values: dict = {"done": done, "heartbeat_at": utcnow()}
        if total is not None:
            values["total"] = total
        if message is not None:
            values["message"] = message
        _store(self.job_id, **values)
        self._written_at, self._total = time.monotonic(), total_now
        if message is not None:
            self._message = message

    def output_path(self, filename: str) -> Path:
        """A path in the job's own folder of the instance for a file it produces."""
        folder = Path(current_app.instance_path) / "jobs" / str(self.job_id)
        folder.mkdir(parents=True, exist_ok=True)
        return folder / Path(filename).name


# Where a job's parameters keep the language of the page that started it: the job
# speaks it (its progress, its sentences), wherever and whenever it runs.
LANGUAGE = "_language"


def submit(kind: str, params: dict | None = None, owner: Host | None = None,
           event: Event | None = None) -> Job:
    """Store a job and hand it to the configured backend; return it (status "queued").

    The job runs in the language being spoken now (what the person who started it
    reads); what it makes for an event's guests is made in ``in_language(event.language)``.
    """
    if kind not in _REGISTRY:
        raise KeyError(f"no job called {kind!r} is registered")
    job = Job(kind=kind, params={**(params or {}), LANGUAGE: current_language()},
              owner_id=owner.id if owner else None, event_id=event.id if event else None)
    with write():  # callers have usually read first; take the write lock up front
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
            with write():
                db.session.execute(update(Job).where(Job.id == job.id).values(
                    status="failed", finished_at=utcnow(),
                    message=_english(QUEUE_DOWN_MESSAGE)))
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


# How long a job's own write keeps trying while the database is busy
# (seconds): its outcome must outlast a burst of requests, or a timer.
STORE_PATIENCE = 120.0


def _store(job_id: int, *where, **values) -> int:
    """UPDATE the job's row with ``values`` (where ``where`` holds); return rows changed.

    The write waits for the lock in line with requests (``write``) and is
    tried again while the database stays busy or unreachable, for up to
    :data:`STORE_PATIENCE` seconds.
    """
    deadline = time.monotonic() + STORE_PATIENCE
    pause = 0.05
    while True:
        try:
            with write(keep_loaded=True):
                result = db.session.execute(
                    update(Job).where(Job.id == job_id, *where).values(**values))
            return result.rowcount
        except OperationalError as exc:
            db.session.rollback()
            if not _transient(exc) or time.monotonic() + pause > deadline:
                raise
            log.warning("job %s: the database was busy; writing again", job_id, exc_info=True)
            time.sleep(pause)
            pause = min(pause * 2, 2.0)


def _transient(exc: OperationalError) -> bool:
    """Whether writing again may succeed: a busy SQLite, a lost or locked PostgreSQL."""
    if exc.connection_invalidated:
        return True
    text = str(exc.orig).lower()
    return "locked" in text or "busy" in text or db.engine.dialect.name != "sqlite"


def _claim(job_id: int) -> bool:
    # One conditional UPDATE: two workers handed the same id run it once.
    now = utcnow()
    return _store(job_id, Job.status == "queued",
                  status="running", started_at=now, heartbeat_at=now) == 1


def run_job(job_id: int) -> None:
    """Run the stored job ``job_id`` to the end, recording success or failure.

    The outcome is always written: a result that cannot be stored (or a
    "done" that cannot be written) makes the job "failed", never leaves it
    "running".
    """
    if not _claim(job_id):
        return
    job = db.session.get(Job, job_id)
    kind, params = job.kind, dict(job.params or {})
    language = params.pop(LANGUAGE, None)
    end_transaction()
    func = _REGISTRY.get(kind)
    with in_language(language):
        try:
            if func is None:
                raise LookupError(f"no job called {kind!r} is registered here")
            result = func(JobContext(job_id), **params) or {}
        except Exception as exc:  # a failed job is reported on its page, not lost
            _fail(job_id, kind, exc)
            return
        try:
            _store(job_id, status="done", result=result, finished_at=utcnow(), done=Job.total)
        except Exception as exc:
            _fail(job_id, kind, exc)


def _fail(job_id: int, kind: str, exc: Exception) -> None:
    """Record that the job failed: a sentence for its page, the details for the log."""
    try:
        db.session.rollback()
    except Exception:  # a broken connection: the write below starts afresh
        log.warning("job %s: rolling back failed", job_id, exc_info=True)
    log.error("job %s (%s) failed", job_id, kind, exc_info=exc)
    details = "".join(traceback.format_exception(exc))[-5000:]
    message = reason(exc) if isinstance(exc, JobError) else _english(FAILED_MESSAGE)
    try:
        _store(job_id, status="failed", finished_at=utcnow(), message=message[:500],
               error=details)
    except Exception:
        # Nothing more can be done here; the due work marks it failed once silent.
        log.exception("job %s (%s): its failure could not be recorded", job_id, kind)


# The job's own sentences are stored in English (the due work that writes some of them
# speaks nobody's language); a job's page shows them in its reader's (:func:`shown`).
STALLED_MESSAGE = _l("This job stopped without finishing (its server or worker was probably "
                     "restarted). Start it again.")
NEVER_STARTED_MESSAGE = _l("This job never started (its server was probably restarted before "
                           "it could). Start it again.")
QUEUE_DOWN_MESSAGE = _l("The job queue did not answer; try again in a moment.")


def _english(message) -> str:
    """A lazily translated sentence in English, as it is stored."""
    with in_language("en"):
        return str(message)


def shown(message: str) -> str:
    """A job's stored message for its page: one of the sentences above (stored in
    English) in the reader's language, anything else as the job wrote it."""
    for known in (FAILED_MESSAGE, STALLED_MESSAGE, NEVER_STARTED_MESSAGE, QUEUE_DOWN_MESSAGE):
        if message == _english(known):
            return str(known)
    return message


def reap(now: datetime, silent_for: timedelta) -> int:
    """Mark jobs that stopped as failed: running ones silent for ``silent_for``, and (in-app
    thread backend) queued ones that never started in that time.

    A job whose process died (a restart, a killed worker) would otherwise
    show its progress bar forever. Conditional UPDATEs: safe when two timers
    run at once, and a job that reports meanwhile is left alone. Jobs on a
    Redis queue may wait for a worker as long as it takes, so only the
    thread backend's queued jobs are given up on.
    """
    with write():  # a write after whatever the caller read: the write lock first
        result = db.session.execute(
            update(Job).where(Job.status == "running",
                              func.coalesce(Job.heartbeat_at, Job.started_at) < now - silent_for)
            .values(status="failed", finished_at=now, message=_english(STALLED_MESSAGE)))
        count = result.rowcount
        if current_app.config["JOB_BACKEND"] == "thread":
            # Queued jobs wait their turn for the app's few job threads: only
            # one still waiting four times as long is taken for lost.
            count += db.session.execute(
                update(Job).where(Job.status == "queued",
                                  Job.created_at < now - 4 * silent_for)
                .values(status="failed", finished_at=now,
                        message=_english(NEVER_STARTED_MESSAGE))
            ).rowcount
    return count


def _run_in_app(app: Flask, job_id: int) -> None:
    with app.app_context():
        try:
            run_job(job_id)
        except Exception:
            # A thread pool keeps exceptions to itself: say it here.
            log.exception("job %s could not be run", job_id)
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
