"""Recurring series: occurrences follow the wall clock; one date or all can be edited."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from ical.calendar_stream import IcsCalendarStream
from sqlalchemy import select

from organizer import tick
from organizer.db import db
from organizer.models import Event, Series

from .conftest import event_form, post
from .test_ics import check_rules


def _first(weekday: int, year: int, month: int) -> date:
    day = date(year, month, 1)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


# Next year's March, when Berlin moves its clocks on the last Sunday.
YEAR = date.today().year + 1
FIRST = _first(1, YEAR, 3)  # the first Tuesday
DST_DAY = _first(6, YEAR, 3) + timedelta(weeks=(31 - _first(6, YEAR, 3).day) // 7)
DATES = [FIRST + timedelta(weeks=2 * i) for i in range(8)]

SERIES_FORM = {
    "kind": "coffee", "title": "Tuesday coffee", "description": "Every other week.",
    "first_date": FIRST.isoformat(), "time": "08:30", "duration": "45", "freq": "weekly",
    "interval": "2", "weekdays": ["TU"], "month_week": "1", "ends": "count", "count": "8",
    "until": "", "timezone": "Europe/Berlin", "venue": "Café Lumen", "address": "Markt 1",
    "online_url": "", "capacity": "8", "action": "publish",
}


def create_series(client, **overrides) -> Series:
    response = post(client, "/series/new", {**SERIES_FORM, **overrides}, page="/series/new")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return db.session.scalars(select(Series).order_by(Series.id.desc())).first()


def test_every_other_tuesday_at_0830_keeps_local_time_across_dst(host_client):
    series = create_series(host_client)
    events = series.events
    assert len(events) == 8
    days = [e.local_start.date() for e in events]
    assert days == DATES
    assert {(e.local_start.hour, e.local_start.minute) for e in events} == {(8, 30)}
    # 07:30 UTC in winter time (CET), 06:30 UTC once the clocks have moved (CEST).
    assert [e.starts_at.hour for e in events] == [7 if d < DST_DAY else 6 for d in days]
    assert {7, 6} <= {e.starts_at.hour for e in events}
    assert all(e.ends_at - e.starts_at == timedelta(minutes=45) for e in events)
    assert all(e.status == "published" for e in events)


def test_the_series_is_described_in_words(host_client):
    series = create_series(host_client)
    page = host_client.get(f"/series/{series.id}").get_data(as_text=True)
    assert "Every other Tuesday at 08:30 for 45 minutes, 8 times" in page


def test_the_feed_carries_the_series_as_an_rrule_that_expands_to_the_same_dates(app, host_client):
    series = create_series(host_client)
    handle = series.owner.handle
    body = app.test_client().get(f"/h/{handle}/calendar.ics").data
    cal = check_rules(body)
    assert str(cal["X-WR-CALNAME"]).startswith("Ana Host")
    master = [v for v in cal.walk("VEVENT") if "RRULE" in v][0]
    assert master["RRULE"].to_ical() == b"FREQ=WEEKLY;COUNT=8;INTERVAL=2;BYDAY=TU" or \
        dict(master["RRULE"]) == {"FREQ": ["WEEKLY"], "INTERVAL": [2], "BYDAY": ["TU"],
                                  "COUNT": [8]}
    expanded = [item.dtstart for item in IcsCalendarStream.calendar_from_ics(
        body.decode()).timeline]
    assert [d.astimezone(timezone.utc) for d in expanded] == [e.starts_at for e in series.events]


def test_editing_one_date_changes_only_that_date(app, host_client):
    series = create_series(host_client)
    third = series.events[2]
    response = post(host_client, f"/events/{third.id}/edit", event_form(
        title="Tuesday coffee — special guest", start=f"{DATES[2]}T09:00",
        end=f"{DATES[2]}T10:00", action="save"), page="/dashboard")
    assert response.status_code == 302
    db.session.expire_all()
    events = db.session.get(Series, series.id).events
    assert events[2].detached and events[2].local_start.hour == 9
    assert [e.title for i, e in enumerate(events) if i != 2] == ["Tuesday coffee"] * 7
    body = app.test_client().get(f"/s/{series.slug}.ics").data
    cal = check_rules(body)
    override = [v for v in cal.walk("VEVENT") if "RECURRENCE-ID" in v]
    assert len(override) == 1
    day = DATES[2]
    assert override[0]["RECURRENCE-ID"].dt == datetime(day.year, day.month, day.day, 8, 30,
                                                       tzinfo=third.zone)
    assert override[0]["DTSTART"].dt == datetime(day.year, day.month, day.day, 9, 0,
                                                 tzinfo=third.zone)
    timeline = list(IcsCalendarStream.calendar_from_ics(body.decode()).timeline)
    assert len(timeline) == 8 and timeline[2].summary == "Tuesday coffee — special guest"


def test_editing_the_whole_series_moves_every_date_but_the_one_edited_alone(
        app, host_client, monkeypatch):
    series = create_series(host_client)
    # Pretend it is the day before the series starts, so every date is upcoming.
    before = FIRST - timedelta(days=1)
    monkeypatch.setattr("organizer.series.utcnow", lambda: datetime(
        before.year, before.month, before.day, tzinfo=timezone.utc))
    special = series.events[1]
    post(host_client, f"/events/{special.id}/edit", event_form(
        title="Special", start=f"{DATES[1]}T08:30", end=f"{DATES[1]}T09:15", action="save"),
        page="/dashboard")
    response = post(host_client, f"/series/{series.id}/edit",
                    {**SERIES_FORM, "time": "09:00", "title": "Tuesday coffee, later"},
                    page="/dashboard")
    assert response.status_code == 302
    db.session.expire_all()
    events = db.session.get(Series, series.id).events
    moved = [e for e in events if e.id != special.id]
    assert {(e.local_start.hour, e.local_start.minute) for e in moved} == {(9, 0)}
    assert {e.title for e in moved} == {"Tuesday coffee, later"}
    kept = db.session.get(Event, special.id)
    assert kept.title == "Special" and kept.local_start.hour == 8
    assert all(e.sequence >= 1 for e in moved)


def test_cancelling_one_date_shows_it_cancelled_in_the_series_calendar(app, host_client):
    series = create_series(host_client)
    post(host_client, f"/events/{series.events[1].id}/cancel", page="/dashboard")
    cal = check_rules(app.test_client().get(f"/s/{series.slug}.ics").data)
    cancelled = [v for v in cal.walk("VEVENT") if "RECURRENCE-ID" in v]
    assert len(cancelled) == 1 and cancelled[0]["STATUS"] == "CANCELLED"


def test_a_series_without_an_end_is_topped_up_by_the_due_work_command(app, host_client):
    series = create_series(host_client, ends="never", count="")
    first_count = len(series.events)
    assert first_count >= 20
    last = series.events[-1].starts_at
    tick.run(now=last)
    db.session.expire_all()
    assert len(db.session.get(Series, series.id).events) > first_count


def test_a_series_time_in_a_dst_gap_is_refused(host_client):
    response = post(host_client, "/series/new", {**SERIES_FORM,
                                                 "first_date": DST_DAY.isoformat(),
                                                 "time": "02:30", "weekdays": ["SU"]},
                    page="/series/new")
    assert response.status_code == 422
    assert "does not exist in Europe/Berlin" in response.get_data(as_text=True)
    assert db.session.scalar(select(Series)) is None


def test_a_monthly_series_meets_on_the_first_thursday(host_client):
    thursdays = [_first(3, YEAR, month) for month in (1, 2, 3, 4)]
    series = create_series(host_client, freq="monthly", interval="1",
                           first_date=thursdays[0].isoformat(), month_week="1", count="4",
                           time="18:30", duration="120")
    assert [e.local_start.date() for e in series.events] == thursdays


def test_a_series_ending_on_a_date_includes_that_date_and_says_so(host_client):
    series = create_series(host_client, ends="until", count="", until=DATES[2].isoformat(),
                           timezone="America/Los_Angeles")
    assert [e.local_start.date() for e in series.events] == DATES[:3]
    page = host_client.get(f"/series/{series.id}").get_data(as_text=True)
    assert f"until {DATES[2].day} {DATES[2]:%B %Y}" in page
    form = host_client.get(f"/series/{series.id}/edit").get_data(as_text=True)
    assert f'value="{DATES[2]}"' in form


def test_a_series_without_an_end_carries_time_zone_rules_for_years_ahead(app, host_client):
    series = create_series(host_client, ends="never", count="")
    cal = check_rules(app.test_client().get(f"/s/{series.slug}.ics").data)
    [zone] = cal.walk("VTIMEZONE")
    years = set()
    for part in zone.subcomponents:
        years.add(part["DTSTART"].dt.year)
        for rdate in part.get("RDATE", []) if isinstance(part.get("RDATE"), list) else \
                [part["RDATE"]] if "RDATE" in part else []:
            years.update(d.dt.year for d in rdate.dts)
    assert max(years) >= date.today().year + 10


def test_changing_the_series_time_zone_keeps_each_dates_guests(app, host_client, monkeypatch):
    from organizer.models import Attendee
    series = create_series(host_client)
    before = FIRST - timedelta(days=1)
    monkeypatch.setattr("organizer.series.utcnow", lambda: datetime(
        before.year, before.month, before.day, tzinfo=timezone.utc))
    first = series.events[0]
    db.session.add(Attendee(event_id=first.id, name="Guest", email="guest@example.org"))
    db.session.commit()
    response = post(host_client, f"/series/{series.id}/edit",
                    {**SERIES_FORM, "timezone": "America/Los_Angeles"}, page="/dashboard")
    assert response.status_code == 302
    db.session.expire_all()
    kept = db.session.get(Event, first.id)
    assert kept.status == "published" and kept.timezone == "America/Los_Angeles"
    assert kept.local_start.hour == 8 and kept.local_start.date() == FIRST
    assert db.session.query(Attendee).filter_by(event_id=first.id).count() == 1


def test_a_cancelled_series_cannot_be_published_again(host_client):
    series = create_series(host_client)
    post(host_client, f"/series/{series.id}/cancel", page="/dashboard")
    post(host_client, f"/series/{series.id}/publish", page="/dashboard")
    db.session.expire_all()
    assert db.session.get(Series, series.id).status == "cancelled"


def test_a_series_in_year_9999_is_refused(host_client):
    response = post(host_client, "/series/new", {**SERIES_FORM, "first_date": "9999-12-20"},
                    page="/series/new")
    assert response.status_code == 422
    assert "between the years 1970 and 2200" in response.get_data(as_text=True)


def test_guests_of_a_date_are_mailed_when_the_whole_series_moves_or_is_cancelled(
        app, host_client, monkeypatch):
    from .conftest import outbox
    from .rsvp.helpers import rsvp
    series = create_series(host_client)
    before = FIRST - timedelta(days=1)
    monkeypatch.setattr("organizer.series.utcnow", lambda: datetime(
        before.year, before.month, before.day, tzinfo=timezone.utc))
    first = series.events[0]
    assert rsvp(app.test_client(), first, "Ben", "ben@example.org").status_code == 201
    post(host_client, f"/series/{series.id}/edit", {**SERIES_FORM, "time": "09:00"},
         page="/dashboard")
    post(host_client, f"/series/{series.id}/cancel", page="/dashboard")
    subjects = [m["Subject"] for m in outbox(app) if m["To"] == "ben@example.org"]
    assert subjects == ["You're going: Tuesday coffee", "Changed: Tuesday coffee",
                        "Cancelled: Tuesday coffee"]


def test_a_first_date_outside_the_rule_is_explained_not_silently_kept(host_client):
    wednesday = FIRST + timedelta(days=1)
    cases = [
        ({"weekdays": []}, "Tick the days of the week the series meets on."),
        ({"first_date": wednesday.isoformat()},
         "The first date is a Wednesday: tick Wednesday too"),
        ({"freq": "monthly", "month_week": "2"},
         f"{FIRST.day} {FIRST:%B %Y} is the first Tuesday of its month: choose “first”"),
    ]
    for overrides, sentence in cases:
        response = post(host_client, "/series/new", {**SERIES_FORM, **overrides},
                        page="/series/new")
        assert response.status_code == 422, overrides
        assert sentence in response.get_data(as_text=True), overrides
    assert db.session.scalar(select(Series)) is None
    end_of_march = date(YEAR, 3, 31)
    last = end_of_march - timedelta(days=(end_of_march.weekday() - 1) % 7)  # the last Tuesday
    series = create_series(host_client, freq="monthly", month_week="-1",
                           first_date=last.isoformat(), interval="1", count="2")
    assert series.events[0].local_start.date() == last


def test_long_series_pages_go_through_their_dates(app, host_client):
    series = create_series(host_client, interval="1", count="45")
    page = host_client.get(f"/series/{series.id}").get_data(as_text=True)
    first_dates = re.findall(r"<strong>([^<]+)</strong>", page.split("Dates from today")[1])
    assert len(first_dates) == 20 and 'rel="next"' in page and 'rel="prev"' not in page
    third = host_client.get(f"/series/{series.id}?page=3").get_data(as_text=True)
    assert len(re.findall(r'class="event-row', third)) == 5 and 'rel="next"' not in third
    public = app.test_client().get(f"/s/{series.slug}?page=2").get_data(as_text=True)
    assert len(re.findall(r'class="event-row"', public)) == 20 and 'rel="prev"' in public
    for odd in ("0", "-4", "abc", "99999999"):
        assert app.test_client().get(f"/s/{series.slug}?page={odd}").status_code == 200
    handle = series.owner.handle
    host_page = app.test_client().get(f"/h/{handle}").get_data(as_text=True)
    assert len(re.findall(r'class="event-row"', host_page)) == 20 and 'rel="next"' in host_page
