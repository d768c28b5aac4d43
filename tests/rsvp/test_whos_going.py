"""Who's going: attendees choose to appear on the event page (off unless they tick it), the
host chooses whether the count is public."""
from __future__ import annotations

import re

from organizer.db import db
from organizer.models import Attendee, Event
from organizer.testing import post

from ..conftest import create_event


def _rsvp(app, slug, name, email, listed=False, organisation=""):
    client = app.test_client()
    data = {"name": name, "email": email, "organisation": organisation}
    if listed:
        data["listed"] = "y"
    response = post(client, f"/e/{slug}/rsvp", data, page=f"/e/{slug}")
    assert response.status_code == 201, response.text[:500]
    return db.session.scalar(db.select(Attendee).where(Attendee.email == email))


def _listed_names(page: str) -> list[str]:
    block = re.search(r'<div class="whos-going">(.*?)</div>', page, re.S)
    if not block:
        return []
    return [re.sub(r"<[^>]+>", "", item).split("·")[0].strip()[1:]  # past the initial
            for item in re.findall(r"<li>(.*?)</li>", block[1], re.S)]


def test_only_those_who_chose_it_are_listed_and_the_count_is_everyone(app, event):
    _rsvp(app, event.slug, "Ana Listed", "ana@example.org", listed=True, organisation="Acme")
    _rsvp(app, event.slug, "Ben Private", "ben@example.org")
    _rsvp(app, event.slug, "Cleo <b>Listed</b>", "cleo@example.org", listed=True)
    page = app.test_client().get(f"/e/{event.slug}").text
    assert _listed_names(page) == ["Ana Listed", "Cleo &lt;b&gt;Listed&lt;/b&gt;"]
    assert "Acme" in page and "Ben Private" not in page
    assert "<strong>3</strong> of 6 places taken" in page


def test_the_form_leaves_the_choice_unticked(app, event):
    page = app.test_client().get(f"/e/{event.slug}").text
    box = re.search(r'<input type="checkbox" name="listed"[^>]*>', page)[0]
    assert "checked" not in box


def test_an_attendee_shows_or_hides_themselves_from_their_page_at_any_time(app, event):
    ben = _rsvp(app, event.slug, "Ben Guest", "ben@example.org")
    visitor = app.test_client()
    assert "Show me on the event page" in visitor.get(f"/rsvp/{ben.token}").text
    post(visitor, f"/rsvp/{ben.token}/listing", page=f"/rsvp/{ben.token}")
    assert _listed_names(app.test_client().get(f"/e/{event.slug}").text) == ["Ben Guest"]
    mine = visitor.get(f"/rsvp/{ben.token}").text
    assert "Hide me from the event page" in mine
    post(visitor, f"/rsvp/{ben.token}/listing", page=f"/rsvp/{ben.token}")
    assert _listed_names(app.test_client().get(f"/e/{event.slug}").text) == []
    # Someone else's page cannot be switched without its secret link.
    assert app.test_client().post("/rsvp/not-a-token/listing").status_code in (400, 404)


def test_a_cancelled_attendee_disappears_from_the_list(app, event):
    ana = _rsvp(app, event.slug, "Ana Listed", "ana@example.org", listed=True)
    client = app.test_client()
    post(client, f"/rsvp/{ana.token}/cancel", page=f"/rsvp/{ana.token}")
    assert _listed_names(app.test_client().get(f"/e/{event.slug}").text) == []


def test_the_host_can_keep_the_count_private(app, host_client):
    from organizer.testing import plugin_defaults
    fields = plugin_defaults(app)
    fields.pop("plugin-rsvp-public_count", None)
    event_id = create_event(host_client, capacity="1", **fields)
    event = db.session.get(Event, event_id)
    _rsvp(app, event.slug, "Ana Listed", "ana@example.org", listed=True)
    page = app.test_client().get(f"/e/{event.slug}").text
    counts = re.search(r'<p class="rsvp-counts">(.*?)</p>', page, re.S)[1]
    assert "1" not in counts and "Every place is taken" in counts
    assert _listed_names(page) == ["Ana Listed"]  # her own choice still holds
