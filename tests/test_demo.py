"""The demo: the first thing a newcomer sees."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from organizer.db import db
from organizer.models import Attendee, Event, Host, Series

from .conftest import signin


def test_the_demo_command_loads_a_community_and_says_how_to_sign_in(app):
    result = app.test_cli_runner().invoke(args=["demo", "--yes"])
    assert result.exit_code == 0, result.output
    assert "sign in as maya@example.org with the password meet-often-2026" in result.output
    [host] = db.session.scalars(select(Host)).all()
    [series] = db.session.scalars(select(Series)).all()
    assert series.kind == "coffee" and len(series.events) > 10
    titles = {e.title: e for e in db.session.scalars(select(Event))}
    lunch = titles["Founders & Funders Lunch"]
    meetup = next(e for t, e in titles.items() if t.startswith("Climate Tech Leeds"))
    people = db.session.scalars(select(Attendee).where(Attendee.event_id == meetup.id)).all()
    statuses = Counter(a.status for a in people)
    seats = sum(1 + a.guests for a in people if a.status == "going")
    # Exactly full (the +1s count), with people waiting for a seat.
    assert meetup.capacity == 40 and seats == 40 and statuses["waiting"] >= 1
    assert lunch.kind == "lunch" and lunch.status == "published"
    # Each installed plugin adds its part: the meetup's door station, past check-ins.
    from organizer_plugins.badges.models import Station
    assert db.session.scalar(select(Station).where(Station.event_id == meetup.id)) is not None
    assert any(a.checked_in_at for a in db.session.scalars(select(Attendee)))
    client = app.test_client()
    assert signin(client, "maya@example.org", "meet-often-2026").status_code == 302
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Tuesday Morning Coffee" in page and "Founders &amp; Funders Lunch" in page


def test_the_demo_can_be_loaded_twice(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "--yes"]).exit_code == 0
    assert runner.invoke(args=["demo", "--yes"]).exit_code == 0
    assert len(db.session.scalars(select(Host)).all()) == 1
