"""The outbox: every mail is stored with the change that causes it, then delivered,
retried and accounted for; none is lost, none goes out twice."""
from __future__ import annotations

import contextlib
import email
import re
import socket
import threading
from datetime import timedelta
from email import policy

import pytest
from sqlalchemy import func, select, update

from organizer import delivery, mail, transport
from organizer.db import commit, db, write
from organizer.models import OutboxMessage, utcnow

from .conftest import outbox, signup
from .rsvp.helpers import make_event, rsvp
from .smtp_server import SMTPServer


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rows() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def _later(minutes: int = 10):
    return utcnow() + timedelta(minutes=minutes)


@mail.renderer("test.note", title="Test notes")
def _note(params):
    if params.get("skip"):
        raise mail.Skip("Nobody needs this any more.")
    if params.get("broken"):
        raise RuntimeError("/srv/secret/path exploded in SELECT * FROM host")
    return mail.Message(to=params["to"], subject=f"Note {params['n']}", text="Hello")


def mail_trouble() -> int:
    from organizer.views.messages import _TROUBLE
    return db.session.scalar(select(func.count()).where(_TROUBLE))


def _queue_notes(count: int, **params) -> list[str]:
    ids = [mail.queue("test.note", f"p{n}@example.org", {"to": f"p{n}@example.org", "n": n,
                                                          **params}) for n in range(count)]
    commit()
    return ids


# --- stored with the change, or not at all ----------------------------------------

def test_a_message_exists_only_if_the_change_that_queued_it_was_committed(app_factory):
    app = app_factory(DELIVERY="worker")
    with app.app_context():
        try:
            with write():
                mail.queue("test.note", "a@example.org", {"to": "a@example.org", "n": 1})
                raise RuntimeError("the change fails after queueing its mail")
        except RuntimeError:
            pass
        assert _rows() == []
        _queue_notes(1)
        assert [r.status for r in _rows()] == ["queued"]
        assert delivery.drain() == 1
        assert [m["Subject"] for m in outbox(app)] == ["Note 0"]


def test_the_page_answers_at_once_and_the_mail_goes_out_after_the_commit(app_factory):
    app = app_factory(DELIVERY="worker")
    with app.app_context():
        client = app.test_client()
        signup(client)
        event = make_event(client, capacity="5")
        response = rsvp(app.test_client(), event, "Ben", "ben@example.org")
        assert response.status_code == 201
        assert outbox(app) == []  # nothing was built in the request
        [row] = [r for r in _rows() if r.kind == "rsvp.notice"]
        assert row.status == "queued" and row.recipient == "ben@example.org"
        assert delivery.drain() == 1
        [message] = outbox(app)
        assert message["Subject"].startswith("You're going") and message["Message-ID"] == row.message_id


# --- the mail server down, refusing, or slow ----------------------------------------

def test_smtp_down_during_an_rsvp_still_answers_with_the_link_and_mails_it_once_back(
        app_factory):
    port = _free_port()
    app = app_factory(SMTP_URL=f"smtp://127.0.0.1:{port}")
    with app.app_context():
        client = app.test_client()
        signup(client)
        event = make_event(client, capacity="5")
        response = rsvp(app.test_client(), event, "Ben Guest", "ben@example.org")
        assert response.status_code == 201
        page = response.get_data(as_text=True)
        link = re.search(r"http://organizer\.test/rsvp/[\w-]+", page)
        assert link, "the confirmation page shows the private link"
        [row] = [r for r in _rows() if r.kind == "rsvp.notice"]
        assert row.status == "queued" and row.attempts == 1
        assert "could not be reached (connection refused)" in row.last_error
        assert row.next_attempt_at > utcnow() + timedelta(seconds=50)
        # The host sees who is waiting for mail, and why.
        mail_page = client.get(f"/events/{event.id}/mail").get_data(as_text=True)
        assert "ben@example.org" in mail_page and "connection refused" in mail_page
        with SMTPServer(port) as server:
            assert delivery.run_pass(now=_later())["sent"] == 1
            assert delivery.run_pass(now=_later(60))["claimed"] == 0
        assert server.message_ids() == [row.message_id]
        received = email.message_from_bytes(server.messages[0]["data"], policy=policy.default)
        assert link.group(0) in received.get_body(preferencelist=("plain",)).get_content()
        assert _rows()[0].status == "sent"


