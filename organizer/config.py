"""Configuration: defaults, then ``ORGANIZER_*`` environment variables, then a mapping.

Every setting has a default that works on a laptop with nothing else
running: SQLite in the instance folder, mail written to an outbox folder
and delivered by the runner process that ``organizer serve`` starts, jobs run
in a thread of the app itself, rate limits counted in a file every process
of the machine shares.
"""
from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

DEFAULTS: dict[str, object] = {
    # None means sqlite:///<instance>/organizer.db
    "DATABASE_URL": None,
    # SMTP URL such as smtp://user:pass@host:587?starttls=1; None writes the outbox.
    "SMTP_URL": None,
    "MAIL_FROM": "organizer <no-reply@localhost>",
    # Where single-file plugins are looked for (None: no folder).
    "PLUGINS_DIR": None,
    # Plugin names never loaded.
    "BLOCKED_PLUGINS": [],
    # Rate-limit storage: None counts in a file of the instance folder that every
    # process of this machine shares; redis://… when several servers share the load.
    "RATELIMIT_STORAGE_URI": None,
    "SIGNIN_RATE_LIMIT": "10 per minute",
    # "thread" runs long jobs in this process; "rq" queues them in Redis for
    # `organizer worker` processes (several app servers); "eager" runs them at once.
    "JOB_BACKEND": "thread",
    "JOB_WORKERS": 2,
    # A running job silent this long has stopped (its process died): the
    # due-work command marks it failed, so its page says so.
    "JOB_STALL_MINUTES": 15,
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    # Renderer processes a long PDF (a badge sheet) is spread over: one per core.
    "PDF_PROCESSES": min(os.cpu_count() or 1, 4),
    "JOB_QUEUE": "organizer",
    # The public address: every link in a mail, a calendar file, a PDF or a QR code
    # is made from it, never from the request's Host header.
    "BASE_URL": "http://127.0.0.1:5000",
    # How many proxies in front of the app set X-Forwarded-For/-Proto/-Host;
    # those headers are ignored unless this says they can be trusted.
    "TRUSTED_PROXIES": 0,
    # Who delivers queued mail and does due work: "background" (the runner
    # process `organizer serve` starts), "worker" (`organizer worker`
    # processes, for several app servers) or "eager" (right after the commit,
    # in the process that queued it: tests and scripts).
    "DELIVERY": "background",
    # A deliverer's claim on a message it is sending; one that died is
    # replaced once it runs out.
    "DELIVERY_LEASE_SECONDS": 300,
    # A message that keeps failing is retried with growing pauses this long.
    "DELIVERY_GIVE_UP_HOURS": 48,
    # How often a runner looks for due messages, and runs the due work.
    "RUNNER_POLL_SECONDS": 1.0,
    "TICK_SECONDS": 60,
    "DEFAULT_TIMEZONE": "Europe/London",
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    # Minutes before the start for the VALARM reminder in calendar files.
    "ICS_REMINDER_MINUTES": 60,
    # How far ahead a series materialises its occurrences.
    "SERIES_HORIZON_DAYS": 365,
    "SERIES_MAX_OCCURRENCES": 60,
}

# Settings whose environment value is parsed as JSON/int rather than kept as text.
_LISTS = {"BLOCKED_PLUGINS"}
# Variables read elsewhere, not app settings.
_NOT_SETTINGS = {"ORGANIZER_INSTANCE_PATH", "ORGANIZER_TEST_DATABASE_URL"}
_INTS = {"JOB_WORKERS", "JOB_STALL_MINUTES", "PDF_PROCESSES", "MAX_CONTENT_LENGTH",
         "ICS_REMINDER_MINUTES", "SERIES_HORIZON_DAYS", "SERIES_MAX_OCCURRENCES",
         "TRUSTED_PROXIES", "DELIVERY_LEASE_SECONDS", "DELIVERY_GIVE_UP_HOURS", "TICK_SECONDS"}
_FLOATS = {"RUNNER_POLL_SECONDS"}


def from_environment(environ: os._Environ | dict | None = None) -> dict[str, object]:
    """Read every ``ORGANIZER_<NAME>`` variable as the setting ``<NAME>``.

    Known list and number settings are parsed; the rest (plugins' settings
    included) stay text.
    """
    environ = os.environ if environ is None else environ
    found: dict[str, object] = {}
    for key, raw in environ.items():
        if not key.startswith("ORGANIZER_") or key in _NOT_SETTINGS:
            continue
        name = key[len("ORGANIZER_"):]
        if name in _LISTS:
            raw = raw.strip()
            found[name] = json.loads(raw) if raw.startswith("[") else [
                part.strip() for part in raw.split(",") if part.strip()]
        elif name in _INTS:
            found[name] = int(raw)
        elif name in _FLOATS:
            found[name] = float(raw)
        else:
            found[name] = raw
    return found


def instance_secret_key(instance_path: str | Path) -> str:
    """Return the secret key stored in the instance folder, creating it once.

    The file is created with ``O_EXCL`` so two processes starting together
    agree on one key, and it is readable by the owner only.
    """
    path = Path(instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32))
    return path.read_text().strip()
