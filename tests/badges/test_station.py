"""The check-in station: scans, typed codes, search, undo, counts; links limited and revocable."""
from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import select

from organizer.db import db
from organizer.models import Attendee

from ..concurrency import run_behind_a_row_lock, run_together
from ..conftest import post, signup
from ..rsvp.helpers import make_event, person, rsvp
from .helpers import going_attendee, scan, station_secret, ticket_url


def test_a_typed_code_checks_in_and_a_second_scan_says_already(app, host_client):
    event, ben = going_attendee(app, host_client)
    url = ticket_url(app.test_client(), ben)
    typed = url.rsplit("/", 1)[1].split("?")[0].upper()  # the secret, as door staff type it
    typed = "-".join(typed[i:i + 4] for i in range(0, len(typed), 4))
    secret = station_secret(host_client, event, "Main door")
    door = app.test_client()
    first = scan(door, secret, typed).get_json()
    assert first["result"] == "checked_in"
    assert door.get(f"/station/{secret}/counts").get_json() == {"checked_in": 1, "expected": 1}
    again = scan(door, secret, url).get_json()
    assert again["result"] == "already" and again["station"] == "Main door" and again["at"]


def test_a_retried_request_with_the_same_nonce_gets_the_same_answer(app, host_client):
    from organizer_plugins.badges.models import CheckIn
    event, ben = going_attendee(app, host_client)
    url = ticket_url(app.test_client(), ben)
    secret = station_secret(host_client, event)
    door = app.test_client()
    one = scan(door, secret, url, nonce="n-123").get_json()
    two = scan(door, secret, url, nonce="n-123").get_json()
    assert one["result"] == two["result"] == "checked_in"
    assert one["checkin_id"] == two["checkin_id"]
    assert len(db.session.scalars(select(CheckIn)).all()) == 1


@pytest.mark.parametrize("code, result", [
    ("", "unknown"), ("hello", "unknown"), ("https://evil.example/t/abc", "unknown"),
    ("https://x/t/" + "2" * 26, "unknown"), ("x" * 10_000, "unknown"),
    ("\x00\x01\ufffd", "unknown"),
])
def test_garbage_and_forged_codes_get_a_clear_answer_and_no_check_in(app, host_client, code,
                                                                        result):
    event, ben = going_attendee(app, host_client)
    secret = station_secret(host_client, event)
    response = scan(app.test_client(), secret, code)
    assert response.status_code == 200 and response.get_json()["result"] == result
    assert response.get_json()["message"] == "Not a ticket for this event"
    assert person(event, "ben@example.org").checked_in_at is None


def test_a_truncated_code_is_not_a_ticket(app, host_client):
    event, ben = going_attendee(app, host_client)
    url = ticket_url(app.test_client(), ben)
    secret = station_secret(host_client, event)
    assert scan(app.test_client(), secret, url[:-1]).get_json()["result"] == "unknown"
    assert person(event, "ben@example.org").checked_in_at is None


def test_a_ticket_for_another_event_is_named_and_refused(app, host_client):
    event, ben = going_attendee(app, host_client)
    other = make_event(host_client, capacity="5")
    url = ticket_url(app.test_client(), ben)
    answer = scan(app.test_client(), station_secret(host_client, other), url).get_json()
    assert answer["result"] == "other_event" and answer["event"] == event.title
    assert person(event, "ben@example.org").checked_in_at is None


def test_manual_search_and_check_in_stay_within_the_stations_event(app, host_client):
    event, ben = going_attendee(app, host_client)
    other = make_event(host_client, capacity="5")
    rsvp(app.test_client(), other, "Zed", "zed@example.org")
    zed = person(other, "zed@example.org")
    secret = station_secret(host_client, event)
    door = app.test_client()
    found = door.get(f"/station/{secret}/search?q=gue").get_json()["people"]
    assert [p["name"] for p in found] == ["Ben Guest"] and "email" not in found[0]
    assert door.get(f"/station/{secret}/search?q=zed").get_json()["people"] == []
    response = post(door, f"/station/{secret}/checkin", {"attendee_id": str(zed.id)})
    assert response.status_code == 404 and person(other, "zed@example.org").checked_in_at is None
    response = post(door, f"/station/{secret}/checkin", {"attendee_id": str(ben.id)})
    assert response.get_json()["result"] == "checked_in"


def test_undo_takes_back_a_check_in(app, host_client):
    event, ben = going_attendee(app, host_client)
    secret = station_secret(host_client, event)
    door = app.test_client()
    answer = scan(door, secret, ticket_url(door, ben)).get_json()
    response = post(door, f"/station/{secret}/undo", {"checkin_id": str(answer["checkin_id"])})
    assert response.get_json()["undone"] is True
    assert response.get_json()["counts"]["checked_in"] == 0
    assert person(event, "ben@example.org").checked_in_at is None
    assert scan(door, secret, ticket_url(door, ben)).get_json()["result"] == "checked_in"