def test_an_unreachable_server_costs_one_try_per_pass_not_one_per_message(app_factory):
    app = app_factory(DELIVERY="worker", SMTP_URL=f"smtp://127.0.0.1:{_free_port()}")
    with app.app_context():
        _queue_notes(5)
        counts = delivery.run_pass()
        assert counts == {"sent": 0, "retry": 5, "failed": 0, "dropped": 0, "taken": 0,
                          "claimed": 5}
        rows = _rows()
        # Only the first was tried; the others kept their place and wait as well.
        assert [r.attempts for r in rows] == [1, 0, 0, 0, 0]
        assert all(r.status == "queued" and r.next_attempt_at > utcnow() for r in rows)
        # The host sees all five waiting, and why.
        assert mail_trouble() == 5


def test_a_refused_address_fails_at_once_with_the_servers_reason_and_others_still_go(
        app_factory):
    with SMTPServer() as server:
        server.refuse["p1@example.org"] = "550 5.1.1 No such user here"
        server.refuse["p2@example.org"] = "451 4.3.0 Mailbox busy, try later"
        app = app_factory(DELIVERY="worker", SMTP_URL=server.url)
        with app.app_context():
            _queue_notes(3)
            assert delivery.drain() == 3
            p0, p1, p2 = _rows()
            assert p0.status == "sent"
            assert p1.status == "failed" and "550 5.1.1 No such user here" in p1.last_error
            assert p2.status == "queued" and "try again later" in p2.last_error
            del server.refuse["p2@example.org"]
            assert delivery.run_pass(now=_later())["sent"] == 1
        assert sorted(to for to, _ in server.subjects_to()) == ["p0@example.org",
                                                                 "p2@example.org"]


def test_retries_pause_longer_each_time_and_give_up_after_two_days(app_factory):
    app = app_factory(DELIVERY="worker", SMTP_URL=f"smtp://127.0.0.1:{_free_port()}")
    with app.app_context():
        _queue_notes(1)
        pauses = []
        for _ in range(4):
            delivery.run_pass(now=_later(24 * 60))
            row = _rows()[0]
            pauses.append((row.next_attempt_at - utcnow()).total_seconds())
        assert pauses[0] == pytest.approx(60, rel=0.2)
        assert pauses == sorted(pauses) and pauses[3] >= 1700
        # Queued 47 hours ago: the next pause would pass two days, so it stops here.
        db.session.execute(update(OutboxMessage).values(
            tries_from=utcnow() - timedelta(hours=47)))
        db.session.commit()
        delivery.run_pass(now=_later(24 * 60))
        row = _rows()[0]
        assert row.status == "failed" and row.last_error.startswith("Gave up after 5 attempts")


def test_a_message_no_longer_wanted_is_dropped_with_the_reason(app_factory):
    app = app_factory(DELIVERY="worker")
    with app.app_context():
        _queue_notes(1, skip=True)
        assert delivery.run_pass()["dropped"] == 1
        [row] = _rows()
        assert row.status == "dropped" and row.last_error == "Nobody needs this any more."
        assert outbox(app) == []


def test_a_message_that_cannot_be_built_is_retried_and_says_so_without_details(
        app_factory, caplog):
    app = app_factory(DELIVERY="worker")
    with app.app_context():
        _queue_notes(1, broken=True)
        assert delivery.run_pass()["retry"] == 1
        [row] = _rows()
        assert row.status == "queued" and "could not be prepared" in row.last_error
        assert "/srv" not in row.last_error and "SELECT" not in row.last_error
        assert "exploded" in caplog.text  # the details are in the log


# --- deliverers that die, or run side by side -----------------------------------------

