"""Holding a seat for every date of a series: one RSVP, capacity and waiting lists per date,
a date skipped from its reminder, stopping, new dates taken by the due work, the streak; and
many people holding at once never oversell a date (with a control that shows the race)."""
from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta

from sqlalchemy import select

from organizer import series as series_mod, tick
from organizer.db import db
from organizer.models import Attendee, Event, Host, utcnow

from ..community import seed
from ..concurrency import run_together
from ..conftest import body_text, csrf_token, post
from .helpers import mails_to, rsvp
from .test_concurrency import _without_the_guard


def _series(capacity: int = 3, dates: int = 4) -> list[Event]:
    """A published weekly series starting tomorrow at 18:00 (UTC), ``dates`` dates."""
    host = db.session.scalar(select(Host)) or _host()
    tomorrow = (utcnow() + timedelta(days=1)).date()
    made = series_mod.create(
        host, {"kind": "meetup", "title": "Weekly meetup", "description": "",
               "timezone": "UTC", "venue": "Hall", "address": "", "online_url": "",
               "capacity": capacity},
        f"FREQ=WEEKLY;COUNT={dates}", datetime(tomorrow.year, tomorrow.month, tomorrow.day, 18),
        90, publish=True)
    return list(db.session.scalars(select(Event).where(Event.series_id == made.id)
                                   .order_by(Event.starts_at)))


def _host() -> Host:
    from organizer import auth
    return auth.create_host("Series Host", "host@example.org", "a long passphrase", "UTC")


def _on(event: Event, email: str) -> Attendee | None:
    db.session.expire_all()
    return db.session.scalar(select(Attendee).where(Attendee.event_id == event.id,
                                                    Attendee.email == email))


def test_one_rsvp_holds_a_seat_on_every_date_and_one_mail_lists_them(app):
    dates = _series()
    response = rsvp(app.test_client(), dates[0], "Ana Souza", "ana@example.org",
                    every_date="1")
    assert response.status_code == 201
    assert "Your seat is held for every date of this series: 3 more dates" in response.text
    assert [_on(d, "ana@example.org").status for d in dates] == ["going"] * 4
    subjects = [m["Subject"] for m in mails_to(app, "ana@example.org")]
    # The date she RSVP'd to confirms as ever; the rest come in one mail, not three.
    assert sorted(subjects) == sorted(["You're going: Weekly meetup",
                                       "Your seat for every date: Weekly meetup"]), subjects
    listing = body_text(next(m for m in mails_to(app, "ana@example.org")
                             if m["Subject"].startswith("Your seat for every date")))
    assert listing.count(" — going") == 4


def test_capacity_and_waiting_lists_hold_per_date(app):
    dates = _series(capacity=1)
    rsvp(app.test_client(), dates[2], "Ben", "ben@example.org")
    rsvp(app.test_client(), dates[0], "Ana", "ana@example.org", every_date="1")
    assert [_on(d, "ana@example.org").status for d in dates] == [
        "going", "going", "waiting", "going"]
    hold_mail = body_text(mails_to(app, "ana@example.org")[-1])
    assert "waiting list, number 1" in hold_mail
    # A third person holding every date waits wherever Ana or Ben is going.
    rsvp(app.test_client(), dates[1], "Cara", "cara@example.org", every_date="1")
    assert [_on(d, "cara@example.org").status for d in dates] == ["waiting"] * 3 + ["waiting"]
    for date in dates:
        db.session.expire_all()
        going = db.session.scalars(select(Attendee).where(Attendee.event_id == date.id,
                                                          Attendee.status == "going")).all()
        assert len(going) == 1


def test_a_date_skipped_from_its_reminder_stays_skipped_and_its_seat_goes_on(app):
    dates = _series(capacity=1)
    rsvp(app.test_client(), dates[0], "Ana", "ana@example.org", every_date="1")
    rsvp(app.test_client(), dates[1], "Ben", "ben@example.org")
    assert _on(dates[1], "ben@example.org").status == "waiting"
    tick.run(dates[1].starts_at - timedelta(hours=23))
    reminder = next(m for m in mails_to(app, "ana@example.org")
                    if m["Subject"].startswith("Reminder"))
    skip = re.search(r"Skip this date: http://organizer\.test(\S+)", body_text(reminder)).group(1)
    client = app.test_client()
    page = client.get(skip)
    assert page.status_code == 200 and "Skip " in page.text
    assert _on(dates[1], "ana@example.org").status == "going"  # opening it changed nothing
    done = post(client, skip, page=skip)
    assert done.status_code == 200 and "Your seat for the other dates stays held." in done.text
    assert _on(dates[1], "ana@example.org").status == "cancelled"
    assert _on(dates[1], "ben@example.org").status == "going"  # promoted at once
    tick.run(dates[1].starts_at - timedelta(hours=22))
    assert _on(dates[1], "ana@example.org").status == "cancelled"  # not taken again
    assert [_on(d, "ana@example.org").status for d in (dates[2], dates[3])] == ["going"] * 2
    assert "not on the list for this date any more" in client.get(skip).text
    again = post(client, skip, page=f"/e/{dates[1].slug}")
    assert again.status_code == 409 and "already cancelled" in again.text