def test_a_revoked_station_link_stops_working_at_once(app, host_client):
    from organizer_plugins.badges.models import Station
    event, ben = going_attendee(app, host_client)
    secret = station_secret(host_client, event)
    station = db.session.scalar(select(Station).where(Station.secret == secret))
    door = app.test_client()
    assert door.get(f"/station/{secret}").status_code == 200
    post(host_client, f"/events/{event.id}/stations/{station.id}/revoke", page="/dashboard")
    assert door.get(f"/station/{secret}").status_code == 404
    response = post(door, f"/station/{secret}/scan", {"code": ticket_url(door, ben)},
                    page="/signin")
    assert response.status_code == 404
    assert person(event, "ben@example.org").checked_in_at is None


def test_another_host_cannot_manage_the_stations(app, host_client):
    event, _ = going_attendee(app, host_client)
    other = app.test_client()
    signup(other, name="Mallory", email="mallory@example.org")
    assert other.get(f"/events/{event.id}/stations").status_code == 403
    assert post(other, f"/events/{event.id}/stations", {"name": "x"},
                page="/dashboard").status_code == 403


def test_ten_stations_scanning_one_ticket_at_once_store_one_check_in(app_factory):
    from organizer_plugins.badges import checkin
    from organizer_plugins.badges.models import CheckIn, Station
    app = app_factory()
    with app.app_context():
        host = app.test_client()
        signup(host)
        event, ben = going_attendee(app, host)
        url = ticket_url(app.test_client(), ben)
        for n in range(10):
            station_secret(host, event, f"Door {n}")
        secrets_ = [s.secret for s in db.session.scalars(select(Station))]
    answers, lock, index = [], threading.Lock(), iter(range(10))

    def door():
        with lock:
            secret = secrets_[next(index)]
        answer = checkin.scan_at(secret, url)
        with lock:
            answers.append(answer.result)

    assert run_together(app, door, threads=10) == []
    assert sorted(answers) == ["already"] * 9 + ["checked_in"]
    with app.app_context():
        assert len(db.session.scalars(select(CheckIn)).all()) == 1


def _ten_scans_at_one_door_at_once(app_factory, nonces):
    """Ten scans of one ticket at one station released together, the i-th with nonces[i].

    On PostgreSQL the holder's row is locked from outside until all ten wait
    on it, so every scan has read (and found no check-in under its nonce)
    before the first one stores its check-in: the widest window, every time.
    On SQLite the write lock serialises the scans anyway.
    """
    from organizer_plugins.badges import checkin
    from organizer_plugins.badges.models import CheckIn
    app = app_factory()
    with app.app_context():
        host = app.test_client()
        signup(host)
        event, ben = going_attendee(app, host)
        url = ticket_url(app.test_client(), ben)
        secret = station_secret(host, event)
        holder_id = ben.id
    answers, lock, index = [], threading.Lock(), iter(range(10))

    def door():
        with lock:
            nonce = nonces[next(index)]
        answer = checkin.scan_at(secret, url, nonce=nonce)
        with lock:
            answers.append((answer.result, answer.checkin_id))

    errors = run_behind_a_row_lock(app, door, 10, "attendee", holder_id)
    assert errors == []
    with app.app_context():
        stored = db.session.scalars(select(CheckIn)).all()
    return answers, stored


def test_ten_retries_of_one_scan_at_once_all_get_the_first_answer(app_factory):
    """One request sent ten times at once (same station, same nonce): ten "checked in",
    each naming the one stored check-in."""
    answers, stored = _ten_scans_at_one_door_at_once(app_factory, ["retry-1"] * 10)
    assert len(stored) == 1
    results = Counter(result for result, _ in answers)
    assert results == {"checked_in": 10}
    assert {checkin_id for _, checkin_id in answers} == {stored[0].id}


def test_control_ten_different_scans_at_once_at_one_door_let_one_in(app_factory):
    """Proves the test above can see the race: ten different requests at once, one wins."""
    answers, stored = _ten_scans_at_one_door_at_once(app_factory,
                                                     [f"scan-{n}" for n in range(10)])
    assert len(stored) == 1
    assert Counter(result for result, _ in answers) == {"checked_in": 1, "already": 9}
    assert {checkin_id for _, checkin_id in answers} == {stored[0].id}