def test_a_message_whose_deliverer_died_is_sent_again_after_its_lease_with_the_same_id(
        app_factory):
    app = app_factory(DELIVERY="worker", DELIVERY_LEASE_SECONDS=60)
    with app.app_context():
        [message_id] = _queue_notes(1)
        token, claimed = delivery.claim(utcnow())  # a deliverer takes it ... and dies
        assert [c.message_id for c in claimed] == [message_id]
        assert delivery.run_pass()["claimed"] == 0  # its lease still holds
        assert delivery.run_pass(now=_later(2))["sent"] == 1
        [message] = outbox(app)
        assert message["Message-ID"] == message_id


def _deliver_concurrently(app, rounds: int = 3) -> None:
    barrier = threading.Barrier(2)

    def work():
        with app.app_context():
            barrier.wait()
            try:
                for _ in range(rounds):
                    delivery.drain()
            finally:
                db.session.remove()
                transport.forget()  # this thread's kept SMTP connection ends with it

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_two_deliverers_at_once_send_each_message_once(app_factory):
    with SMTPServer() as server:
        app = app_factory(DELIVERY="worker", SMTP_URL=server.url)
        with app.app_context():
            ids = _queue_notes(40)
            _deliver_concurrently(app)
            rows = _rows()
            assert sorted(server.message_ids()) == sorted(ids), [
                (r.id, r.status, r.attempts, r.last_error, server.message_ids().count(r.message_id))
                for r in rows if r.status != "sent" or server.message_ids().count(r.message_id) != 1]
            assert {r.status for r in _rows()} == {"sent"}


def test_control_deliverers_that_do_not_claim_send_messages_twice(app_factory, monkeypatch):
    # The same two deliverers, but claiming without marking the messages as
    # taken, and sending without looking whether they still hold them: the
    # test above would see the doubles this makes.
    real_claim = delivery.claim
    both_looked = threading.Barrier(2)
    one_look_at_a_time = threading.Lock()
    looked = threading.local()

    def look_only(now, limit=delivery.BATCH, message_ids=None):
        first = not getattr(looked, "once", False)
        looked.once = True
        # The first looks take turns, each leaving the messages as it found them,
        # so the second deliverer finds the very messages the first holds ...
        with one_look_at_a_time if first else contextlib.nullcontext():
            token, found = real_claim(now, limit, message_ids)
            with write():
                db.session.execute(update(OutboxMessage).where(
                    OutboxMessage.id.in_([m.id for m in found])).values(status="queued",
                                                                        claim=token))
        if first:
            # ... and neither sends before both have looked, however slow the machine.
            both_looked.wait(timeout=60)
        return token, found

    with SMTPServer() as server:
        app = app_factory(DELIVERY="worker", SMTP_URL=server.url)
        with app.app_context():
            _queue_notes(40)
            monkeypatch.setattr(delivery, "claim", look_only)
            monkeypatch.setattr(delivery, "_still_ours", lambda message, token: True)
            _deliver_concurrently(app, rounds=1)
            ids = server.message_ids()
            assert len(ids) > len(set(ids)), "the control should have sent doubles"


# --- links from BASE_URL only ---------------------------------------------------------

def test_a_forged_host_header_cannot_change_a_mailed_reset_link(app, client):
    signup(client)
    forged = app.test_client()
    evil = {"Host": "evil.example"}
    response = forged.post("/reset", headers=evil, data={
        "csrf_token": _token(forged, headers=evil), "email": "ana@example.org"})
    assert response.status_code == 302
    [message] = [m for m in outbox(app) if "Reset" in m["Subject"]]
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "http://organizer.test/reset/" in body and "evil.example" not in body


def test_a_repeated_rsvp_with_a_forged_host_mails_the_link_on_base_url(app, host_client):
    event = make_event(host_client, capacity="5")
    assert rsvp(app.test_client(), event, "Ben", "ben@example.org").status_code == 201
    forged = app.test_client()
    response = forged.post(f"/e/{event.slug}/rsvp", headers={"Host": "evil.example"}, data={
        "csrf_token": _token(forged, headers={"Host": "evil.example"}), "name": "Ben",
        "email": "ben@example.org"})
    assert response.status_code == 409
    again = [m for m in outbox(app) if m["Subject"].startswith("Your RSVP link")]
    body = again[0].get_body(preferencelist=("plain",)).get_content()
    assert "http://organizer.test/rsvp/" in body and "evil.example" not in body
    assert "evil.example" not in response.get_data(as_text=True)


