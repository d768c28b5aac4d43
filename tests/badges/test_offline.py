"""The door without the network, server side: signed tickets, the station's copy, the batch of
offline check-ins (each applied once, at its scan time), conflicts told to both stations and
the host, and a station's last contact."""
from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from organizer.db import db
from organizer.models import Attendee, Event

from ..conftest import post
from ..rsvp.helpers import make_event, person, rsvp
from .helpers import going_attendee, scan, station_secret, ticket_url


def _event_with(app, host_client, names):
    event = make_event(host_client, capacity="50")
    for name in names:
        rsvp(app.test_client(), event, name.title(), f"{name}@example.org")
    return event, {name: person(event, f"{name}@example.org") for name in names}


def _station(host_client, event, name="Door") -> str:
    """A station link made two hours ago (scans are never dated before their station)."""
    from organizer_plugins.badges.models import Station
    secret = station_secret(host_client, event, name)
    db.session.execute(db.update(Station).where(Station.secret == secret).values(
        created_at=datetime.now(timezone.utc) - timedelta(hours=2)))
    db.session.commit()
    return secret


def _code(app, attendee) -> str:
    return ticket_url(app.test_client(), attendee)


def _sync(client, secret, scans, **extra):
    return client.post(f"/station/{secret}/sync", json={"scans": scans, **extra})


def _at(minutes_ago: int) -> str:
    return (datetime.now(timezone.utc) - timedelta(minutes=minutes_ago)).isoformat()


def _checkins(event):
    from organizer_plugins.badges.models import CheckIn
    db.session.expire_all()
    return db.session.scalars(select(CheckIn).where(CheckIn.event_id == event.id)).all()


# --- signed tickets --------------------------------------------------------------

def test_a_ticket_code_carries_a_signature_the_events_public_key_verifies(app, host_client):
    from organizer_plugins.badges import signing
    event, ben = going_attendee(app, host_client)
    code = _code(app, ben)
    signed = signing.parse(code)
    assert signed is not None and signed.event_id == event.id
    key = base64.urlsafe_b64decode(signing.public_key(event.id) + "=")
    assert signing.verify(key, signed)
    # Another event's key does not verify it; nor does the same code claiming another event.
    other = make_event(host_client, capacity="5")
    other_key = base64.urlsafe_b64decode(signing.public_key(other.id) + "=")
    assert not signing.verify(other_key, signed)
    moved = signing.SignedCode(signed.secret, other.id, signed.signature)
    assert not signing.verify(key, moved) and not signing.verify(other_key, moved)


def test_forged_truncated_other_event_and_revoked_codes_are_refused_online(app, host_client):
    from organizer_plugins.badges import signing, tickets
    event, people = _event_with(app, host_client, ["ben", "cara"])
    other, others = _event_with(app, host_client, ["dan"])
    secret = station_secret(host_client, event)
    door = app.test_client()
    good = _code(app, people["ben"])
    # A made-up secret with a signature of the right shape: no such ticket.
    forged = good.replace(signing.parse(good).secret, tickets.new_secret())
    assert scan(door, secret, forged).get_json()["result"] == "unknown"
    # Cut short inside the signature: not a code this server made.
    assert scan(door, secret, good[:-10]).get_json()["result"] == "unknown"
    assert scan(door, secret, _code(app, others["dan"])).get_json()["result"] == "other_event"
    old = _code(app, people["cara"])
    tickets.reissue(person(event, "cara@example.org"))
    assert scan(door, secret, old).get_json()["result"] == "revoked"
    assert _checkins(event) == []
    # The genuine code still works after all that.
    assert scan(door, secret, good).get_json()["result"] == "checked_in"


def test_a_scanner_that_changes_the_case_still_reads_the_secret(app, host_client):
    # A keyboard-wedge scanner with caps lock on: the signature means nothing then,
    # but the secret is still the ticket's.
    event, ben = going_attendee(app, host_client)
    shouted = _code(app, ben).upper()
    answer = scan(app.test_client(), station_secret(host_client, event), shouted).get_json()
    assert answer["result"] == "checked_in" and answer["name"] == "Ben Guest"


def test_codes_printed_before_signing_still_check_in(app, host_client):
    from organizer_plugins.badges import tickets
    event, ben = going_attendee(app, host_client)
    ticket = tickets.ticket_for(ben)
    plain = tickets.external_url("badges.ticket_landing", secret=ticket.secret)
    answer = scan(app.test_client(), station_secret(host_client, event), plain).get_json()
    assert answer["result"] == "checked_in" and answer["name"] == "Ben Guest"


