"""Rate-limit counters in a small SQLite file, shared by every process on the machine.

``organizer serve`` runs several gunicorn worker processes; counters kept in
memory would let each of them allow the whole limit. This ``limits`` storage
keeps them in one file instead (``<instance>/ratelimits.db`` by default), so
the limits hold across all workers with no other service running.

The URI follows SQLAlchemy's form: ``sqlite:////abs/path/ratelimits.db``
(everything after ``sqlite:///`` is the path). It supports the fixed window
(Flask-Limiter's default strategy) and the moving window.

- Each process and each thread has its own connection; a connection made
  before a fork is never used (nor closed) in the child.
- A fixed-window hit is one UPSERT, atomic across processes; a moving-window
  hit is one ``BEGIN IMMEDIATE`` transaction.
- WAL, a busy timeout and ``synchronous=OFF``: counters need not survive a
  power cut, only be shared. WAL needs every process on one machine: several
  app servers count in Redis instead.
- Expired counters are deleted at most once a minute per process and the
  write-ahead log is kept under a megabyte, so the file stays as small as
  its busiest minute.
- When the file cannot be used, requests are let through and a warning is
  logged (see ``_fail_open``).
"""
from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time

from limits.storage import MovingWindowSupport, Storage

log = logging.getLogger(__name__)

