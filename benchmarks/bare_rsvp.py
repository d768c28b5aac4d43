"""A bare RSVP endpoint: the least an RSVP with a capacity can cost through Flask and SQLAlchemy.

The yardstick for `rsvp_surge.py`. One transaction per request: lock the
event (``BEGIN IMMEDIATE`` on SQLite, ``SELECT … FOR UPDATE`` on
PostgreSQL), count the seats taken, insert the attendee as going or
waiting, commit. No session, CSRF, mail, template or ORM: SQLAlchemy 2.0
Core on its own two tables.

    POST /e/<event id>/rsvp   name=…&email=…   201 {"status": "going" | "waiting"}
                                               409 already on the list, 400, 404

Served by gunicorn as ``bare_rsvp:create_app()`` with ``BARE_DATABASE_URL``
set; :func:`setup` makes the tables and the events first, :func:`seats`
counts what was stored.
"""
from __future__ import annotations

import os

from flask import Flask, request
from sqlalchemy import (Column, ForeignKey, Index, Integer, MetaData, String, Table,
                        UniqueConstraint, bindparam, create_engine, event, func, insert,
                        select)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

SQLITE_BUSY_TIMEOUT_S = 10

metadata = MetaData()
events = Table("bare_event", metadata,
               Column("id", Integer, primary_key=True),
               Column("capacity", Integer, nullable=False))
attendees = Table("bare_attendee", metadata,
                  Column("id", Integer, primary_key=True),
                  Column("event_id", ForeignKey("bare_event.id"), nullable=False),
                  Column("name", String(200), nullable=False),
                  Column("email", String(320), nullable=False),
                  Column("status", String(10), nullable=False),
                  UniqueConstraint("event_id", "email"),
                  Index("ix_bare_attendee_event_status", "event_id", "status"))

# FOR UPDATE is left out on SQLite, where BEGIN IMMEDIATE has already locked.
_LOCK = select(events.c.capacity).where(events.c.id == bindparam("event_id")).with_for_update()
_TAKEN = (select(func.count()).select_from(attendees)
          .where(attendees.c.event_id == bindparam("event_id"), attendees.c.status == "going"))


def make_engine(url: str) -> Engine:
    """An engine; on SQLite every transaction is ``BEGIN IMMEDIATE`` in WAL mode."""
    if not url.startswith("sqlite"):
        return create_engine(url)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # the driver's own BEGIN is deferred: ours
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def create_app(url: str | None = None) -> Flask:
    app = Flask(__name__)
    engine = make_engine(url or os.environ["BARE_DATABASE_URL"])

    @app.get("/")
    def index():
        return "bare RSVP endpoint\n"

    @app.post("/e/<int:event_id>/rsvp")
    def rsvp(event_id: int):
        name = request.form.get("name", "").strip()[:200]
        email = request.form.get("email", "").strip().lower()[:320]
        if not name or "@" not in email:
            return {"error": "a name and an e-mail address, please"}, 400
        try:
            with engine.begin() as conn:
                capacity = conn.execute(_LOCK, {"event_id": event_id}).scalar()
                if capacity is None:
                    return {"error": "no such event"}, 404
                taken = conn.execute(_TAKEN, {"event_id": event_id}).scalar()
                status = "going" if taken < capacity else "waiting"
                conn.execute(insert(attendees), {"event_id": event_id, "name": name,
                                                 "email": email, "status": status})
        except IntegrityError:
            return {"error": "already on the list"}, 409
        return {"status": status}, 201

    return app


def setup(url: str, *capacities: int) -> list[int]:
    """Make the two tables afresh with one event per capacity; return the events' ids."""
    engine = make_engine(url)
    try:
        metadata.drop_all(engine)
        metadata.create_all(engine)
        with engine.begin() as conn:
            return [conn.execute(insert(events).returning(events.c.id),
                                 {"capacity": capacity}).scalar_one()
                    for capacity in capacities]
    finally:
        engine.dispose()


def seats(url: str, event_id: int) -> dict[str, int]:
    """How many are stored as going and as waiting for ``event_id``."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(attendees.c.status, func.count())
                                .where(attendees.c.event_id == event_id)
                                .group_by(attendees.c.status)).all()
    finally:
        engine.dispose()
    return {status: int(count) for status, count in rows}
