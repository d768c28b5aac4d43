"""Test fixtures for organizer and its plugins, installed with the package as a pytest plugin.

A plugin's own test suite gets them with nothing to copy: install the plugin
and organizer into one environment and write tests that ask for them::

    def test_my_panel_shows(client, attendee):
        page = client.get(f"/rsvp/{attendee.token}")
        assert "My panel" in page.get_data(as_text=True)

Fixtures: ``app`` (an app context on a fresh, migrated database with every
installed plugin), ``client``, ``host`` and ``host_client`` (a host and a client
signed in as them), ``event`` (a published event of that host), ``attendee`` (a
guest going to it), ``app_factory`` (more apps, with extra settings, on the same
database) and ``organizer_config`` (override it to change every app's settings).
Set ``ORGANIZER_TEST_DATABASE_URL`` (for example
``postgresql+psycopg://postgres@127.0.0.1:5432/test``) and each test runs once on
SQLite and once on PostgreSQL.

Helpers for forms as a browser sends them: :func:`post` (with the session's
CSRF token), :func:`signup`, :func:`signin`, :func:`event_form`,
:func:`create_event`, :func:`plugin_defaults`; mail: :func:`outbox`, :func:`body_text`.
"""
from __future__ import annotations

import contextvars
import os
import re
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import jinja2
import pytest
from flask.globals import _cv_app
from flask.testing import FlaskClient
from sqlalchemy import MetaData, create_engine, text

from . import create_app
from .db import db

PG_URL = os.environ.get("ORGANIZER_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite file, copied for each test (migrating once is much faster)."""
    folder = tmp_path_factory.mktemp("template")
    # The database is named here, so an ORGANIZER_DATABASE_URL in the environment
    # (a developer's own database) is never touched by a test run.
    app = create_app({"INSTANCE_PATH": str(folder), "SECRET_KEY": "t" * 32,
                      "DATABASE_URL": f"sqlite:///{folder / 'organizer.db'}"})
    with app.app_context():
        from .migrate import upgrade
        upgrade()
        db.engine.dispose()
    return folder / "organizer.db"


def migrate_pg(url: str, folder: Path) -> None:
    """Drop every table of the PostgreSQL database at ``url`` and migrate it afresh with
    the installed plugins (``folder``: an instance folder for the app that does it)."""
    app = create_app({"INSTANCE_PATH": str(folder), "SECRET_KEY": "t" * 32, "DATABASE_URL": url})
    with app.app_context():
        from .migrate import reset
        reset()
        db.engine.dispose()


@pytest.fixture(scope="session")
def pg_ready(tmp_path_factory):
    """Migrate the PostgreSQL test database once per run (None without a URL)."""
    if not PG_URL:
        return None
    migrate_pg(PG_URL, tmp_path_factory.mktemp("pg"))
    return PG_URL


@pytest.fixture
def pg_schema_restored(backend, pg_ready, tmp_path_factory):
    """For a test that changes which tables exist: PostgreSQL's test database outlives
    the test, so afterwards it is migrated afresh for the tests that follow."""
    yield
    if backend == "postgresql":
        migrate_pg(pg_ready, tmp_path_factory.mktemp("pg"))


def truncate_pg(url: str) -> None:
    """Empty every table of the PostgreSQL database at ``url`` (the schema stays)."""
    engine = create_engine(url)
    meta = MetaData()
    meta.reflect(bind=engine)
    # Alembic's bookkeeping stays: it describes the schema, not the data.
    names = ", ".join(f'"{t.name}"' for t in meta.sorted_tables
                      if not t.name.startswith("alembic_"))
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


class IsolatedClient(FlaskClient):
    """A test client whose requests run in their own app context, as in production.

    Tests hold an app context to read the database; without this, requests
    would share its ``g`` (and so its signed-in user and CSRF token). The
    test's own session is committed before the request and expired after, so
    each side sees what the other wrote.
    """

    def open(self, *args, **kwargs):
        outer = _cv_app.get(None)
        if outer is not None:
            db.session.commit()

        def run():
            _cv_app.set(None)
            return super(IsolatedClient, self).open(*args, **kwargs)

        response = contextvars.copy_context().run(run)
        if outer is not None:
            db.session.commit()
            db.session.expire_all()
        return response


class _CompiledTemplates(jinja2.BytecodeCache):
    """Templates compiled once per test run, shared by every test's app (keyed by source)."""

    def __init__(self):
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        code = self.compiled.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket):
        self.compiled[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = _CompiledTemplates()


def make_app(backend: str, tmp_path: Path, sqlite_template: Path, pg_url: str | None,
             fresh: bool = True, **extra):
    """An app for a test: test defaults, then ``extra``; on a fresh copy of the migrated
    database when ``fresh`` (PostgreSQL's tables emptied), else on the one already there."""
    config = {
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "test-secret-" + "x" * 32,
        "TESTING": True,
        "BASE_URL": "http://organizer.test",
        "JOB_BACKEND": "eager",
        # Mail is delivered right after the commit that queues it, so a test
        # reads it at once; tests of the deliverer itself choose "worker".
        "DELIVERY": "eager",
        # A cheap hash: signing up in every test need not cost a tenth of a second.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        **extra,
    }
    Path(config["INSTANCE_PATH"]).mkdir(parents=True, exist_ok=True)
    if backend == "postgresql":
        if fresh:
            truncate_pg(pg_url)
        config["DATABASE_URL"] = pg_url
    else:
        database = Path(config["INSTANCE_PATH"]) / "organizer.db"
        config.setdefault("DATABASE_URL", f"sqlite:///{database}")
        if fresh:
            shutil.copy(sqlite_template, database)
    app = create_app(config)
    app.test_client_class = IsolatedClient
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    return app


@pytest.fixture(params=BACKENDS)
def backend(request):
    """``"sqlite"``, and ``"postgresql"`` too when ORGANIZER_TEST_DATABASE_URL is set."""
    return request.param


@pytest.fixture
def organizer_config() -> dict:
    """Settings every app of a test gets on top of the test defaults; override this
    fixture in a ``conftest.py`` (for example to set a plugin's own settings)."""
    return {}


@pytest.fixture
def app_factory(backend, tmp_path, sqlite_template, pg_ready, organizer_config):
    """Build an app with extra config (plugins, limits, ...).

    The first app of a test gets a fresh database; later ones share it, like
    several app servers in front of one database.
    """
    made = []

    def factory(**extra):
        app = make_app(backend, tmp_path, sqlite_template, pg_ready, fresh=not made,
                       **{**organizer_config, **extra})
        made.append(app)
        return app

    yield factory
    for app in made:
        from .jobs import wait_all
        wait_all(app)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(app_factory):
    """The app on a fresh database, inside its app context."""
    app = app_factory()
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    """A visitor's test client."""
    return app.test_client()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, page: str = "/signin") -> str:
    """The CSRF token of the client's session, read from a page's form."""
    html = client.get(page).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no CSRF token on {page}"
    return match.group(1)