# --- the station needs no session --------------------------------------------------

def test_a_station_sends_no_cookie_and_no_form_token(app, host_client):
    event, ben = going_attendee(app, host_client)
    secret = station_secret(host_client, event)
    door = app.test_client()
    page = door.get(f"/station/{secret}")
    assert page.status_code == 200 and "Set-Cookie" not in page.headers
    assert "csrf" not in page.get_data(as_text=True).lower()
    answer = door.post(f"/station/{secret}/scan", data={"code": _code(app, ben)},
                       headers={"Accept": "application/json"})
    assert answer.status_code == 200 and answer.get_json()["result"] == "checked_in"
    assert "Set-Cookie" not in answer.headers
    # A form of the host's still needs its token: only secret links are spared.
    refused = app.test_client().post("/signin", data={"email": "x@example.org", "password": "x"})
    assert refused.status_code == 400


# --- the copy ----------------------------------------------------------------------

def test_the_copy_holds_this_events_guests_hashed_codes_and_its_key(app, host_client):
    from organizer_plugins.badges import offline, signing, tickets
    event, people = _event_with(app, host_client, ["ben", "cara"])
    _event_with(app, host_client, ["dan"])
    cara_old = signing.parse(_code(app, people["cara"])).secret
    tickets.reissue(person(event, "cara@example.org"))
    ben_secret = signing.parse(_code(app, people["ben"])).secret
    secret = station_secret(host_client, event, "Side door")
    copy = app.test_client().get(f"/station/{secret}/copy")
    assert copy.status_code == 200 and copy.headers["Cache-Control"] == "private, no-store"
    body = copy.get_json()
    assert {p["name"] for p in body["people"]} == {"Ben", "Cara"}
    assert body["station"]["name"] == "Side door" and body["event"]["id"] == event.id
    assert body["key"] == signing.public_key(event.id)
    assert body["tickets"][offline.secret_hash(ben_secret)] == people["ben"].id
    assert offline.secret_hash(cara_old) in body["revoked"]
    # No secret leaves the server in the clear, and no address at all.
    text = copy.get_data(as_text=True)
    assert ben_secret not in text and cara_old not in text and "@example.org" not in text


def test_a_revoked_link_or_an_event_long_over_gets_no_copy(app, host_client):
    from organizer_plugins.badges.models import Station
    event, _ = going_attendee(app, host_client)
    secret = station_secret(host_client, event)
    station = db.session.scalar(select(Station).where(Station.secret == secret))
    db.session.execute(db.update(Event).where(Event.id == event.id).values(
        starts_at=datetime.now(timezone.utc) - timedelta(hours=10),
        ends_at=datetime.now(timezone.utc) - timedelta(hours=7)))
    db.session.commit()
    over = app.test_client().get(f"/station/{secret}/copy")
    assert over.status_code == 410 and "over" in over.get_json()["error"]
    post(host_client, f"/events/{event.id}/stations/{station.id}/revoke", {}, page="/dashboard")
    assert app.test_client().get(f"/station/{secret}/copy").status_code == 404
    assert _sync(app.test_client(), secret, []).status_code == 404


# --- the batch -------------------------------------------------------------------------

def test_offline_check_ins_are_stored_once_at_their_scan_times(app, host_client):
    event, people = _event_with(app, host_client, ["ben", "cara", "dan"])
    secret = _station(host_client, event, "Main door")
    door = app.test_client()
    scans = [{"nonce": "scan-0001", "at": _at(30), "code": _code(app, people["ben"])},
             {"nonce": "scan-0002", "at": _at(20), "attendee_id": people["cara"].id},
             {"nonce": "scan-0003", "at": _at(10), "code": _code(app, people["dan"])}]
    first = _sync(door, secret, scans, queued=3)
    assert first.status_code == 200
    assert [r["result"] for r in first.get_json()["results"]] == ["checked_in"] * 3
    assert door.get(f"/station/{secret}/counts").get_json() == {"checked_in": 3, "expected": 3}
    stored = {c.attendee_id: c.at for c in _checkins(event)}
    for name, scan_ in zip(["ben", "cara", "dan"], scans):
        when = datetime.fromisoformat(scan_["at"])
        assert abs(stored[people[name].id] - when) < timedelta(seconds=1), name
        stored_person = person(event, f"{name}@example.org")
        assert abs(stored_person.checked_in_at - when) < timedelta(seconds=1)
        # Changed now, though it happened before: clients syncing "updated since" see it.
        assert stored_person.updated_at > datetime.now(timezone.utc) - timedelta(minutes=1)
    # The answer was lost on the way: the phone sends the same batch again.
    again = _sync(door, secret, scans)
    assert [r["result"] for r in again.get_json()["results"]] == ["checked_in"] * 3
    assert len(_checkins(event)) == 3


