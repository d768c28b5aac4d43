"""Where and when, for the visitor: map links, web-calendar links and hints of how soon."""
from __future__ import annotations

import html
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, quote, urlsplit

from organizer.db import db
from organizer.models import Event
from organizer.timeutil import relative

from .conftest import create_event


def _links(page: str, host: str) -> list[dict]:
    found = re.findall(r'href="(https://' + re.escape(host) + r'[^"]+)"', page)
    return [parse_qs(urlsplit(html.unescape(link)).query) for link in found]


def test_add_to_calendar_offers_google_outlook_and_office365_with_the_events_times(app, host_client):
    event_id = create_event(host_client, title="Lunch & learn", start="2030-07-02T18:30",
                            end="2030-07-02T21:00", timezone="America/New_York",
                            venue="Café Lumen", address="Markt 1, Berlin",
                            description="Bring **one** question.")
    slug = db.session.get(Event, event_id).slug
    page = app.test_client().get(f"/e/{slug}").text
    [google] = _links(page, "calendar.google.com/calendar/render")
    assert google["text"] == ["Lunch & learn"]
    assert google["dates"] == ["20300702T223000Z/20300703T010000Z"]  # 18:30 EDT is 22:30 UTC
    assert google["ctz"] == ["America/New_York"]
    assert google["location"] == ["Café Lumen, Markt 1, Berlin"]
    assert "Bring one question." in google["details"][0]
    assert f"{app.config['BASE_URL']}/e/{slug}" in google["details"][0]
    for host in ("outlook.live.com/calendar", "outlook.office.com/calendar"):
        [outlook] = _links(page, host)
        assert outlook["subject"] == ["Lunch & learn"]
        assert outlook["startdt"] == ["2030-07-02T22:30:00Z"]
        assert outlook["enddt"] == ["2030-07-03T01:00:00Z"]
        assert outlook["rru"] == ["addevent"]
    assert f'href="/e/{slug}.ics"' in page


def test_a_long_description_keeps_calendar_links_short_enough_for_browsers(app, host_client):
    event_id = create_event(host_client, description="word " * 3000)
    slug = db.session.get(Event, event_id).slug
    page = app.test_client().get(f"/e/{slug}").text
    links = re.findall(r'href="(https://(?:calendar\.google|outlook)[^"]+)"', page)
    assert len(links) == 3 and all(len(html.unescape(link)) < 2000 for link in links)


def test_the_attendee_page_has_the_same_calendar_and_map_links(app, event, attendee):
    page = app.test_client().get(f"/rsvp/{attendee.token}").text
    assert "calendar.google.com" in page and "outlook.office.com" in page
    assert f'href="geo:0,0?q={quote(event.address)}"' in page


def test_the_page_says_how_soon_and_where_the_visitors_time_goes(app, host_client):
    soon = (datetime.now() + timedelta(days=3, hours=2)).replace(second=0, microsecond=0)
    event_id = create_event(host_client, start=soon.strftime("%Y-%m-%dT%H:%M"),
                            end=(soon + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
                            timezone="UTC")
    event = db.session.get(Event, event_id)
    page = app.test_client().get(f"/e/{event.slug}").text
    assert "(in 3 days)" in page
    slot = re.search(r'<span class="js-visitor-time[^>]*>', page)[0]
    assert f'data-start="{event.starts_at.isoformat()}"' in slot and 'data-zone="UTC"' in slot
    # Lists say it too: the host's public page and their dashboard.
    assert "· in 3 days</span>" in app.test_client().get(f"/h/{event.owner.handle}").text
    assert "· in 3 days</span>" in host_client.get("/dashboard").text


def test_relative_hints_read_naturally():
    now = datetime(2030, 1, 1, 12, tzinfo=timezone.utc)
    def at(**delta):
        start = now + timedelta(**delta)
        return relative(start, start + timedelta(hours=2), now)
    assert at(minutes=1) == "in 1 minute"
    assert at(minutes=45) == "in 45 minutes"
    assert at(hours=5) == "in 5 hours"
    assert at(days=1) == "in 1 day"
    assert at(days=20) == "in 3 weeks"
    assert at(days=100) == "in 3 months"
    assert at(minutes=-30) == "happening now"
    assert at(days=-3) == "3 days ago"
