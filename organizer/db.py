"""The database handle and the few rules every connection follows.

SQLite is the embedded default, so its connections get WAL, a busy timeout
and foreign keys. Writes that must not race (a seat, a check-in, a due job)
use :func:`write` — ``BEGIN IMMEDIATE`` on SQLite, a row lock on
PostgreSQL — or a single conditional ``UPDATE``.
"""
from __future__ import annotations

import fcntl
import os
import threading
from contextlib import contextmanager
from typing import Callable

from functools import wraps

from flask import Flask, g, has_request_context, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, event, insert
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, make_transient_to_detached

# Deterministic constraint names keep Alembic migrations portable across databases.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)

SQLITE_BUSY_TIMEOUT_MS = 10_000


def is_sqlite(engine: Engine | None = None) -> bool:
    """True when the app's database is SQLite."""
    engine = engine or db.engine
    return engine.dialect.name == "sqlite"


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling begins lazily and cannot do
    # BEGIN IMMEDIATE; turn it off and emit BEGIN ourselves.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    path = engine.url.database

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # The writer queue is always taken after the pool's connection, never
        # before: a thread holding the queue while it waits for a connection
        # would wait forever on threads that hold connections and wait for it.
        if conn.get_execution_options().get("immediate"):
            if path and path != ":memory:":
                _writers.acquire(path)
                conn.info["organizer_writer"] = True
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        elif _writing_request() and path and path != ":memory:":
            # A request that changes state: its transactions take the write
            # lock up front, so a read followed by a write can never meet
            # "database is locked" (a deferred transaction that has read
            # may not write once another connection has).
            _writers.acquire(path)
            conn.info["organizer_writer"] = True
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(conn):
        if conn.info.pop("organizer_writer", False):
            _writers.release()


READ_ONLY_METHODS = {"GET", "HEAD", "OPTIONS"}


def _writing_request() -> bool:
    return (has_request_context() and request.method not in READ_ONLY_METHODS
            and not g.get("organizer_own_transactions"))


def own_transactions(view):
    """Mark a view whose writes all go through :func:`write`.

    Its other transactions then stay ordinary read transactions on SQLite,
    so a busy write path (RSVPs) holds the write lock only while it writes.
    """
    @wraps(view)
    def wrapper(*args, **kwargs):
        g.organizer_own_transactions = True
        return view(*args, **kwargs)
    return wrapper


def init_app(app: Flask) -> None:
    """Bind the database to ``app`` and apply the SQLite connection rules."""
    db.init_app(app)
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            _configure_sqlite(engine)
        _install_after_commit(app)

    @app.teardown_request
    def _release_writer(_exc):
        # A safety net: whatever happened, the request lets go of the queue.
        _writers.release(everything=True)


