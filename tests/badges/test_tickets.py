"""QR tickets: on the RSVP page and in the mail, no personal data, invalid once replaced."""
from __future__ import annotations

from organizer.db import db
from organizer.models import Attendee

from ..conftest import post
from ..rsvp.helpers import mails_to, make_event, person, rsvp
from .helpers import decode_png, decode_svg, going_attendee, scan, station_secret, ticket_url


def test_the_ticket_png_decodes_to_a_check_in_url_that_checks_the_right_person_in(
        app, host_client):
    event, ben = going_attendee(app, host_client)
    rsvp(app.test_client(), event, "Cem Other", "cem@example.org")
    guest = app.test_client()
    page = guest.get(f"/rsvp/{ben.token}").get_data(as_text=True)
    assert "Your ticket" in page and f"/rsvp/{ben.token}/ticket.png" in page
    url = ticket_url(guest, ben)
    # Nothing of the person in it: not their name (in any URL form), nor their address.
    # (Not a bare "ben": the random signature may hold those letters by chance.)
    lowered = url.lower()
    assert "/t/" in url and "example.org" not in url
    assert not any(form in lowered for form in ("ben guest", "ben+guest", "ben%20guest"))
    # The secret, then the event's id and the signature a station checks offline.
    secret_part, signed_part = url.rsplit("/", 1)[1].split("?s=")
    assert len(secret_part) == 26 and signed_part.startswith(f"{event.id}.")
    svg = guest.get(f"/rsvp/{ben.token}/ticket.svg")
    assert svg.mimetype == "image/svg+xml" and decode_svg(svg.data) == url
    secret = station_secret(host_client, event)
    answer = scan(app.test_client(), secret, url).get_json()
    assert answer["result"] == "checked_in" and answer["name"] == "Ben Guest"
    db.session.expire_all()
    assert db.session.get(Attendee, ben.id).checked_in_at is not None
    assert person(event, "cem@example.org").checked_in_at is None


def test_the_confirmation_mail_carries_the_ticket(app, host_client):
    event, ben = going_attendee(app, host_client)
    [mail] = mails_to(app, "ben@example.org")
    [png] = [p for p in mail.walk() if p.get_filename() == "ticket.png"]
    assert decode_png(png.get_content()) == ticket_url(app.test_client(), ben)


def test_people_not_going_have_no_ticket(app, host_client):
    event = make_event(host_client, capacity="1")
    rsvp(app.test_client(), event, "Ana", "ana@example.org")
    rsvp(app.test_client(), event, "Ben", "ben@example.org")
    ben = person(event, "ben@example.org")
    assert app.test_client().get(f"/rsvp/{ben.token}/ticket.png").status_code == 404
    assert "Your ticket" not in app.test_client().get(f"/rsvp/{ben.token}").get_data(
        as_text=True)


def test_cancelling_or_replacing_invalidates_the_old_code(app, host_client):
    event, ben = going_attendee(app, host_client)
    guest = app.test_client()
    old = ticket_url(guest, ben)
    post(guest, f"/rsvp/{ben.token}/ticket/reissue")
    new = ticket_url(guest, ben)
    assert new != old
    secret = station_secret(host_client, event)
    assert scan(app.test_client(), secret, old).get_json()["result"] == "revoked"
    post(guest, f"/rsvp/{ben.token}/cancel")
    assert scan(app.test_client(), secret, new).get_json()["result"] == "revoked"
    db.session.expire_all()
    assert db.session.get(Attendee, ben.id).checked_in_at is None


def test_scanning_the_code_with_a_phone_camera_shows_no_personal_data(app, host_client):
    event, ben = going_attendee(app, host_client)
    url = ticket_url(app.test_client(), ben)
    page = app.test_client().get(url.split("://", 1)[1].split("/", 1)[1].join(["/", ""]))
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and event.title in text
    assert "Ben" not in text and "ben@example.org" not in text


def test_two_requests_issuing_at_once_leave_one_valid_ticket(app, host_client):
    from sqlalchemy import func, select

    from organizer_plugins.badges import tickets
    from organizer_plugins.badges.models import Ticket
    event, ben = going_attendee(app, host_client)
    first = tickets.ticket_for(ben)
    # A second request that did not look first (a fresh confirmation) tries
    # to issue another: the database refuses it and the first one is returned.
    again = tickets.ticket_for(ben, just_confirmed=True)
    assert again.id == first.id and again.secret == first.secret
    valid = db.session.scalar(select(func.count()).select_from(Ticket).where(
        Ticket.attendee_id == ben.id, Ticket.revoked_at.is_(None)))
    assert valid == 1
