"""Bad RSVPs get a clear message and change nothing."""
from __future__ import annotations

from datetime import timedelta

import pytest

from organizer.db import db
from organizer.models import Attendee, Event, utcnow

from ..conftest import post
from .helpers import make_event, rsvp


def _count(event) -> int:
    return db.session.query(Attendee).filter_by(event_id=event.id).count()


@pytest.mark.parametrize("name, email, message", [
    ("Ben", "not an address", "Enter a valid e-mail address"),
    ("", "ben@example.org", "Tell the host your name"),
    ("B" * 121, "ben@example.org", "Keep your name under 120 characters"),
])
def test_a_bad_name_or_address_is_explained(app, host_client, name, email, message):
    event = make_event(host_client)
    response = rsvp(app.test_client(), event, name, email)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert _count(event) == 0


def test_a_missing_required_answer_is_explained_and_kept_answers_stay(app, host_client):
    event = make_event(host_client)
    post(host_client, f"/events/{event.id}/questions",
         {"label": "Dietary needs", "kind": "choice", "choices": "None\nVegan", "required": "1"},
         page="/dashboard")
    post(host_client, f"/events/{event.id}/questions",
         {"label": "Code of conduct read", "kind": "checkbox", "required": "1"},
         page="/dashboard")
    response = rsvp(app.test_client(), event, "Ben", "ben@example.org", q1="")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Please answer “Dietary needs”" in page and "must be ticked" in page
    assert 'value="ben@example.org"' in page
    forged = rsvp(app.test_client(), event, "Ben", "ben@example.org", q1="Steak", q2="1")
    assert forged.status_code == 422 and "Choose one of the offered answers" in forged.get_data(
        as_text=True)
    assert _count(event) == 0


def test_a_question_needs_text_and_choices_need_two_options(host_client):
    event = make_event(host_client)
    response = post(host_client, f"/events/{event.id}/questions",
                    {"label": "", "kind": "choice", "choices": "Only one"}, page="/dashboard")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Write the question" in page and "at least two choices" in page


def test_rsvps_after_the_deadline_are_refused(app, host_client):
    from zoneinfo import ZoneInfo
    deadline = (utcnow() - timedelta(hours=1)).astimezone(ZoneInfo("Europe/Berlin")).strftime(
        "%Y-%m-%dT%H:%M")
    event = make_event(host_client, deadline=deadline)
    response = rsvp(app.test_client(), event, "Ben", "ben@example.org")
    assert response.status_code == 409 and "RSVPs for this event are closed" in \
        response.get_data(as_text=True)
    assert "RSVPs are closed" in app.test_client().get(f"/e/{event.slug}").get_data(
        as_text=True)
    assert _count(event) == 0


def test_a_cancelled_or_draft_event_takes_no_rsvps(app, host_client):
    event = make_event(host_client)
    post(host_client, f"/events/{event.id}/cancel", page="/dashboard")
    response = rsvp(app.test_client(), event, "Ben", "ben@example.org")
    assert response.status_code == 409 and "cancelled" in response.get_data(as_text=True)
    draft = make_event(host_client, capacity="5")
    draft.status = "draft"
    db.session.commit()
    assert rsvp(app.test_client(), draft, "Ben", "ben@example.org").status_code == 404
    assert _count(event) == 0 and _count(draft) == 0


def test_rsvps_without_the_csrf_token_are_refused(app, host_client):
    event = make_event(host_client)
    response = app.test_client().post(f"/e/{event.slug}/rsvp",
                                      data={"name": "Ben", "email": "ben@example.org"})
    assert response.status_code == 400 and _count(event) == 0


def test_the_rsvp_form_is_rate_limited_per_client(app_factory):
    app = app_factory(RSVP_RATE_LIMIT="3 per minute")
    with app.app_context():
        from ..conftest import signup
        host = app.test_client()
        signup(host)
        event = make_event(host, capacity="50")
        client = app.test_client()
        codes = [rsvp(client, event, f"P{n}", f"p{n}@example.org").status_code
                 for n in range(5)]
    assert codes == [201, 201, 201, 429, 429]


def test_a_bad_reminder_setting_is_refused(host_client):
    from ..conftest import event_form
    response = post(host_client, "/events/new", event_form(
        **{"plugin-rsvp-reminder_hours": "1000"}), page="/dashboard")
    assert response.status_code == 422
    assert "between 0 and 168 hours" in response.get_data(as_text=True)


def _redis_answers() -> bool:
    import socket
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", 6379)) == 0


def test_rate_limits_can_live_in_redis_so_servers_share_them(app_factory):
    """Two app servers sharing Redis count one client's RSVPs together."""
    if not _redis_answers():
        # Without a Redis server the memory store (tested above) is the only one.
        assert not _redis_answers()
        return
    import redis
    redis.Redis(host="127.0.0.1", port=6379).flushdb()
    settings = {"RSVP_RATE_LIMIT": "3 per minute",
                "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"}
    first = app_factory(**settings)
    with first.app_context():
        from ..conftest import signup
        host = first.test_client()
        signup(host)
        event_id = make_event(host, capacity="50").id
        codes = [rsvp(first.test_client(), db.session.get(Event, event_id), f"P{n}",
                      f"p{n}@example.org").status_code for n in range(2)]
    second = app_factory(**settings)
    with second.app_context():
        codes += [rsvp(second.test_client(), db.session.get(Event, event_id), f"Q{n}",
                       f"q{n}@example.org").status_code for n in range(2)]
    assert codes == [201, 201, 201, 429]