def test_stopping_gives_back_the_held_seats_and_keeps_the_persons_own_rsvps(app):
    dates = _series(capacity=1)
    rsvp(app.test_client(), dates[3], "Ana", "ana@example.org")  # her own RSVP
    rsvp(app.test_client(), dates[0], "Ana", "ana@example.org", every_date="1")
    rsvp(app.test_client(), dates[1], "Ben", "ben@example.org")  # waits behind Ana
    hold_mail = body_text(mails_to(app, "ana@example.org")[-1])
    manage = re.search(r"stop holding your seat: http://organizer\.test(\S+)", hold_mail).group(1)
    client = app.test_client()
    assert "You hold a seat for every date" in client.get(manage).text
    stopped = post(client, manage, page=manage)
    # The hold took the second and third dates; her own RSVPs (the first, from the form,
    # and the fourth) stay.
    assert stopped.status_code == 200 and "Your 2 held seats go to the next people" \
        in stopped.text
    assert [_on(d, "ana@example.org").status for d in dates] == [
        "going", "cancelled", "cancelled", "going"]
    assert _on(dates[1], "ben@example.org").status == "going"
    # Stopped means stopped: the due work takes nothing more.
    tick.run()
    assert _on(dates[2], "ana@example.org").status == "cancelled"


def test_dates_the_series_adds_later_are_taken_by_the_due_work_quietly(app):
    dates = _series(dates=2)
    rsvp(app.test_client(), dates[0], "Ana", "ana@example.org", every_date="1")
    def not_reminders():
        return [m["Subject"] for m in mails_to(app, "ana@example.org")
                if not m["Subject"].startswith("Reminder")]

    before = not_reminders()
    later = Event(owner_id=dates[0].owner_id, series_id=dates[0].series_id,
                  recurrence_id=dates[1].starts_at + timedelta(weeks=1), title="Weekly meetup",
                  kind="meetup", timezone="UTC", venue="Hall", capacity=3, status="published",
                  published_at=utcnow(), starts_at=dates[1].starts_at + timedelta(weeks=1),
                  ends_at=dates[1].ends_at + timedelta(weeks=1), settings={})
    db.session.add(later)
    db.session.commit()
    tick.run()
    tick.run()
    assert _on(later, "ana@example.org").status == "going"
    assert not_reminders() == before  # no mail per date: the reminder will tell


def test_the_streak_counts_the_latest_dates_in_a_row(app):
    community = seed(dates=8, people=40, regulars=16)
    checked = 0
    for number in sorted(community.people)[:16]:
        expected = 0
        for event_id in reversed(community.dates):
            if number not in community.came[event_id]:
                break
            expected += 1
        token = db.session.scalar(select(Attendee.token).where(
            Attendee.event_id == community.dates[-1], Attendee.email == community.email(number)))
        if token is None:
            continue
        page = app.test_client().get(f"/rsvp/{token}").text
        if expected:
            assert f"<strong>{expected}</strong> {'date' if expected == 1 else 'dates'} in a row" \
                in page, number
            checked += 1
        else:
            assert "in a row" not in page
    assert checked >= 3


def test_the_attendee_page_offers_the_hold_and_the_form_explains_it(app):
    dates = _series()
    rsvp(app.test_client(), dates[1], "Ana", "ana@example.org")
    ana = _on(dates[1], "ana@example.org")
    client = app.test_client()
    page = client.get(f"/rsvp/{ana.token}")
    assert "Hold my seat for every date" in page.text
    response = post(client, f"/rsvp/{ana.token}/hold", page=f"/rsvp/{ana.token}")
    assert response.status_code == 302
    assert [_on(d, "ana@example.org") and _on(d, "ana@example.org").status for d in dates] == [
        "going"] * 4  # the date already past her RSVP is in too: it is still ahead
    assert "See your dates, or stop" in client.get(f"/rsvp/{ana.token}").text
    assert csrf_token(client, f"/e/{dates[0].slug}")
    assert "Hold my seat for every date of this series" in client.get(f"/e/{dates[0].slug}").text


HOLDERS, SEATS = 40, 10


def _holders(app, dates) -> list[int]:
    from organizer_plugins.rsvp.models import SeriesHold
    with app.app_context():
        made = [SeriesHold(series_id=dates[0].series_id, email=f"h{n}@example.org",
                           name=f"Holder {n}") for n in range(HOLDERS)]
        db.session.add_all(made)
        db.session.commit()
        return [h.id for h in made]


def _all_hold_at_once(app, ids):
    from organizer_plugins.rsvp import holds
    from organizer_plugins.rsvp.models import SeriesHold
    queue, lock = iter(ids), threading.Lock()

    def one():
        with lock:
            hold_id = next(queue)
        holds.enrol(db.session.get(SeriesHold, hold_id))

    return run_together(app, one, threads=HOLDERS)


def _going(app, dates) -> list[int]:
    with app.app_context():
        return [len(db.session.scalars(select(Attendee).where(
            Attendee.event_id == d.id, Attendee.status == "going")).all()) for d in dates]


def test_many_people_holding_every_date_at_once_never_oversell_a_date(app_factory):
    app = app_factory()
    with app.app_context():
        dates = _series(capacity=SEATS, dates=3)
    ids = _holders(app, dates)
    assert _all_hold_at_once(app, ids) == []
    assert _going(app, dates) == [SEATS] * 3
    with app.app_context():
        for d in dates:
            assert len(db.session.scalars(select(Attendee).where(
                Attendee.event_id == d.id, Attendee.status == "waiting")).all()) \
                == HOLDERS - SEATS


def test_control_holding_without_the_guard_oversells(app_factory, monkeypatch):
    """Proves the test above can see a race: with the seat guard off, dates are oversold."""
    app = app_factory()
    with app.app_context():
        dates = _series(capacity=SEATS, dates=3)
    ids = _holders(app, dates)
    _without_the_guard(monkeypatch, parties=HOLDERS)
    _all_hold_at_once(app, ids)
    assert all(going > SEATS for going in _going(app, dates))
