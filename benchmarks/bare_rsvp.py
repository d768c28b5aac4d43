"""A bare RSVP endpoint: the least an RSVP with a capacity costs through Flask and SQLAlchemy.

The yardstick for `rsvp_surge.py`: a Flask app with Flask-SQLAlchemy models,
written the way a tutorial would, doing only what every RSVP must. One
transaction per request: lock the event (``BEGIN IMMEDIATE`` on SQLite,
``SELECT … FOR UPDATE`` on PostgreSQL), count the seats taken, add the
attendee as going or waiting, commit. No session cookie, CSRF, rate limit,
mail, template, plugins or waiting-list order.

    POST /e/<event id>/rsvp   name=…&email=…   201 {"status": "going" | "waiting"}
                                               409 already on the list, 400, 404

Served by gunicorn as ``bare_rsvp:create_app()`` with ``BARE_DATABASE_URL``
set; :func:`setup` makes the tables and the events first, :func:`seats`
counts what was stored.
"""
from __future__ import annotations

import os

from flask import Flask, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, event, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

db = SQLAlchemy()


class BareEvent(db.Model):
    __tablename__ = "bare_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    capacity: Mapped[int]


class BareAttendee(db.Model):
    __tablename__ = "bare_attendee"
    __table_args__ = (UniqueConstraint("event_id", "email"),
                      Index("ix_bare_attendee_event_status", "event_id", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("bare_event.id"))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    status: Mapped[str] = mapped_column(String(10))


def _sqlite_rules(engine) -> None:
    """WAL, a busy timeout, and BEGIN IMMEDIATE: the write lock from the first statement."""
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # the driver's own BEGIN is deferred: ours
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA busy_timeout = 10000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def create_app(url: str | None = None) -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = url or os.environ["BARE_DATABASE_URL"]
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _sqlite_rules(db.engine)

    @app.get("/")
    def index():
        return "bare RSVP endpoint\n"

    @app.post("/e/<int:event_id>/rsvp")
    def rsvp(event_id: int):
        name = request.form.get("name", "").strip()[:200]
        email = request.form.get("email", "").strip().lower()[:320]
        if not name or "@" not in email:
            return {"error": "a name and an e-mail address, please"}, 400
        # FOR UPDATE is left out on SQLite, where BEGIN IMMEDIATE has already locked.
        found = db.session.scalar(select(BareEvent).where(BareEvent.id == event_id)
                                  .with_for_update())
        if found is None:
            return {"error": "no such event"}, 404
        taken = db.session.scalar(select(func.count()).where(
            BareAttendee.event_id == event_id, BareAttendee.status == "going"))
        status = "going" if taken < found.capacity else "waiting"
        db.session.add(BareAttendee(event_id=event_id, name=name, email=email, status=status))
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            return {"error": "already on the list"}, 409
        return {"status": status}, 201

    return app


def setup(url: str, *capacities: int) -> list[int]:
    """Make the two tables afresh with one event per capacity; return the events' ids."""
    app = create_app(url)
    with app.app_context():
        db.drop_all()
        db.create_all()
        made = [BareEvent(capacity=capacity) for capacity in capacities]
        db.session.add_all(made)
        db.session.commit()
        ids = [e.id for e in made]
        db.session.remove()
        db.engine.dispose()
    return ids


def seats(url: str, event_id: int) -> dict[str, int]:
    """How many are stored as going and as waiting for ``event_id``."""
    app = create_app(url)
    with app.app_context():
        rows = db.session.execute(select(BareAttendee.status, func.count())
                                  .where(BareAttendee.event_id == event_id)
                                  .group_by(BareAttendee.status)).all()
        db.session.remove()
        db.engine.dispose()
    return {status: int(count) for status, count in rows}