SCHEME = "sqlite"
SWEEP_SECONDS = 60.0
WARN_SECONDS = 60.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS ratelimit_counters (
    key TEXT PRIMARY KEY, value INTEGER NOT NULL, expires_at REAL NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ratelimit_counters_expiry ON ratelimit_counters (expires_at);
CREATE TABLE IF NOT EXISTS ratelimit_entries (
    key TEXT NOT NULL, at REAL NOT NULL, amount INTEGER NOT NULL, expires_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS ratelimit_entries_key ON ratelimit_entries (key, at);
CREATE INDEX IF NOT EXISTS ratelimit_entries_expiry ON ratelimit_entries (expires_at);
"""

# One statement: a new key, an expired one (a new window) or one more hit.
# All SET expressions read the row as it was before the statement.
_INCR = """
INSERT INTO ratelimit_counters (key, value, expires_at) VALUES (:key, :amount, :expires)
ON CONFLICT (key) DO UPDATE SET
    value = CASE WHEN expires_at <= :now THEN :amount ELSE value + :amount END,
    expires_at = CASE WHEN expires_at <= :now THEN :expires ELSE expires_at END
RETURNING value
"""

# Connections this process inherited through fork(). SQLite must not use a
# connection across a fork, nor should the child close it (closing may touch
# the WAL files the parent still uses): they are kept here, never used.
_inherited: list[sqlite3.Connection] = []


def _busy(error: sqlite3.Error) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and (code & 0xFF) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def uri_for(path: os.PathLike | str) -> str:
    """The storage URI of the counter file at ``path``."""
    return f"{SCHEME}:///{os.fspath(path)}"


class SQLiteStorage(Storage, MovingWindowSupport):
    """``limits`` storage for ``sqlite:///<path>`` URIs."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False,
                 timeout: float = 5.0, **options) -> None:
        prefix = f"{SCHEME}:///"
        if not uri or not uri.startswith(prefix) or uri == prefix:
            raise ValueError(f"expected {prefix}<path of the counter file>, got {uri!r}")
        self.path = uri[len(prefix):]
        self.timeout = float(timeout)
        self.clock = time.time  # replaceable, for tests
        self._local = threading.local()
        self._next_sweep = 0.0
        self._next_warning = 0.0
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return sqlite3.Error

    # Connections ----------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        local = self._local
        conn = getattr(local, "conn", None)
        if conn is not None and local.pid == os.getpid():
            return conn
        if conn is not None:
            _inherited.append(conn)
            local.conn = None
        conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None,
                               check_same_thread=True)
        try:
            self._prepare(conn)
        except sqlite3.Error:
            conn.close()
            raise
        local.conn, local.pid = conn, os.getpid()
        return conn

    def _prepare(self, conn: sqlite3.Connection) -> None:
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA wal_autocheckpoint = 100")
        conn.execute("PRAGMA journal_size_limit = 1048576")
        # Switching a new file to WAL answers "database is locked" at once,
        # without waiting, while another process opens it too: try again.
        deadline = time.monotonic() + self.timeout
        while conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            try:
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            except sqlite3.OperationalError as error:
                if not _busy(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.005)
                continue
            if mode.lower() != "wal":
                raise sqlite3.OperationalError(f"{self.path} cannot use WAL (mode {mode})")
        conn.executescript(_SCHEMA)

    def _forget_connection(self) -> None:
        """Drop this thread's connection, so the next call opens the file afresh."""
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is None:
            return
        if self._local.pid != os.getpid():
            _inherited.append(conn)
            return
        try:
            conn.close()
        except sqlite3.Error:
            pass

    def _fail_open(self, error: Exception, answer):
        """Log why the file cannot be used and give the answer that lets the request through.

        Rate limits protect against abuse; they are not what makes a request
        correct. A full disk, a read-only or corrupt file must not turn every
        sign-in, RSVP or door scan into an error, so a hit is allowed and the
        operator learns from the log (at most one warning a minute per process).
        """
        self._forget_connection()
        now = time.monotonic()
        if now >= self._next_warning:
            self._next_warning = now + WARN_SECONDS
            log.warning("rate limits are not counted: cannot use %s (%s); requests are let "
                        "through until it works again", self.path, error)
        return answer

    def _sweep(self, conn: sqlite3.Connection, now: float) -> None:
        if now < self._next_sweep:
            return
        self._next_sweep = now + SWEEP_SECONDS
        conn.execute("DELETE FROM ratelimit_counters WHERE expires_at <= ?", (now,))
        conn.execute("DELETE FROM ratelimit_entries WHERE expires_at <= ?", (now,))

    # Fixed window ---------------------------------------------------------

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = self.clock()
        try:
            conn = self._connection()
            self._sweep(conn, now)
            rows = conn.execute(_INCR, {"key": key, "amount": amount, "now": now,
                                        "expires": now + expiry}).fetchall()
            return rows[0][0]
        except (sqlite3.Error, OSError) as error:
            return self._fail_open(error, 0)

    def get(self, key: str) -> int:
        try:
            row = self._connection().execute(
                "SELECT value FROM ratelimit_counters WHERE key = ? AND expires_at > ?",
                (key, self.clock())).fetchone()
        except (sqlite3.Error, OSError) as error:
            return self._fail_open(error, 0)
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        now = self.clock()
        try:
            row = self._connection().execute(
                "SELECT expires_at FROM ratelimit_counters WHERE key = ? AND expires_at > ?",
                (key, now)).fetchone()
        except (sqlite3.Error, OSError) as error:
            return self._fail_open(error, now)
        return row[0] if row else now

    # Moving window --------------------------------------------------------

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        if amount > limit:
            return False
        now = self.clock()
        try:
            conn = self._connection()
            self._sweep(conn, now)
            conn.execute("BEGIN IMMEDIATE")
            try:
                used = conn.execute(
                    "SELECT coalesce(sum(amount), 0) FROM ratelimit_entries "
                    "WHERE key = ? AND at >= ?", (key, now - expiry)).fetchone()[0]
                granted = used + amount <= limit
                if granted:
                    conn.execute("INSERT INTO ratelimit_entries VALUES (?, ?, ?, ?)",
                                 (key, now, amount, now + expiry))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            return granted
        except (sqlite3.Error, OSError) as error:
            return self._fail_open(error, True)

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        now = self.clock()
        try:
            start, used = self._connection().execute(
                "SELECT min(at), coalesce(sum(amount), 0) FROM ratelimit_entries "
                "WHERE key = ? AND at > ?", (key, now - expiry)).fetchone()
        except (sqlite3.Error, OSError) as error:
            return self._fail_open(error, (now, 0))
        return (start, used) if used else (now, 0)

    # Housekeeping ---------------------------------------------------------

    def check(self) -> bool:
        try:
            self._connection().execute("SELECT 1 FROM ratelimit_counters LIMIT 1").fetchall()
            return True
        except (sqlite3.Error, OSError) as error:
            return self._fail_open(error, False)

    def clear(self, key: str) -> None:
        try:
            conn = self._connection()
            conn.execute("DELETE FROM ratelimit_counters WHERE key = ?", (key,))
            conn.execute("DELETE FROM ratelimit_entries WHERE key = ?", (key,))
        except (sqlite3.Error, OSError) as error:
            self._fail_open(error, None)

    def reset(self) -> int | None:
        try:
            conn = self._connection()
            counters = conn.execute("DELETE FROM ratelimit_counters").rowcount
            conn.execute("DELETE FROM ratelimit_entries")
        except (sqlite3.Error, OSError) as error:
            return self._fail_open(error, None)
        return counters
