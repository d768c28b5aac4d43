"""Series through the API: made, listed, changed, published and cancelled by the series
form's rules; their dates are events of the API."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from organizer.db import db
from organizer.models import Event, Series

from .conftest import signup
from .test_api import make_token
from .test_api_writes import call


def _next(weekday: int) -> date:
    today = date.today()
    return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)


def new_series(**overrides) -> dict:
    return {"title": "Tuesday coffee", "timezone": "Europe/Berlin", "venue": "Café Lumen",
            "first_date": _next(1).isoformat(), "start_time": "08:30",
            "duration_minutes": 45, "repeats": "weekly", "interval": 2, "weekdays": ["TU"],
            "ends": "count", "count": 6, **overrides}


def test_a_host_makes_a_series_and_its_dates_are_events(app, host_client):
    token = make_token(host_client, "Site", "write")
    client = app.test_client()
    made = call(client, "POST", "/series", token, json=new_series())
    assert made.status_code == 201, made.text
    body = made.get_json()
    assert body["status"] == "draft" and body["schedule"].startswith("Every other Tuesday")
    assert body["rrule"] == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=6"
    assert (body["first_date"], body["start_time"], body["duration_minutes"]) == (
        new_series()["first_date"], "08:30", 45)
    dates = call(client, "GET", f"/events?series_id={body['id']}", token).get_json()["items"]
    assert len(dates) == 6 and {d["status"] for d in dates} == {"draft"}
    assert dates[0]["starts_at"].endswith(("06:30:00+00:00", "07:30:00+00:00"))
    assert body["events_url"].endswith(f"/api/v1/events?series_id={body['id']}")

    published = call(client, "POST", f"/series/{body['id']}/publish", token)
    assert published.status_code == 200 and published.get_json()["status"] == "published"
    assert call(client, "POST", f"/series/{body['id']}/publish", token).status_code == 409

    changed = call(client, "PATCH", f"/series/{body['id']}", token,
                   json={"start_time": "09:00", "title": "Coffee, later"})
    assert changed.status_code == 200, changed.text
    assert changed.get_json()["start_time"] == "09:00"
    assert changed.get_json()["rrule"] == body["rrule"]  # the rest of the rule is kept
    dates = call(client, "GET", f"/events?series_id={body['id']}", token).get_json()["items"]
    assert {d["title"] for d in dates} == {"Coffee, later"}

    listed = call(client, "GET", "/series", token).get_json()
    assert [s["id"] for s in listed["items"]] == [body["id"]]
    cancelled = call(client, "POST", f"/series/{body['id']}/cancel", token)
    assert cancelled.get_json()["status"] == "cancelled"
    assert db.session.scalar(select(func.count()).select_from(Event).where(
        Event.series_id == body["id"], Event.status != "cancelled")) == 0
    assert call(client, "PATCH", f"/series/{body['id']}", token,
                json={"title": "x"}).status_code == 409


def test_series_the_form_would_refuse_are_refused_with_a_sentence(app, host_client):
    token = make_token(host_client, "Site", "write")
    client = app.test_client()
    for sent, field in [(new_series(ends="count", count=None), "count"),
                        (new_series(ends="until", until=None), "until"),
                        (new_series(ends="until", until="2001-01-01"), "until"),
                        (new_series(start_time="25:99"), "start_time"),
                        (new_series(weekdays=["XX"]), "weekdays"),
                        (new_series(duration_minutes=2), "duration_minutes"),
                        (new_series(venue=""), "venue"),
                        (new_series(timezone="Mars/Base"), "timezone")]:
        response = call(client, "POST", "/series", token, json=sent)
        assert response.status_code == 422, (sent, response.text)
        assert field in response.get_json()["errors"]["json"], response.get_json()
    assert db.session.scalar(select(func.count()).select_from(Series)) == 0


def test_another_hosts_series_is_not_theirs(app, host_client):
    token = make_token(host_client, "Site", "write")
    made = call(app.test_client(), "POST", "/series", token, json=new_series()).get_json()
    other = app.test_client()
    signup(other, name="Bo Other", email="bo@example.org")
    theirs = make_token(other, "Bo", "write")
    for method, path in [("GET", f"/series/{made['id']}"), ("PATCH", f"/series/{made['id']}"),
                         ("POST", f"/series/{made['id']}/cancel")]:
        response = call(app.test_client(), method, path, theirs,
                        json={"title": "Mine"} if method == "PATCH" else None)
        assert response.status_code == 404
    assert call(app.test_client(), "GET", "/series", theirs).get_json()["items"] == []
    assert db.session.get(Series, made["id"]).status == "draft"
