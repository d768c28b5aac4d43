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
    # How hosts' passwords are hashed (werkzeug.security's methods). A test suite
    # may choose a cheap "pbkdf2:sha256:1000"; a server keeps the default.
    "PASSWORD_HASH_METHOD": "scrypt",
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
    # Webhooks to private, loopback or link-local addresses are refused unless
    # this is set (a receiver on the same machine, in tests).
    "WEBHOOK_ALLOW_PRIVATE": False,
    # How long a webhook receiver may answer.
    "WEBHOOK_TIMEOUT_SECONDS": 10.0,
    # An endpoint whose deliveries have failed this long is paused; its host is told.
    "WEBHOOK_PAUSE_AFTER_HOURS": 72,
    # API requests a token may make per minute (RateLimit headers say how many are left).
    "API_RATE_LIMIT": 600,
}

# Settings that are lists or numbers, from code or from the environment's text.
_LISTS = {"BLOCKED_PLUGINS"}
# Variables read elsewhere, not app settings.
_NOT_SETTINGS = {"ORGANIZER_INSTANCE_PATH", "ORGANIZER_TEST_DATABASE_URL"}
_INTS = {"JOB_WORKERS", "JOB_STALL_MINUTES", "PDF_PROCESSES", "MAX_CONTENT_LENGTH",
         "ICS_REMINDER_MINUTES", "SERIES_HORIZON_DAYS", "SERIES_MAX_OCCURRENCES",
         "TRUSTED_PROXIES", "DELIVERY_LEASE_SECONDS", "DELIVERY_GIVE_UP_HOURS", "TICK_SECONDS",
         "WEBHOOK_PAUSE_AFTER_HOURS", "API_RATE_LIMIT"}
_FLOATS = {"RUNNER_POLL_SECONDS", "WEBHOOK_TIMEOUT_SECONDS"}
_BOOLS = {"WEBHOOK_ALLOW_PRIVATE"}


class ConfigError(ValueError):
    """A setting of the wrong type or form; the message names it and says what it takes."""


def from_environment(environ: os._Environ | dict | None = None) -> dict[str, object]:
    """Read every ``ORGANIZER_<NAME>`` variable as the setting ``<NAME>`` (as text;
    :func:`parse` turns it into the setting's type, like a value given in code)."""
    environ = os.environ if environ is None else environ
    return {key[len("ORGANIZER_"):]: raw for key, raw in environ.items()
            if key.startswith("ORGANIZER_") and key not in _NOT_SETTINGS}


def _as_list(name: str, value) -> list[str]:
    if isinstance(value, str):
        raw = value.strip()
        if raw.startswith("["):
            try:
                value = json.loads(raw)
            except ValueError:
                raise ConfigError(f"{name} is not valid JSON: {raw!r}. Give names "
                                  "separated by commas (a,b) or a JSON list.") from None
        else:
            return [part.strip() for part in raw.split(",") if part.strip()]
    if isinstance(value, (list, tuple, set, frozenset)) and all(
            isinstance(item, str) for item in value):
        return list(value)
    raise ConfigError(f"{name} takes names: a list of strings, or text like \"a,b\" "
                      f"(got {value!r}).")


def _as_number(name: str, value, kind: type):
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ConfigError(f"{name} takes a number (got {value!r}).")
    try:
        number = kind(value.strip()) if isinstance(value, str) else kind(value)
    except ValueError:
        raise ConfigError(f"{name} takes {'a whole number' if kind is int else 'a number'} "
                          f"(got {value!r}).") from None
    if kind is int and isinstance(value, float) and not value.is_integer():
        raise ConfigError(f"{name} takes a whole number (got {value!r}).")
    return number


def _as_bool(name: str, value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("1", "true", "yes", "on"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"{name} takes true or false (got {value!r}).")


def parse(config: dict) -> None:
    """Give the known list and number settings their type, in place, whether they came
    from code or the environment: ``"a,b"`` and ``["a", "b"]`` mean the same.

    Raises :class:`ConfigError` naming the setting when a value cannot be one.
    """
    for name in _LISTS & config.keys():
        config[name] = _as_list(name, config[name])
    for name in _INTS & config.keys():
        config[name] = _as_number(name, config[name], int)
    for name in _FLOATS & config.keys():
        config[name] = _as_number(name, config[name], float)
    for name in _BOOLS & config.keys():
        config[name] = _as_bool(name, config[name])
    method = config.get("PASSWORD_HASH_METHOD", "scrypt")
    if not isinstance(method, str) or method.split(":")[0] not in ("scrypt", "pbkdf2"):
        raise ConfigError(f"PASSWORD_HASH_METHOD is \"scrypt\" or \"pbkdf2:sha256:<rounds>\" "
                          f"(got {method!r}).")


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