class _WriterQueue:
    """Queue SQLite writers in line instead of letting them poll.

    SQLite's busy handler makes a waiting writer sleep in growing steps (up
    to 100 ms), so under load most of a request's time would be spent
    asleep. A lock file next to the database (``flock``, across processes)
    and a lock per process (across threads) wake the next writer the moment
    the last one is done. Re-entrant within a thread.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._local = threading.local()
        # The lock file stays open (one per database and process): the
        # per-process lock above lets one thread at a time use it.
        self._files: dict[str, tuple[int, int]] = {}

    def held(self) -> bool:
        return getattr(self._local, "depth", 0) > 0

    def _file(self, path: str) -> int:
        # Called with the per-process lock held: no other thread of this
        # process holds any of these files' locks.
        found = self._files.get(path)
        if found is None or found[0] != os.getpid():
            # A child process opens its own: a file inherited across fork
            # would share its lock with the parent.
            if len(self._files) >= 8:  # a process rarely uses more than one database
                oldest = next(iter(self._files))
                pid, fd = self._files.pop(oldest)
                if pid == os.getpid():
                    os.close(fd)
            found = (os.getpid(), os.open(path + ".writer-lock", os.O_WRONLY | os.O_CREAT, 0o600))
            self._files[path] = found
        return found[1]

    def acquire(self, path: str) -> None:
        if self.held():
            self._local.depth += 1
            return
        self._lock.acquire()
        try:
            handle = self._file(path)
            fcntl.flock(handle, fcntl.LOCK_EX)
        except BaseException:
            self._lock.release()
            raise
        self._local.handle, self._local.depth = handle, 1

    def release(self, everything: bool = False) -> None:
        if not self.held():
            return
        self._local.depth = 0 if everything else self._local.depth - 1
        if self._local.depth == 0:
            fcntl.flock(self._local.handle, fcntl.LOCK_UN)
            self._lock.release()


_writers = _WriterQueue()


@contextmanager
def write(keep_loaded: bool = False):
    """A write transaction that holds the write lock from its first statement.

    On SQLite this is ``BEGIN IMMEDIATE``: two of these never interleave, so
    a read-check-write inside is safe. On PostgreSQL it is an ordinary
    transaction; callers read the rows they will change with :func:`locked`
    or :func:`hold`.
    Commits on success, rolls back on error; callbacks queued with
    :func:`after_commit` run after the lock is released.

    Objects read before are expired, so reading them inside reloads them
    under the lock. ``keep_loaded=True`` keeps them as read (no reloads) for a
    caller whose writes re-check what matters themselves, such as a
    conditional UPDATE.
    """
    session = db.session()
    if session.in_transaction():
        # A read before this point opened a deferred transaction; end it so
        # the next statement opens the immediate one.
        session.expire_on_commit = not keep_loaded
        try:
            session.commit()
        finally:
            session.expire_on_commit = True
    # On SQLite the transaction's begin takes the writer queue (see _configure_sqlite)
    # and its end lets go of it.
    session.connection(execution_options={"immediate": True})
    try:
        yield session
        # What was read under the lock is exactly what is now committed,
        # so those objects stay loaded (no reload after the commit).
        session.expire_on_commit = False
        try:
            session.commit()
        finally:
            session.expire_on_commit = True
    except BaseException:
        session.rollback()
        raise
    # Mail and plugins' reactions run outside the lock.
    _run_callbacks(session)


def locked(query, of=None):
    """``query`` (a select) holding the rows it reads of ``of`` (an entity; all by
    default) until the write transaction ends, for a read-check-write.

    On PostgreSQL: ``FOR NO KEY UPDATE``, so other writers of those rows wait
    while rows that merely point at them (a ticket, a check-in) can still be
    added. On SQLite :func:`write` already holds the database's write lock and
    the clause is left out.
    """
    return query.with_for_update(of=of, key_share=True)


def hold(obj) -> None:
    """Read ``obj`` again, holding its row until the write transaction ends (see
    :func:`locked`): what it says now cannot change before this transaction commits."""
    db.session.refresh(obj, with_for_update={"key_share": True})


def insert_loaded(obj):
    """INSERT ``obj``'s row now, in one statement, and keep ``obj`` in the session as loaded.

    For the hottest writes (an RSVP in a surge): the unit of work costs
    several times the statement itself. Column defaults apply as in a flush;
    the columns not given come back (``RETURNING``), so ``obj`` holds
    exactly what is stored, its primary key included. Relationships are not
    followed: set the foreign keys.
    """
    mapper = sa_inspect(obj).mapper
    table = mapper.local_table
    given = {prop.columns[0].key: obj.__dict__[prop.key]
             for prop in mapper.column_attrs if prop.key in obj.__dict__}
    # Only what the database decides comes back (the key, defaults).
    decided = [prop for prop in mapper.column_attrs if prop.columns[0].key not in given]
    session = db.session()
    statement = insert(table).returning(*(prop.columns[0] for prop in decided))
    row = session.connection().execute(statement, given).one()
    for prop in decided:
        setattr(obj, prop.key, row._mapping[prop.columns[0]])
    # Transient → detached with everything as committed, then persistent:
    # SQLAlchemy's documented way to adopt a row that was written without it.
    make_transient_to_detached(obj)
    session.add(obj)
    return obj


# --- lifecycle notifications that must only fire once the data is stored ---

def after_commit(callback: Callable[[], None]) -> None:
    """Run ``callback`` once the current transaction is committed by :func:`commit`.

    Lifecycle hooks go through here so a plugin never hears of a change that
    was rolled back; a rollback drops what was queued.
    """
    db.session.info.setdefault("organizer_after_commit", []).append(callback)


def commit() -> None:
    """Commit the session, then run the callbacks queued with :func:`after_commit`.

    The callbacks run outside the committed transaction, so they may read and
    write the database themselves (a plugin sending mail, say).
    """
    session = db.session()
    session.commit()
    _run_callbacks(session)


def _run_callbacks(session) -> None:
    while pending := session.info.pop("organizer_after_commit", []):
        for callback in pending:
            callback()
        # End whatever transaction the callbacks opened (even a read): on
        # SQLite a transaction that read first cannot later take the write
        # lock once someone else has written. What they read stays loaded:
        # the page that follows shows it without reading it all again.
        end_transaction(session)


def end_transaction(session=None) -> None:
    """Commit the session's transaction, if one is open, keeping what it read loaded."""
    session = session or db.session()
    if session.in_transaction():
        session.expire_on_commit = False
        try:
            session.commit()
        finally:
            session.expire_on_commit = True


def _install_after_commit(app: Flask) -> None:
    if getattr(_install_after_commit, "_listening", False):
        return
    _install_after_commit._listening = True  # type: ignore[attr-defined]
    from sqlalchemy.orm import Session

    @event.listens_for(Session, "after_soft_rollback")
    def _drop(session, previous_transaction):
        # Only the outermost rollback undoes the changes the callbacks were
        # queued for; a failed savepoint (begin_nested) leaves them standing.
        if previous_transaction.parent is None and not previous_transaction.nested:
            session.info.pop("organizer_after_commit", None)