def _token(client, headers=None) -> str:
    html = client.get("/signin", headers=headers or {}).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_retry_now_gives_the_events_failed_mail_two_more_days(app_factory):
    from organizer.models import Event
    app = app_factory(DELIVERY="worker", SMTP_URL=f"smtp://127.0.0.1:{_free_port()}")
    with app.app_context():
        client = app.test_client()
        signup(client)
        event = make_event(client, capacity="5")
        rsvp(app.test_client(), event, "Ben", "ben@example.org")
        db.session.execute(update(OutboxMessage).values(
            tries_from=utcnow() - timedelta(hours=48, seconds=-30)))
        db.session.commit()
        delivery.run_pass()
        assert _rows()[0].status == "failed"
        assert delivery.retry_now(db.session.get(Event, event.id).id) == 1
        row = _rows()[0]
        assert (row.status, row.attempts) == ("queued", 0)
        # The server is still down: the mail waits a minute for its next try.
        delivery.run_pass()
        row = _rows()[0]
        assert (row.status, row.attempts) == ("queued", 1)
        assert (row.next_attempt_at - utcnow()).total_seconds() < 120


def test_mail_nothing_here_can_write_fails_at_once_and_says_why(app_factory):
    app = app_factory(DELIVERY="worker")
    with app.app_context():
        mail.queue("gone.plugin", "a@example.org", {"x": 1})
        commit()
        assert delivery.run_pass()["failed"] == 1
        [row] = _rows()
        assert row.status == "failed" and "not installed or is blocked" in row.last_error


@mail.renderer("test.slow")
def _slow(params):
    # The first build of this message takes so long that another deliverer
    # takes it over meanwhile (its claim has run out) and sends it.
    if not _SLOW["done"]:
        _SLOW["done"] = True
        app = _SLOW["app"]
        other = threading.Thread(target=_take_over, args=(app,))
        other.start()
        other.join()
    return mail.Message(to="slow@example.org", subject="Slow", text="Hello")


_SLOW = {"done": False, "app": None}


def _take_over(app):
    with app.app_context():
        try:
            delivery.run_pass(now=_later(10))
        finally:
            db.session.remove()
            transport.forget()


@pytest.mark.parametrize("checked", [True, False], ids=["checked", "control"])
def test_a_message_taken_over_by_another_deliverer_is_not_sent_twice(
        app_factory, monkeypatch, checked):
    with SMTPServer() as server:
        app = app_factory(DELIVERY="worker", SMTP_URL=server.url, DELIVERY_LEASE_SECONDS=60)
        _SLOW.update(done=False, app=app)
        if not checked:  # the control: a deliverer that does not look before it sends
            monkeypatch.setattr(delivery, "_still_ours", lambda message, token: True)
        with app.app_context():
            [message_id] = [mail.queue("test.slow", "slow@example.org", {})]
            commit()
            delivery.run_pass()
        sent = server.message_ids()
    assert sent.count(message_id) == (1 if checked else 2)


def test_the_mail_page_refuses_odd_message_ids_and_other_hosts(app, host_client):
    from .conftest import post
    event = make_event(host_client, capacity="5")
    for odd in ("²", "9" * 30, "-1", "x"):
        response = post(host_client, f"/events/{event.id}/mail/retry", {"message": odd},
                        page=f"/events/{event.id}/mail")
        assert response.status_code == 400, odd
    other = app.test_client()
    signup(other, name="Mallory", email="mallory@example.org")
    assert other.get(f"/events/{event.id}/mail").status_code == 403
    response = post(other, f"/events/{event.id}/mail/retry", page="/dashboard")
    assert response.status_code == 403