def test_control_a_read_then_write_check_in_lets_several_stations_win(app_factory):
    """Proves the test above can see a race: without the conditional UPDATE, all may win."""
    from organizer.models import utcnow
    app = app_factory()
    with app.app_context():
        host = app.test_client()
        signup(host)
        event, ben = going_attendee(app, host)
        attendee_id = ben.id
    wins, lock = [], threading.Lock()
    # Every station reads before any writes: the window a read-then-write leaves open.
    all_read = threading.Barrier(10, timeout=20)

    def naive():
        person = db.session.get(Attendee, attendee_id)
        arrived = person.checked_in_at
        db.session.commit()  # end the read so each write can take SQLite's lock in turn
        all_read.wait()
        if arrived is None:
            person = db.session.get(Attendee, attendee_id)
            person.checked_in_at = utcnow()
            with lock:
                wins.append(1)
        db.session.commit()

    run_together(app, naive, threads=10)
    assert len(wins) > 1


def test_the_station_works_without_javascript(app, host_client):
    event, ben = going_attendee(app, host_client)
    secret = station_secret(host_client, event)
    door = app.test_client()
    page = door.get(f"/station/{secret}")
    assert page.status_code == 200 and "Scan or type a ticket code" in page.get_data(
        as_text=True)
    response = post(door, f"/station/{secret}/scan", {"code": ticket_url(door, ben)})
    assert "Checked in: Ben Guest" in response.get_data(as_text=True)


def test_the_station_search_finds_a_whole_address_but_never_parts_or_wildcards(app,
                                                                               host_client):
    event, ben = going_attendee(app, host_client)
    secret = station_secret(host_client, event)
    door = app.test_client()
    for query in ("ben@", "@example.org", "example.org", "__", "%%", "b_n", "ben@example.or"):
        assert door.get(f"/station/{secret}/search?q={query}").get_json()["people"] == [], query
    assert door.get(f"/station/{secret}/search?q=ben").get_json()["people"][0]["name"] == \
        "Ben Guest"
    found = door.get(f"/station/{secret}/search?q=Ben@Example.org").get_json()["people"]
    assert [p["name"] for p in found] == ["Ben Guest"] and "email" not in found[0]


def test_a_nonce_reused_elsewhere_or_for_someone_else_gets_the_right_answer(app, host_client):
    event, ben = going_attendee(app, host_client)
    rsvp(app.test_client(), event, "Cara", "cara@example.org")
    cara = person(event, "cara@example.org")
    other, zed = going_attendee(app, host_client, email="zed@example.org")
    first, second = station_secret(host_client, event), station_secret(host_client, other)
    door = app.test_client()
    assert scan(door, first, ticket_url(door, ben), nonce="N1").get_json()["name"] == "Ben Guest"
    answer = scan(door, first, ticket_url(door, cara), nonce="N1").get_json()
    assert answer["result"] == "checked_in" and answer["name"] == "Cara"
    elsewhere = scan(door, second, ticket_url(door, zed), nonce="N1")
    assert elsewhere.status_code == 200 and elsewhere.get_json()["result"] == "checked_in"


def test_odd_digits_in_ids_are_not_found_rather_than_crashing(app, host_client):
    event, _ = going_attendee(app, host_client)
    secret = station_secret(host_client, event)
    door = app.test_client()
    assert post(door, f"/station/{secret}/checkin", {"attendee_id": "²"}).status_code == 404
    assert post(door, f"/station/{secret}/undo", {"checkin_id": "¹²"}).status_code == 404


def test_someone_cancelled_a_moment_ago_is_not_let_in_on_their_old_ticket(app, host_client):
    from organizer_plugins.badges import checkin
    from organizer_plugins.badges.models import Station
    from organizer_plugins.rsvp import seats
    event, ben = going_attendee(app, host_client)
    secret = station_secret(host_client, event)
    station = db.session.scalar(select(Station).where(Station.secret == secret))
    stale = db.session.get(Attendee, ben.id)
    assert stale.status == "going"
    other = app.app_context()
    with other:  # another request cancels meanwhile
        seats.cancel(ben.id)
    answer = checkin.check_in(station, stale, None)
    assert answer.result == "cancelled"
    db.session.expire_all()
    assert db.session.get(Attendee, ben.id).checked_in_at is None


def test_one_nonce_sent_for_two_people_at_once_checks_both_in_without_an_error(app_factory):
    """A broken scanner repeating its request id: each person is still let in, no 500."""
    from organizer_plugins.badges import checkin
    app = app_factory()
    with app.app_context():
        host = app.test_client()
        signup(host)
        event, ben = going_attendee(app, host)
        rsvp(app.test_client(), event, "Cara", "cara@example.org")
        urls = [ticket_url(app.test_client(), ben),
                ticket_url(app.test_client(), person(event, "cara@example.org"))]
        secret = station_secret(host, event)
    answers, lock, index = [], threading.Lock(), iter(range(2))

    def door():
        with lock:
            url = urls[next(index)]
        answer = checkin.scan_at(secret, url, nonce="same-nonce")
        with lock:
            answers.append((answer.result, answer.name))

    assert run_together(app, door, threads=2) == []
    assert sorted(answers) == [("checked_in", "Ben Guest"), ("checked_in", "Cara")]