def test_two_stations_admitting_one_person_make_one_check_in_and_tell_both(app, host_client):
    event, people = _event_with(app, host_client, ["ana"])
    main = _station(host_client, event, "Main door")
    side = _station(host_client, event, "Side door")
    code = _code(app, people["ana"])
    first = _sync(app.test_client(), side, [{"nonce": "side-0001", "at": _at(15), "code": code}])
    assert first.get_json()["results"][0]["result"] == "checked_in"
    second = _sync(app.test_client(), main, [{"nonce": "main-0001", "at": _at(12), "code": code}])
    [answer] = second.get_json()["results"]
    assert answer["result"] == "conflict" and answer["kind"] == "double"
    assert "Ana was also admitted at Side door" in answer["message"]
    assert len(_checkins(event)) == 1
    # The side door hears of it at its next contact; so does the host.
    heard = app.test_client().post(f"/station/{side}/hello", json={"queued": 0}).get_json()
    assert any("Ana was also admitted at Main door" in n["message"] for n in heard["notices"])
    page = host_client.get(f"/events/{event.id}/stations").get_data(as_text=True)
    assert "Ana was admitted at Side door" in page and "admitted again at Main door" in page
    assert "One check-in is kept" in page


def test_someone_cancelled_while_the_door_was_offline_is_reported(app, host_client):
    from organizer_plugins.rsvp import seats
    event, people = _event_with(app, host_client, ["ben"])
    secret = _station(host_client, event, "Main door")
    code = _code(app, people["ben"])
    seats.cancel(people["ben"].id)
    answer = _sync(app.test_client(), secret,
                   [{"nonce": "scan-0001", "at": _at(5), "code": code}]).get_json()["results"][0]
    assert answer["result"] == "conflict" and answer["kind"] in {"not_going", "revoked"}
    assert "Ben was admitted at Main door" in answer["message"]
    assert "No check-in was stored" in answer["message"]
    assert _checkins(event) == []
    page = host_client.get(f"/events/{event.id}/stations").get_data(as_text=True)
    assert "Ben was admitted at Main door" in page


def test_a_guest_chosen_by_search_offline_then_cancelled_is_reported_as_not_going(app, host_client):
    from organizer_plugins.rsvp import seats
    event, people = _event_with(app, host_client, ["ben"])
    secret = _station(host_client, event)
    seats.cancel(people["ben"].id)
    answer = _sync(app.test_client(), secret, [
        {"nonce": "scan-0001", "at": _at(5), "attendee_id": people["ben"].id}]).get_json()
    assert answer["results"][0]["kind"] == "not_going"
    assert "RSVP has cancelled" in answer["results"][0]["message"]


def test_a_bad_batch_gets_a_sentence_and_stores_nothing(app, host_client):
    event, people = _event_with(app, host_client, ["ben"])
    secret = _station(host_client, event)
    door = app.test_client()
    for body in ("not json", {"scans": "all of them"}, {"scans": [{}] * 1001}):
        response = (door.post(f"/station/{secret}/sync", data=body) if isinstance(body, str)
                    else door.post(f"/station/{secret}/sync", json=body))
        assert response.status_code == 400 and response.get_json()["error"].endswith(".")
    mixed = _sync(door, secret, [
        {"nonce": "x", "at": _at(1), "attendee_id": people["ben"].id},  # too short an id
        {"nonce": "scan-0002", "at": "yesterday", "attendee_id": people["ben"].id},
        {"nonce": "scan-0003", "at": _at(1)},
        {"nonce": "scan-0004", "at": _at(1), "attendee_id": 10**15}]).get_json()["results"]
    assert [r["result"] for r in mixed] == ["conflict", "invalid", "invalid", "invalid"]
    assert mixed[0]["nonce"] == "scan-0004" and mixed[0]["kind"] == "unknown"
    assert _checkins(event) == []