def post(client, url: str, data: dict | None = None, page: str = "/signin", **kwargs):
    """POST a form as a browser would: with the session's CSRF token."""
    data = dict(data or {})
    data.setdefault("csrf_token", csrf_token(client, page))
    return client.post(url, data=data, **kwargs)


def signup(client, name="Ana Host", email="ana@example.org", password=PASSWORD,
           timezone_name="Europe/Berlin"):
    response = post(client, "/signup", {"name": name, "email": email, "password": password,
                                        "timezone": timezone_name})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response


def signin(client, email="ana@example.org", password=PASSWORD):
    return post(client, "/signin", {"email": email, "password": password})


def event_form(**overrides) -> dict:
    """Valid event form data, a week from now, in Berlin."""
    start = (datetime.now(timezone.utc) + timedelta(days=7)).replace(
        hour=8, minute=30, second=0, microsecond=0)
    data = {
        "kind": "coffee", "title": "Coffee chat", "description": "Let's talk.",
        "start": start.strftime("%Y-%m-%dT%H:%M"),
        "end": (start + timedelta(minutes=45)).strftime("%Y-%m-%dT%H:%M"),
        "timezone": "Europe/Berlin", "venue": "Café Lumen", "address": "Markt 1, Berlin",
        "online_url": "", "capacity": "6", "action": "publish",
    }
    data.update(overrides)
    return data


@pytest.fixture
def host_client(client):
    """A client signed in as a fresh host (Ana)."""
    signup(client)
    return client


@pytest.fixture
def host(app, host_client):
    """The host ``host_client`` is signed in as."""
    from .models import Host
    return db.session.scalar(db.select(Host).where(Host.email == "ana@example.org"))


def plugin_defaults(app) -> dict[str, str]:
    """The plugin settings of the event form as a browser sends them untouched:
    every installed plugin's defaults (``{"plugin-rsvp-enabled": "y", ...}``)."""
    from .event_settings import sections
    sent = {}
    with app.test_request_context():
        for section in sections(None):
            for field in section.form:
                if field.type == "BooleanField":
                    if field.data:
                        sent[field.name] = "y"
                elif field._value() != "":
                    sent[field.name] = field._value()
    return sent


@pytest.fixture
def event(app, host_client):
    """A published coffee chat of ``host``, a week from now, six seats, with every
    plugin's settings left at their defaults (so RSVPs are open)."""
    from .models import Event
    return db.session.get(Event, create_event(host_client, **plugin_defaults(app)))


@pytest.fixture
def attendee(app, event):
    """Ben, going to ``event``; his private page is ``/rsvp/<attendee.token>``."""
    from .attendees import add
    return add(event, "Ben Guest", "ben@example.org")


def create_event(client, **overrides):
    """Create an event through the form; return its id."""
    response = post(client, "/events/new", event_form(**overrides), page="/events/new")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return int(response.location.rstrip("/").split("/")[-1])


def outbox(app) -> list:
    """The messages written to the app's outbox, oldest first, parsed."""
    import email
    from email import policy
    folder = Path(app.instance_path) / "outbox"
    return [email.message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in sorted(folder.glob("*.eml"))]


def body_text(message) -> str:
    """The plain-text body of a parsed message."""
    return message.get_body(preferencelist=("plain",)).get_content()


