"""Self check-in from a QR poster at the venue, with the RSVP link or a typed code."""
from __future__ import annotations




from ..conftest import post, signup
from ..rsvp.helpers import make_event, person, rsvp
from .helpers import decode_png, going_attendee, ticket_url


def _poster_path(app, host_client, event) -> str:
    post(host_client, f"/events/{event.id}/poster", page="/dashboard")
    url = decode_png(host_client.get(f"/events/{event.id}/poster.png").data)
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_a_guest_who_opened_their_rsvp_link_checks_in_from_the_poster(app, host_client):
    event, ben = going_attendee(app, host_client)
    path = _poster_path(app, host_client, event)
    phone = app.test_client()
    phone.get(f"/rsvp/{ben.token}")  # the link from the confirmation mail
    # The browser remembers Ben, but its cookie (signed, readable) does not
    # hold his private link.
    cookie = phone.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session")).value
    remembered = app.session_interface.get_signing_serializer(app).loads(cookie)
    assert remembered["badges_me"] and ben.token not in str(remembered)
    page = phone.get(path).get_data(as_text=True)
    assert "Check in as Ben Guest" in page
    done = post(phone, path, {"me": "1"}).get_data(as_text=True)
    assert "Checked in, Ben Guest" in done
    assert person(event, "ben@example.org").checked_in_at is not None


def test_a_typed_short_code_checks_the_right_person_in(app, host_client):
    event, ben = going_attendee(app, host_client)
    rsvp(app.test_client(), event, "Cem", "cem@example.org")
    code = ticket_url(app.test_client(), ben).rsplit("/", 1)[1]
    path = _poster_path(app, host_client, event)
    phone = app.test_client()
    assert "Check in as" not in phone.get(path).get_data(as_text=True)
    done = post(phone, path + "/code", {"code": code[:4].upper() + "-" + code[4:6]})
    assert "Checked in, Ben Guest" in done.get_data(as_text=True)
    assert person(event, "cem@example.org").checked_in_at is None


def test_wrong_codes_are_explained_and_check_nobody_in(app, host_client):
    event, ben = going_attendee(app, host_client)
    path = _poster_path(app, host_client, event)
    phone = app.test_client()
    for code, message in [("abc", "at least the first 6 characters"),
                          ("222222", "No ticket for this event starts with that code"),
                          ("<script>", "at least the first 6 characters")]:
        response = post(phone, path + "/code", {"code": code})
        assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert person(event, "ben@example.org").checked_in_at is None


def test_a_remembered_link_from_another_event_is_not_used(app, host_client):
    event, ben = going_attendee(app, host_client)
    other = make_event(host_client, capacity="5")
    path = _poster_path(app, host_client, other)
    phone = app.test_client()
    phone.get(f"/rsvp/{ben.token}")
    assert "Check in as" not in phone.get(path).get_data(as_text=True)
    post(phone, path, {"me": "1"})
    assert person(event, "ben@example.org").checked_in_at is None


def test_a_new_poster_retires_the_old_one_and_a_poster_is_not_a_door_station(app, host_client):
    event, ben = going_attendee(app, host_client)
    old = _poster_path(app, host_client, event)
    new = _poster_path(app, host_client, event)
    assert old != new
    assert app.test_client().get(old).status_code == 404
    secret = new.rsplit("/", 1)[1]
    assert app.test_client().get(f"/station/{secret}").status_code == 404


def test_self_check_in_is_rate_limited(app_factory):
    app = app_factory(SELF_CHECKIN_RATE_LIMIT="3 per minute")
    with app.app_context():
        host = app.test_client()
        signup(host)
        event, _ = going_attendee(app, host)
        path = _poster_path(app, host, event)
        phone = app.test_client()
        codes = [post(phone, path + "/code", {"code": "222222"}).status_code for _ in range(4)]
    assert codes == [422, 422, 422, 429]


def test_only_the_host_makes_posters(app, host_client):
    event, _ = going_attendee(app, host_client)
    other = app.test_client()
    signup(other, name="Mallory", email="mallory@example.org")
    assert post(other, f"/events/{event.id}/poster", page="/dashboard").status_code == 403
    assert other.get(f"/events/{event.id}/poster.png").status_code == 403
