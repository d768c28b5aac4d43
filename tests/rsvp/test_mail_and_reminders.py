"""Reminders once, updates when the host changes the event, cancellations for everyone."""
from __future__ import annotations

from datetime import timedelta

import icalendar

from organizer import tick
from organizer.models import utcnow

from ..concurrency import run_together
from ..conftest import event_form, post
from .helpers import calendar_of, mails_to, make_event, rsvp


def _reminders(app, address):
    return [m for m in mails_to(app, address) if m["Subject"].startswith("Reminder")]


def test_the_reminder_goes_out_once_when_its_time_comes(app, host_client):
    event = make_event(host_client, reminder_hours="48")
    rsvp(app.test_client(), event, "Ben", "ben@example.org")
    tick.run(now=event.starts_at - timedelta(hours=49))
    assert _reminders(app, "ben@example.org") == []
    tick.run(now=event.starts_at - timedelta(hours=47))
    tick.run(now=event.starts_at - timedelta(hours=46))
    [reminder] = _reminders(app, "ben@example.org")
    assert icalendar.Calendar.from_ical(calendar_of(reminder))["METHOD"] == "REQUEST"


def test_two_ticks_at_once_send_each_reminder_once(app_factory):
    app = app_factory()
    with app.app_context():
        from ..conftest import signup
        host = app.test_client()
        signup(host)
        event = make_event(host, capacity="20")
        for n in range(12):
            rsvp(app.test_client(), event, f"P{n}", f"p{n}@example.org")
        when = event.starts_at - timedelta(hours=1)
    assert run_together(app, lambda: tick.run(now=when)) == []
    with app.app_context():
        counts = [len(_reminders(app, f"p{n}@example.org")) for n in range(12)]
    assert counts == [1] * 12


def test_no_reminder_when_the_host_turned_it_off(app, host_client):
    event = make_event(host_client, reminder_hours="0")
    rsvp(app.test_client(), event, "Ben", "ben@example.org")
    tick.run(now=event.starts_at - timedelta(minutes=5))
    assert _reminders(app, "ben@example.org") == []


def test_a_new_time_sends_everyone_going_an_update_with_the_same_uid(app, host_client):
    event = make_event(host_client, capacity="1")
    rsvp(app.test_client(), event, "Ben", "ben@example.org")
    rsvp(app.test_client(), event, "Cem", "cem@example.org")
    first = icalendar.Calendar.from_ical(calendar_of(mails_to(app, "ben@example.org")[0]))
    start = (utcnow() + timedelta(days=9)).strftime("%Y-%m-%dT10:00")
    end = (utcnow() + timedelta(days=9)).strftime("%Y-%m-%dT11:00")
    post(host_client, f"/events/{event.id}/edit", event_form(
        start=start, end=end, capacity="1", action="save", **{"plugin-rsvp-enabled": "1"}),
        page="/dashboard")
    update = mails_to(app, "ben@example.org")[-1]
    assert update["Subject"] == f"Changed: {event.title}"
    cal = icalendar.Calendar.from_ical(calendar_of(update))
    vevent, before = cal.walk("VEVENT")[0], first.walk("VEVENT")[0]
    assert cal["METHOD"] == "REQUEST" and vevent["UID"] == before["UID"]
    assert int(vevent["SEQUENCE"]) > int(before["SEQUENCE"])
    assert vevent["DTSTART"].dt.hour == 10
    assert not any(m["Subject"].startswith("Changed") for m in mails_to(app, "cem@example.org"))


def test_cancelling_the_event_sends_everyone_a_cancel(app, host_client):
    event = make_event(host_client, capacity="1")
    rsvp(app.test_client(), event, "Ben", "ben@example.org")
    rsvp(app.test_client(), event, "Cem", "cem@example.org")
    post(host_client, f"/events/{event.id}/cancel", page="/dashboard")
    for address in ("ben@example.org", "cem@example.org"):
        last = mails_to(app, address)[-1]
        assert last["Subject"] == f"Cancelled: {event.title}"
        cal = icalendar.Calendar.from_ical(calendar_of(last))
        assert cal["METHOD"] == "CANCEL" and cal.walk("VEVENT")[0]["STATUS"] == "CANCELLED"


def test_moving_the_event_sends_a_new_reminder_before_the_new_start(app, host_client):
    event = make_event(host_client, reminder_hours="24")
    rsvp(app.test_client(), event, "Ben", "ben@example.org")
    tick.run(now=event.starts_at - timedelta(hours=2))
    assert len(_reminders(app, "ben@example.org")) == 1
    later = event.starts_at + timedelta(days=7)
    start = later.astimezone(event.zone).strftime("%Y-%m-%dT%H:%M")
    end = (later + timedelta(hours=1)).astimezone(event.zone).strftime("%Y-%m-%dT%H:%M")
    post(host_client, f"/events/{event.id}/edit", event_form(
        start=start, end=end, action="save", capacity="3", **{"plugin-rsvp-enabled": "1"}),
        page="/dashboard")
    tick.run(now=later - timedelta(hours=2))
    assert len(_reminders(app, "ben@example.org")) == 2


def test_a_notice_that_no_longer_holds_when_its_turn_comes_is_dropped(app_factory):
    from organizer import delivery
    from organizer.db import db
    from organizer.models import OutboxMessage

    from ..conftest import outbox, post, signup
    from .helpers import make_event, person, rsvp
    app = app_factory(DELIVERY="worker")
    with app.app_context():
        host = app.test_client()
        signup(host)
        event = make_event(host, capacity="5")
        rsvp(app.test_client(), event, "Ben", "ben@example.org")
        ben = person(event, "ben@example.org")
        # Ben cancels before his confirmation went out (a slow mail server, say).
        post(app.test_client(), f"/rsvp/{ben.token}/cancel", page=f"/e/{event.slug}")
        delivery.drain()
        assert [m["Subject"] for m in outbox(app)] == ["You've cancelled: Coffee chat"]
        dropped = db.session.scalars(db.select(OutboxMessage).where(
            OutboxMessage.status == "dropped")).all()
        assert [m.last_error for m in dropped] == [
            "Their RSVP changed before this went out (now cancelled)."]
