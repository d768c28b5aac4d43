"""Hosts create, preview, publish, edit and cancel events; bad input changes nothing."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from organizer.db import db
from organizer.models import Event

from .conftest import create_event, event_form, post, signup


def _event(event_id: int) -> Event:
    return db.session.get(Event, event_id)


def test_the_coffee_preset_fills_the_form_with_sensible_defaults(host_client):
    page = host_client.get("/events/new?preset=coffee").get_data(as_text=True)
    assert 'value="Coffee chat"' in page
    # A new host has no venue on file: it starts as a virtual session, and says so.
    assert '<option selected value="virtual">' in page
    assert "starts as a virtual session" in page
    assert 'T08:30"' in page and 'T09:15"' in page
    assert '<option selected value="Europe/Berlin">' in page


def test_the_lunch_preset_fills_lunch_time(host_client):
    page = host_client.get("/events/new?preset=lunch").get_data(as_text=True)
    assert 'value="Networking lunch"' in page and 'T12:30"' in page and 'T13:45"' in page


def test_a_draft_is_visible_to_its_host_only_until_published(app, host_client):
    event_id = create_event(host_client, action="draft")
    event = _event(event_id)
    assert event.status == "draft"
    preview = host_client.get(f"/e/{event.slug}")
    assert preview.status_code == 200 and "Preview" in preview.get_data(as_text=True)
    anonymous = app.test_client()
    assert anonymous.get(f"/e/{event.slug}").status_code == 404
    assert anonymous.get(f"/e/{event.slug}.ics").status_code == 404
    post(host_client, f"/events/{event_id}/publish", page="/dashboard")
    assert _event(event_id).status == "published"
    assert anonymous.get(f"/e/{event.slug}").status_code == 200


def test_the_event_is_stored_in_utc_with_its_zone(host_client):
    event_id = create_event(host_client, start="2030-03-05T08:30", end="2030-03-05T09:15")
    event = _event(event_id)
    assert event.starts_at == datetime(2030, 3, 5, 7, 30, tzinfo=timezone.utc)
    assert event.timezone == "Europe/Berlin"
    assert event.local_start.hour == 8


def test_editing_bumps_the_sequence_and_keeps_the_uid(host_client):
    event_id = create_event(host_client)
    before = _event(event_id)
    uid, sequence = before.uid, before.sequence
    response = post(host_client, f"/events/{event_id}/edit",
                    event_form(title="Coffee chat, moved", action="save"),
                    page=f"/events/{event_id}/edit")
    assert response.status_code == 302
    after = _event(event_id)
    assert after.title == "Coffee chat, moved"
    assert after.uid == uid and after.sequence == sequence + 1


def test_cancelling_marks_the_event_and_its_page(app, host_client):
    event_id = create_event(host_client)
    post(host_client, f"/events/{event_id}/cancel", page="/dashboard")
    event = _event(event_id)
    assert event.status == "cancelled"
    page = app.test_client().get(f"/e/{event.slug}").get_data(as_text=True)
    assert "This event is cancelled" in page


BAD_INPUT = [
    ({"end": "2030-03-05T08:00", "start": "2030-03-05T09:00"}, "The end must be after the start"),
    ({"start": "2030-03-31T02:30", "end": "2030-03-31T03:30", "timezone": "Europe/Berlin"},
     "does not exist in Europe/Berlin"),
    ({"timezone": "Mars/Olympus_Mons"}, "is not a time zone we know"),
    ({"capacity": "0"}, "Capacity must be at least 1"),
    ({"capacity": "-5"}, "Capacity must be at least 1"),
    ({"title": "x" * 201}, "Field cannot be longer than 200 characters"),
    ({"description": "y" * 20_001}, "under 20,000 characters"),
    ({"title": "Coffee\r\nATTENDEE:mailto:evil@example.org"}, "without line breaks"),
    ({"online_url": "javascript:alert(1)"}, "starting with https://"),
    ({"venue": "", "address": "", "online_url": ""}, "Say where people meet"),
    ({"start": "tomorrow-ish"}, "Not a valid datetime value"),
    ({"title": ""}, "Give the event a title"),
]


@pytest.mark.parametrize("overrides, message", BAD_INPUT)
def test_bad_input_gets_a_clear_message_and_stores_nothing(host_client, overrides, message):
    response = post(host_client, "/events/new", event_form(**overrides), page="/events/new")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True).replace("&#39;", "'")
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0


@pytest.mark.parametrize("overrides, message", BAD_INPUT[:4])
def test_a_bad_edit_changes_nothing(host_client, overrides, message):
    event_id = create_event(host_client)
    before = _event(event_id)
    snapshot = (before.title, before.starts_at, before.ends_at, before.capacity, before.sequence)
    response = post(host_client, f"/events/{event_id}/edit", event_form(**overrides),
                    page=f"/events/{event_id}/edit")
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    after = _event(event_id)
    assert (after.title, after.starts_at, after.ends_at, after.capacity, after.sequence) == snapshot


def test_another_hosts_event_cannot_be_seen_or_changed(app, host_client):
    event_id = create_event(host_client)
    other = app.test_client()
    signup(other, name="Ben", email="ben@example.org")
    assert other.get(f"/events/{event_id}").status_code == 403
    assert other.get(f"/events/{event_id}/edit").status_code == 403
    response = post(other, f"/events/{event_id}/edit", event_form(title="Hijacked"),
                    page="/dashboard")
    assert response.status_code == 403
    assert post(other, f"/events/{event_id}/cancel", page="/dashboard").status_code == 403
    assert _event(event_id).title == "Coffee chat" and _event(event_id).status == "published"
    assert other.get("/events/99999").status_code == 404


def test_a_state_change_without_csrf_token_is_refused(host_client):
    event_id = create_event(host_client)
    response = host_client.post(f"/events/{event_id}/cancel")
    assert response.status_code == 400
    assert _event(event_id).status == "published"


def test_an_owner_adds_a_cohost_who_may_then_edit(app, host_client):
    event_id = create_event(host_client)
    ben = app.test_client()
    signup(ben, name="Ben", email="ben@example.org")
    response = post(host_client, f"/events/{event_id}/cohosts", {"email": "ben@example.org"},
                    page="/dashboard", follow_redirects=True)
    assert "Ben can now edit this event" in response.get_data(as_text=True)
    response = post(ben, f"/events/{event_id}/edit", event_form(title="Edited by Ben",
                    action="save"), page="/dashboard")
    assert response.status_code == 302
    assert _event(event_id).title == "Edited by Ben"
    assert "Edited by Ben" in ben.get("/dashboard").get_data(as_text=True)
    # A co-host cannot hand the event to others.
    carl = app.test_client()
    signup(carl, name="Carl", email="carl@example.org")
    assert post(ben, f"/events/{event_id}/cohosts", {"email": "carl@example.org"},
                page="/dashboard").status_code == 403


def test_adding_an_unknown_cohost_explains_why(host_client):
    event_id = create_event(host_client)
    response = post(host_client, f"/events/{event_id}/cohosts", {"email": "nobody@example.org"},
                    page="/dashboard", follow_redirects=True)
    assert "No host has signed up with that address" in response.get_data(as_text=True)


def test_pages_need_sign_in(app):
    client = app.test_client()
    response = client.get("/events/new")
    assert response.status_code == 302 and "/signin" in response.location


def _form_as_sent(page: str) -> dict:
    """What a browser sends for the event form left as it is, with Publish pressed."""
    from html.parser import HTMLParser

    class Form(HTMLParser):
        def __init__(self):
            super().__init__()
            self.values, self.select, self.textarea = {}, None, None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "input" and a.get("name") and a.get("type") not in ("submit",):
                if a.get("type") == "checkbox":
                    if "checked" in a:
                        self.values[a["name"]] = a.get("value", "y")
                else:
                    self.values[a["name"]] = a.get("value", "")
            elif tag == "select":
                self.select = a["name"]
            elif tag == "option" and self.select and "selected" in a:
                self.values[self.select] = a["value"]
            elif tag == "textarea":
                self.textarea = a["name"]
                self.values[self.textarea] = ""

        def handle_endtag(self, tag):
            self.select = None if tag == "select" else self.select
            self.textarea = None if tag == "textarea" else self.textarea

        def handle_data(self, data):
            if self.textarea:
                self.values[self.textarea] += data

    form = Form()
    form.feed(page.split('class="card event-form"', 1)[1].split("</form>", 1)[0])
    return form.values | {"action": "publish"}


def test_every_preset_publishes_in_one_click(host_client):
    """A preset page sent as it is, only Publish pressed, publishes its event: for a new
    host (a virtual session whose link follows) and for one with a venue on file."""
    for preset in ("coffee", "lunch", "meetup", "workshop", "virtual"):
        page = host_client.get(f"/events/new?preset={preset}").get_data(as_text=True)
        response = host_client.post("/events/new", data=_form_as_sent(page))
        assert response.status_code == 302, (preset, response.text[:2000])
    made = db.session.scalars(select(Event).order_by(Event.id)).all()
    assert [e.status for e in made] == ["published"] * 5
    assert made[0].kind == "virtual" and made[0].title == "Coffee chat"
    assert (made[0].ends_at - made[0].starts_at).seconds == 45 * 60
    public = host_client.get(f"/e/{made[0].slug}").get_data(as_text=True)
    assert "the host shares the link before it starts" in public
    create_event(host_client, kind="lunch", venue="Noodle Bar")
    page = host_client.get("/events/new?preset=coffee").get_data(as_text=True)
    sent = _form_as_sent(page)
    assert sent["kind"] == "coffee" and sent["venue"] == "Noodle Bar"
    assert host_client.post("/events/new", data=sent).status_code == 302


def test_a_new_event_starts_from_where_the_host_last_met_for_that_kind(host_client):
    create_event(host_client, kind="lunch", venue="Noodle Bar", address="Hauptstr. 5",
                 capacity="10")
    page = host_client.get("/events/new?preset=lunch").get_data(as_text=True)
    assert 'value="Noodle Bar"' in page and 'value="Hauptstr. 5"' in page
    assert 'value="10"' in page
    # Another kind meets where the host last met in person, until it has a place of its own.
    coffee = host_client.get("/events/new?preset=coffee").get_data(as_text=True)
    assert 'value="Noodle Bar"' in coffee
    virtual = host_client.get("/events/new?preset=virtual").get_data(as_text=True)
    assert "Noodle Bar" not in virtual


def test_the_dashboard_shows_a_series_by_its_next_date(host_client):
    from .test_series import create_series
    create_series(host_client)
    page = host_client.get("/dashboard").get_data(as_text=True)
    assert page.count("Tuesday coffee</strong>") == 2  # the next date, and the series list
    assert "7 more dates" in page


def test_dates_far_in_the_past_or_future_are_refused_not_crashed(host_client):
    for start, end, zone in [("0001-01-01T00:30", "0001-01-01T01:30", "Europe/Berlin"),
                             ("9999-12-31T20:00", "9999-12-31T21:00", "America/New_York"),
                             ("9998-06-01T10:00", "9998-06-01T11:00", "UTC")]:
        response = post(host_client, "/events/new", event_form(start=start, end=end,
                                                               timezone=zone),
                        page="/events/new")
        assert response.status_code == 422
        assert "between the years 1970 and 2200" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0


def test_absurdly_large_ids_in_links_are_404(host_client):
    huge = 10 ** 20
    for url in (f"/events/{huge}", f"/events/{huge}/edit", f"/series/{huge}",
                f"/jobs/{huge}.json", f"/events/1/guests/{huge}/status"):
        assert host_client.get(url).status_code in (404, 405), url


def test_a_new_event_lists_its_next_steps_and_ticks_them_off(app, host_client):
    event_id = create_event(host_client)
    page = host_client.get(f"/events/{event_id}").get_data(as_text=True)
    steps = re.search(r'<section class="card next-steps".*?</section>', page, re.S)[0]
    assert "✓</span> Publish the event" in steps
    assert f'<a href="/events/{event_id}/cover">Add a cover picture</a>' in steps
    assert "Share the link" in steps and "Add a co-host" in steps
    from organizer import attendees
    attendees.add(_event(event_id), "Ben Guest", "ben@example.org")
    page = host_client.get(f"/events/{event_id}").get_data(as_text=True)
    assert "✓</span> Share the link" in page