def test_a_scan_time_in_the_future_is_taken_as_now(app, host_client):
    event, people = _event_with(app, host_client, ["ben"])
    secret = _station(host_client, event)
    later = (datetime.now(timezone.utc) + timedelta(days=3)).isoformat()
    _sync(app.test_client(), secret, [{"nonce": "scan-0001", "at": later,
                                       "attendee_id": people["ben"].id}])
    [stored] = _checkins(event)
    assert stored.at <= datetime.now(timezone.utc) + timedelta(minutes=3)


def test_a_scan_made_online_then_queued_with_the_same_id_counts_once(app, host_client):
    event, ben = going_attendee(app, host_client)
    secret = _station(host_client, event)
    door = app.test_client()
    code = _code(app, ben)
    # The answer never reached the phone, which decided offline and queued the same scan.
    assert scan(door, secret, code, nonce="scan-0001").get_json()["result"] == "checked_in"
    answer = _sync(door, secret, [{"nonce": "scan-0001", "at": _at(0), "code": code}])
    assert answer.get_json()["results"][0]["result"] == "checked_in"
    assert len(_checkins(event)) == 1


# --- what the host sees of each station -----------------------------------------------

def test_the_host_sees_each_stations_last_contact_and_what_waits_on_it(app, host_client):
    event, _ = going_attendee(app, host_client)
    secret = station_secret(host_client, event, "Main door")
    station_secret(host_client, event, "Side door")
    page = host_client.get(f"/events/{event.id}/stations").get_data(as_text=True)
    assert page.count("Not opened yet") == 2
    door = app.test_client()
    assert door.get(f"/station/{secret}/copy").status_code == 200
    door.post(f"/station/{secret}/hello", json={"queued": 3, "copied": True})
    page = host_client.get(f"/events/{event.id}/stations").get_data(as_text=True)
    assert "Last heard from just now" in page
    assert "3 check-ins waiting on the phone to be sent" in page
    assert "guest list copied at" in page and page.count("Not opened yet") == 1


def test_nobody_else_reads_a_stations_copy_or_sends_its_batch(app, host_client):
    event, people = _event_with(app, host_client, ["ben"])
    station_secret(host_client, event)
    stranger = app.test_client()
    assert stranger.get("/station/not-a-station-link-at-all/copy").status_code == 404
    assert _sync(stranger, "not-a-station-link-at-all", [
        {"nonce": "scan-0001", "at": _at(1), "attendee_id": people["ben"].id}]).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Attendee).where(
        Attendee.checked_in_at.is_not(None))) == 0


# --- one batch sent several times at once ------------------------------------------------

def _five_batches_at_once(app_factory, nonces):
    """Five syncs of a one-scan batch for one guest, released together, the i-th with
    nonces[i]. On PostgreSQL the guest's row is locked from outside until all five wait on
    it, so each has looked for its scan (and found none) before the first stores it."""
    import threading

    from organizer_plugins.badges import offline
    from organizer_plugins.badges.models import CheckIn, DoorConflict, Station

    from ..concurrency import run_behind_a_row_lock
    from ..conftest import signup
    app = app_factory()
    with app.app_context():
        host = app.test_client()
        signup(host)
        event, ben = going_attendee(app, host)
        secret = _station(host, event)
        ben_id = ben.id
    answers, lock, index = [], threading.Lock(), iter(range(5))
    when = datetime.now(timezone.utc) - timedelta(minutes=5)

    def phone():
        with lock:
            nonce = nonces[next(index)]
        station = db.session.scalar(select(Station).where(Station.secret == secret))
        [answer] = offline.apply(station, [offline.Scan(nonce, when, attendee_id=ben_id)])
        with lock:
            answers.append(answer["result"])

    errors = run_behind_a_row_lock(app, phone, 5, "attendee", ben_id)
    assert errors == []
    with app.app_context():
        return (sorted(answers), len(db.session.scalars(select(CheckIn)).all()),
                len(db.session.scalars(select(DoorConflict)).all()))


def test_one_batch_sent_five_times_at_once_is_applied_once(app_factory):
    answers, checkins, conflicts = _five_batches_at_once(app_factory, ["same-scan"] * 5)
    assert answers == ["checked_in"] * 5 and checkins == 1 and conflicts == 0


def test_control_five_different_scans_of_one_guest_at_once_make_four_conflicts(app_factory):
    """Proves the test above can see the race: different scans at once, one check-in."""
    answers, checkins, conflicts = _five_batches_at_once(
        app_factory, [f"scan-{n}-of-ben" for n in range(5)])
    assert answers == ["checked_in"] + ["conflict"] * 4 and checkins == 1 and conflicts == 4
