"""A host deletes their account: a background job with progress takes every event they own
and what hangs off it, leaves other hosts' guest lists alone, and leaves nothing behind."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import func, insert, select

from organizer import auth
from organizer.db import db
from organizer.models import Attendee, Erasure, Event, Host, Job, Series, utcnow

from .community import seed
from .conftest import post, signin
from .test_privacy import _everything_about, _mentions

PASSPHRASE = "a community passphrase"


def _rows_of_events(event_ids: list[int]) -> dict[str, int]:
    """Rows of every table with an ``event_id`` column that point at these events."""
    found = {}
    inspector = sa.inspect(db.engine)
    for table in inspector.get_table_names():
        if "event_id" in {c["name"] for c in inspector.get_columns(table)}:
            count = db.session.scalar(select(func.count()).select_from(sa.table(table)).where(
                sa.column("event_id").in_(event_ids)))
            if count:
                found[table] = count
    return found


def test_a_host_deletes_their_account_and_every_event_of_it(app, tmp_path):
    with app.app_context():
        community = seed(dates=4, people=40, regulars=10)
        me = community.regular()
        _everything_about(community, me)
        host = db.session.get(Host, community.host_id)
        host_email, host_name = host.email, host.name
        events = list(db.session.scalars(select(Event.id).where(Event.owner_id == host.id)))
        # Someone of theirs is also a guest of another host, who keeps them.
        other = auth.create_host("Other Host", "other@example.org", "another passphrase here",
                                 "Europe/Berlin")
        start = utcnow() - timedelta(days=2)
        elsewhere = Event(owner_id=other.id, title="Other lunch", kind="lunch",
                          timezone="Europe/Berlin", starts_at=start,
                          ends_at=start + timedelta(hours=1), status="published")
        db.session.add(elsewhere)
        db.session.flush()
        elsewhere_id = elsewhere.id
        db.session.add(Attendee(event_id=elsewhere.id, name=community.name(me),
                                email=community.email(me)))
        db.session.commit()
        assert _rows_of_events(events)["attendee"] > 0

    client = app.test_client()
    signin(client, host_email, PASSPHRASE)
    wrong = post(client, "/settings/account/delete", {"email": "someone@example.org"},
                 page="/settings/privacy")
    assert wrong.status_code == 422 and "nothing was deleted" in wrong.text
    response = post(client, "/settings/account/delete", {"email": host_email},
                    page="/settings/privacy")
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]

    with app.app_context():
        job = db.session.scalars(select(Job).where(Job.kind == "host.delete")).one()
        assert job.status == "done", job.error
        assert (job.done, job.total) == (len(events), len(events))
        assert _rows_of_events(events) == {}
        assert db.session.get(Host, community.host_id) is None
        assert db.session.scalar(select(func.count()).select_from(Series)) == 0
        assert _mentions(host_email) == [] and _mentions(host_name) == []
        # The other host's guest is still theirs, by name.
        kept = db.session.scalars(select(Attendee).where(
            Attendee.event_id == elsewhere_id)).one()
        assert kept.name == community.name(me)
        record = db.session.scalars(select(Erasure).where(Erasure.by == "account")).one()
        assert record.events == len(events) and record.host_id is None
    # Signed out: the account no longer exists.
    assert client.get("/dashboard").status_code == 302
    again = post(client, "/signin", {"email": host_email, "password": PASSPHRASE})
    assert again.status_code == 401 and "match an account" in again.text


@pytest.mark.slow
def test_deleting_a_host_with_a_thousand_events_and_fifty_thousand_guests(app):
    with app.app_context():
        host = auth.create_host("Big Host", "big@example.org", PASSPHRASE, "Europe/Berlin")
        host_id = host.id
        start = utcnow() - timedelta(days=400)
        db.session.execute(insert(Event), [{
            "owner_id": host.id, "title": f"Meetup {n}", "kind": "meetup",
            "timezone": "Europe/Berlin", "starts_at": start + timedelta(days=n % 300),
            "ends_at": start + timedelta(days=n % 300, hours=2), "status": "published",
            "uid": f"big-{n}@organizer.test", "slug": f"big{n:05d}"} for n in range(1000)])
        events = list(db.session.scalars(select(Event.id).where(Event.owner_id == host.id)))
        db.session.execute(insert(Attendee), [{
            "event_id": event_id, "name": f"Guest {k}", "email": f"g{k}@example.org",
            "token": f"tok-{event_id}-{k}"} for event_id in events for k in range(50)])
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Attendee)) == 50_000

    client = app.test_client()
    signin(client, "big@example.org", PASSPHRASE)
    began = time.perf_counter()
    response = post(client, "/settings/account/delete", {"email": "big@example.org"},
                    page="/settings/privacy")
    took = time.perf_counter() - began
    assert response.status_code == 302
    with app.app_context():
        job = db.session.scalars(select(Job).where(Job.kind == "host.delete")).one()
        job_id = job.id
        assert job.status == "done", job.error
        assert (job.done, job.total) == (1000, 1000)
        assert _rows_of_events(events) == {}
        assert db.session.scalar(select(func.count()).select_from(Attendee)) == 0
        assert db.session.get(Host, host_id) is None
    print(f"deleted 1,000 events and 50,000 guests in {took:.1f} s (job {job_id})")
