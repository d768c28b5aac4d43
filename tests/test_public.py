"""What anyone with the link sees: the event page, a host's page and feed."""
from __future__ import annotations

from organizer.db import db
from organizer.models import Event

from .conftest import create_event


def _slug(event_id):
    return db.session.get(Event, event_id).slug


def test_the_description_is_rendered_safely(app, host_client):
    event_id = create_event(host_client, description=(
        "**Bring questions.**\n\n<script>alert('x')</script>\n\n"
        "[click](javascript:alert(1)) [site](https://example.org) "
        "<img src=x onerror=alert(2)> ![pixel](https://tracker.example/p.png)"))
    page = app.test_client().get(f"/e/{_slug(event_id)}").get_data(as_text=True)
    assert "<strong>Bring questions.</strong>" in page
    assert "<script>alert" not in page and "javascript:" not in page
    assert "onerror" not in page and "tracker.example" not in page
    assert 'href="https://example.org" rel="noopener noreferrer nofollow"' in page


def test_the_time_is_shown_in_the_events_zone(app, host_client):
    event_id = create_event(host_client, start="2030-07-02T18:30", end="2030-07-02T21:00",
                            timezone="America/New_York")
    page = app.test_client().get(f"/e/{_slug(event_id)}").get_data(as_text=True)
    assert "Tue 2 July 2030, 18:30–21:00 EDT" in page
    assert "Times in America/New York" in page


def test_the_page_links_a_map_the_online_link_and_the_calendar_file(app, host_client):
    event_id = create_event(host_client, address="Markt 1, Berlin",
                            online_url="https://meet.example.org/abc")
    slug = _slug(event_id)
    page = app.test_client().get(f"/e/{slug}").get_data(as_text=True)
    assert "https://www.openstreetmap.org/search?query=Markt%201%2C%20Berlin" in page
    assert 'href="geo:0,0?q=Markt%201%2C%20Berlin"' in page
    assert 'href="https://meet.example.org/abc"' in page
    assert f'href="/e/{slug}.ics"' in page and "Add to calendar" in page


def test_user_text_is_escaped_everywhere_on_the_page(app, host_client):
    event_id = create_event(host_client, title="<b>Bold</b> & co", venue="<i>Venue</i>")
    page = app.test_client().get(f"/e/{_slug(event_id)}").get_data(as_text=True)
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in page and "<b>Bold</b>" not in page
    assert "&lt;i&gt;Venue&lt;/i&gt;" in page


def test_the_host_page_lists_upcoming_published_events_and_offers_the_feed(app, host_client):
    create_event(host_client, title="Published one")
    create_event(host_client, title="Still a draft", action="draft")
    handle = db.session.query(Event).first().owner.handle
    page = app.test_client().get(f"/h/{handle}").get_data(as_text=True)
    assert "Published one" in page and "Still a draft" not in page
    assert f'href="webcal://organizer.test/h/{handle}/calendar.ics"' in page
    feed = app.test_client().get(f"/h/{handle}/calendar.ics")
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    assert b"Published one" in feed.data and b"Still a draft" not in feed.data


def test_unknown_event_and_host_links_are_404(app):
    client = app.test_client()
    assert client.get("/e/nope").status_code == 404
    assert client.get("/h/nobody").status_code == 404
    assert client.get("/h/nobody/calendar.ics").status_code == 404


def test_a_feed_poll_when_nothing_changed_is_answered_304_and_a_change_is_seen(app, host_client):
    from organizer import events
    event_id = create_event(host_client, title="First title")
    handle = db.session.get(Event, event_id).owner.handle
    calendar_app = app.test_client()
    first = calendar_app.get(f"/h/{handle}/calendar.ics")
    assert first.status_code == 200 and first.headers["ETag"] and first.headers["Last-Modified"]
    again = calendar_app.get(f"/h/{handle}/calendar.ics",
                             headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    by_date = calendar_app.get(f"/h/{handle}/calendar.ics",
                               headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert by_date.status_code == 304
    events.update(db.session.get(Event, event_id), {"title": "Second title"})
    changed = calendar_app.get(f"/h/{handle}/calendar.ics",
                               headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and b"Second title" in changed.data
    assert changed.headers["ETag"] != first.headers["ETag"]
    # A new event is a change too, even one that is older than the latest edit.
    create_event(host_client, title="Another one")
    newer = calendar_app.get(f"/h/{handle}/calendar.ics",
                             headers={"If-None-Match": changed.headers["ETag"]})
    assert newer.status_code == 200 and b"Another one" in newer.data
