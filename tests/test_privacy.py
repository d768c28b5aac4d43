"""People's data: an attendee downloads everything kept about them and erases it; after an
erasure no text column of any table names them, the host's counts stay, and nobody's
network shows them."""
from __future__ import annotations

import json
import re
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy import func, select

from organizer import privacy
from organizer.db import db
from organizer.models import (ApiToken, Attendee, Erasure, Event, Host, IdempotentRequest,
                              OutboxMessage, utcnow)

from .community import seed
from .conftest import csrf_token, post, signin


def _everything_about(community, person: int) -> list[int]:
    """Give the seeded ``person`` a row in every plugin's tables, as using the product
    would: answers, a +1, a hold on the series, a post, introductions with messages,
    a check-in, a ticket, a network with notes (and others' notes about them), a
    warning on a matching run that names them, and mail."""
    from organizer_plugins.badges.models import CheckIn, Ticket
    from organizer_plugins.followup.models import Contact, Delivery, Person
    from organizer_plugins.matching.models import BoardPost, IntroRequest, Run
    from organizer_plugins.rsvp.models import RsvpQuestion, RsvpRegistration, SeriesHold

    name, email = community.name(person), community.email(person)
    rows = db.session.scalars(select(Attendee).where(Attendee.email == email)
                              .order_by(Attendee.id)).all()
    first, last = rows[0], rows[-1]
    question = RsvpQuestion(event_id=first.event_id, label="Dietary needs", kind="text")
    db.session.add(question)
    db.session.flush()
    db.session.add(RsvpRegistration(attendee_id=first.id, event_id=first.event_id,
                                    answers={str(question.id): f"{name} eats no nuts"},
                                    guest_name=f"Partner of {name}"))
    db.session.add(SeriesHold(series_id=community.series_id, email=email, name=name,
                              organisation="Their org"))
    db.session.add(BoardPost(event_id=last.event_id, attendee_id=last.id, kind="ask",
                             text=f"{name} looks for a mentor"))
    other = db.session.scalars(select(Attendee).where(
        Attendee.event_id == last.event_id, Attendee.id != last.id)).first()
    db.session.add(IntroRequest(event_id=last.event_id, from_id=other.id, to_id=last.id,
                                message=f"Hi {name}, {email} told me to write", status="pending"))
    db.session.add(Ticket(attendee_id=last.id, event_id=last.event_id, secret="t" * 32))
    db.session.add(CheckIn(attendee_id=last.id, event_id=last.event_id, at=utcnow()))
    db.session.add(Delivery(attendee_id=first.id, event_id=first.event_id))
    db.session.add(Run(event_id=last.event_id, status="draft", mode="pairs", rounds=[],
                       warnings=[f"With an odd number of people, {name} sits with two."]))
    me, them = Person(email=email), Person(email=other.email)
    db.session.add_all([me, them])
    db.session.flush()
    db.session.add(Contact(person_id=me.id, other_id=them.id, note="Call about the grant"))
    db.session.add(Contact(person_id=them.id, other_id=me.id, note=f"{name} knows funders",
                           state="reached"))
    # What the API and webhooks said about them, kept as bytes.
    about = json.dumps({"name": name, "email": email}, ensure_ascii=False).encode()
    db.session.add(OutboxMessage(message_id=f"wh-{person}", kind="webhook", params={},
                                 recipient="https://hooks.example.org/in", subject="attendee",
                                 payload=about, status="sent"))
    host = db.session.get(Host, community.host_id)
    api_token = ApiToken(host_id=host.id, name="CRM", scope="write", token_hash="h" * 64,
                         prefix="org_abc")
    db.session.add(api_token)
    db.session.flush()
    db.session.add(IdempotentRequest(token_id=api_token.id, key="k1", fingerprint="f" * 64,
                                     status_code=201, body=about,
                                     content_type="application/json"))
    db.session.add(OutboxMessage(message_id=f"<m-{person}@organizer.test>", kind="rsvp.ticket",
                                 recipient=email, subject=f"{name}, your ticket",
                                 params={"attendee_id": first.id}, attendee_id=first.id,
                                 event_id=first.event_id, status="queued"))
    db.session.commit()
    return [a.id for a in rows]


def _people_in_series(series_id: int) -> int:
    """How many people came to the series, as the host's community view counts them."""
    return db.session.scalar(select(func.count(func.distinct(Attendee.email))).join(
        Event, Event.id == Attendee.event_id).where(Event.series_id == series_id))


def _profiles_of(ids: list[int]) -> int:
    from organizer_plugins.matching.models import Profile

    return db.session.scalar(select(func.count()).select_from(Profile).where(
        Profile.attendee_id.in_(ids)))


def _a_partner(ids: list[int]) -> int:
    """Someone matched with one of the guest-list rows ``ids`` in a published run."""
    from organizer_plugins.matching.models import Match, Run

    mine = db.session.execute(select(Match.run_id, Match.round, Match.group_no).join(
        Run, Run.id == Match.run_id).where(Match.attendee_id.in_(ids),
                                            Run.status == "published")).first()
    return db.session.scalar(select(Match.attendee_id).where(
        Match.run_id == mine.run_id, Match.round == mine.round,
        Match.group_no == mine.group_no, Match.attendee_id.not_in(ids)))


def _matched_with(attendee_id: int) -> set[int]:
    from organizer_plugins.matching import runs

    return {other.id for _, others in runs.matches_of(db.session.get(Attendee, attendee_id))
            for other in others}


def _columns(words) -> list[tuple[str, str]]:
    found = []
    inspector = sa.inspect(db.engine)
    for table in inspector.get_table_names():
        for column in inspector.get_columns(table):
            if any(word in str(column["type"]).upper() for word in words):
                found.append((table, column["name"]))
    return found


def _mentions(needle: str) -> list[str]:
    """Every table.column that holds ``needle``: text in any case, and bytes."""
    found = []
    for table, column in _columns(("CHAR", "TEXT", "JSON", "STRING", "CLOB")):
        value = sa.cast(sa.column(column), sa.Text)
        if db.session.execute(select(func.count()).select_from(sa.table(table)).where(
                func.lower(value).contains(needle.lower()))).scalar():
            found.append(f"{table}.{column}")
    for table, column in _columns(("BLOB", "BYTEA", "BINARY")):
        if db.session.execute(select(func.count()).select_from(sa.table(table)).where(
                privacy._holds(sa.column(column, sa.LargeBinary), needle.encode()))).scalar():
            found.append(f"{table}.{column}")
    return found


def _going_per_event(event_ids) -> dict[int, int]:
    return dict(db.session.execute(select(Attendee.event_id, func.count()).where(
        Attendee.event_id.in_(event_ids), Attendee.status == "going")
        .group_by(Attendee.event_id)).all())


def test_an_erased_attendee_is_named_nowhere_and_the_counts_stay(app):
    from organizer_plugins.followup import network
    from organizer_plugins.followup.models import Person

    with app.app_context():
        community = seed(dates=6, people=60, regulars=15)
        me = community.regular()
        name, email = community.name(me), community.email(me)
        ids = _everything_about(community, me)
        events = sorted({a.event_id for a in db.session.scalars(
            select(Attendee).where(Attendee.id.in_(ids)))})
        going = _going_per_event(events)
        # A person they met, whose network names them now.
        friend = next(iter(community.met(me)))
        friend_person = Person(email=community.email(friend))
        db.session.add(friend_person)
        db.session.commit()
        assert name in {e.name for e in network.of(friend_person)}
        assert _mentions(email) and _mentions(name)  # the scan sees them before
        partner = _a_partner(ids)
        assert _matched_with(partner) & set(ids)  # their partner's page shows them
        token = db.session.get(Attendee, ids[0]).token
        people_before = _people_in_series(community.series_id)
        # A copy of a mail to them in the outbox folder (where mail goes without SMTP).
        from organizer import delivery, transport
        sent = db.session.scalar(select(OutboxMessage).where(
            OutboxMessage.message_id == f"<m-{me}@organizer.test>"))
        copy = transport.write_file(f"To: {email}\r\n\r\nHello {name}".encode(),
                                    delivery._file_name(sent))
        profiles_before = _profiles_of(ids)
        with app.test_request_context():
            from organizer_plugins.followup import people
            network_link = people.network_url(db.session.get(Attendee, ids[-1]))

    client = app.test_client()
    page = client.get(f"/rsvp/{token}/data")
    assert page.status_code == 200 and "Erase me" in page.text
    # Without the box ticked nothing happens, and the person is told why.
    refused = client.post(f"/rsvp/{token}/erase",
                          data={"csrf_token": csrf_token(client, f"/rsvp/{token}/data")})
    assert refused.status_code == 422 and "nothing was erased" in refused.text
    # No CSRF token, no erasure.
    assert client.post(f"/rsvp/{token}/erase", data={"confirm": "yes"}).status_code == 400
    done = client.post(f"/rsvp/{token}/erase", data={
        "confirm": "yes", "csrf_token": csrf_token(client, f"/rsvp/{token}/data")})
    assert done.status_code == 200 and "Your data is erased" in done.text
    assert f"{len(ids)} guest lists" in done.text

    with app.app_context():
        assert _mentions(email) == []
        assert _mentions(name) == []
        assert _going_per_event(events) == going  # the host's counts stay right
        assert db.session.scalar(select(func.count()).select_from(Attendee)
                                 .where(Attendee.id.in_(ids))) == len(ids)
        friend_person = db.session.scalar(select(Person).where(
            Person.email == community.email(friend)))
        assert privacy.ERASED_NAME not in {e.name for e in network.of(friend_person)}
        assert not _matched_with(partner) & set(ids)  # and no longer does
        mail = db.session.scalar(select(OutboxMessage).where(
            OutboxMessage.message_id == f"<m-{me}@organizer.test>"))
        assert mail.status == "dropped"  # never sent to someone who left
        record = db.session.scalars(select(Erasure)).one()
        assert (record.by, record.attendees, record.events) == ("attendee", len(ids),
                                                                len(events))
        assert not copy.exists()
        # The host's figures: as many people over the series, as many profiles.
        assert _people_in_series(community.series_id) == people_before
        assert _profiles_of(ids) == profiles_before
    # Their private links are gone, the network's too, and opening it makes nobody anew.
    assert client.get(f"/rsvp/{token}").status_code == 404
    assert client.get(f"/rsvp/{token}/data.json").status_code == 404
    assert client.get(network_link.removeprefix("http://organizer.test")).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Person).where(
            Person.email.like(f"%@{privacy.ERASED_DOMAIN}"))) == 0


# Where the export shows what each table keeps about a person; a new table that holds
# rows about attendees must be added here and to the export, or this test fails.
EXPORTED = {"attendee": "guest lists", "outbox_message": "mail",
            "rsvp_registration": "RSVP answers", "matching_profile": "Matching profiles",
            "matching_board_post": "Asks and offers", "matching_intro": "Introductions",
            "matching_match": "Matches", "badges_ticket": "Tickets",
            "badges_checkin": "Check-ins", "followup_delivery": "Follow-ups"}
# Tables that point at a guest-list row but keep nothing about the person beyond that
# a mail was sent (the mail itself is exported).
NOTHING_TO_SAY = {"matching_nudge"}


def test_the_export_holds_every_row_the_database_keeps_about_them(app):
    with app.app_context():
        community = seed(dates=6, people=60, regulars=15)
        me = community.regular()
        ids = _everything_about(community, me)
        token = db.session.get(Attendee, ids[0]).token

    response = app.test_client().get(f"/rsvp/{token}/data.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    data = json.loads(response.text)

    with app.app_context():
        inspector = sa.inspect(db.engine)
        for table in inspector.get_table_names():
            for key in inspector.get_foreign_keys(table):
                if key["referred_table"] != "attendee" or table in NOTHING_TO_SAY:
                    continue
                column = key["constrained_columns"][0]
                rows = db.session.execute(select(func.count()).select_from(sa.table(table))
                                          .where(sa.column(column).in_(ids))).scalar()
                if not rows:
                    continue
                assert table in EXPORTED, f"{table} keeps rows about attendees: export them"
                assert len(data[EXPORTED[table]]) >= 1, table
                if table in ("rsvp_registration", "matching_board_post", "badges_checkin"):
                    assert len(data[EXPORTED[table]]) == rows, table
        assert len(data["guest lists"]) == len(ids)
        assert data["email"] == community.email(me)
    # Consents and notes with their dates; the address of nobody else.
    profile = data["Matching profiles"][0]
    assert "shared with matches (consent)" in profile and profile["last changed"]
    assert data["Your notes on people you met"][0]["note"] == "Call about the grant"
    assert data["Seats held for every date of a series"][0]["name"] == community.name(me)
    assert "Dietary needs" in data["RSVP answers"][0]["answers"]
    others = set(re.findall(r"p\d{3}@example\.org", response.text)) - {community.email(me)}
    assert others == set(), others


def _another_hosts_event(email: str, name: str) -> int:
    """A second host's event with the same person on its guest list."""
    from organizer import auth
    from organizer.models import Event

    other = auth.create_host("Other Host", "other@example.org", "another passphrase here",
                             "Europe/Berlin")
    start = utcnow() - timedelta(days=3)
    event = Event(owner_id=other.id, title="Other lunch", kind="lunch", timezone="Europe/Berlin",
                  starts_at=start, ends_at=start + timedelta(hours=1), status="published",
                  published_at=start - timedelta(days=7))
    db.session.add(event)
    db.session.flush()
    db.session.add(Attendee(event_id=event.id, name=name, email=email))
    db.session.commit()
    return event.id


def test_a_host_exports_and_erases_a_guest_on_request_across_their_events_only(app):
    with app.app_context():
        community = seed(dates=6, people=60, regulars=15)
        me = community.regular()
        name, email = community.name(me), community.email(me)
        ids = _everything_about(community, me)
        elsewhere = _another_hosts_event(email, name)
        event_id = db.session.get(Attendee, ids[-1]).event_id
        # Mail another host's event sent them: neither exported nor touched by this host.
        db.session.add(OutboxMessage(message_id="<other-host@organizer.test>", kind="rsvp.ticket",
                                     recipient=email, subject="Your seat at the board meeting",
                                     params={}, event_id=elsewhere, status="queued"))
        db.session.commit()
    base = f"/events/{event_id}/guests/{ids[-1]}"

    stranger = app.test_client()
    signin(stranger, "other@example.org", "another passphrase here")
    for url in (f"{base}/data", f"{base}/data.json"):
        assert stranger.get(url).status_code == 403
    assert post(stranger, f"{base}/erase", {"confirm": "yes"}, page="/dashboard")\
        .status_code == 403

    host = app.test_client()
    signin(host, "host@example.org", "a community passphrase")
    page = host.get(f"{base}/data")
    assert page.status_code == 200 and email in page.text
    data = json.loads(host.get(f"{base}/data.json").text)
    assert len(data["guest lists"]) == len(ids)  # their events only
    assert "Other lunch" not in json.dumps(data)
    assert "board meeting" not in json.dumps(data)
    assert "Your notes on people you met" not in data  # the person's own, not the host's

    refused = post(host, f"{base}/erase", {}, page=f"{base}/data")
    assert refused.status_code == 422 and "nothing was erased" in refused.text
    done = post(host, f"{base}/erase", {"confirm": "yes"}, page=f"{base}/data",
                follow_redirects=True)
    assert done.status_code == 200 and f"{len(ids)} guest lists of your events" in done.text

    with app.app_context():
        assert [a.name for a in db.session.scalars(
            select(Attendee).where(Attendee.id.in_(ids)))] == [privacy.ERASED_NAME] * len(ids)
        kept = db.session.scalars(select(Attendee).where(Attendee.event_id == elsewhere)).one()
        assert (kept.name, kept.email) == (name, email)  # another host's guest list is theirs
        theirs = db.session.scalar(select(OutboxMessage).where(
            OutboxMessage.message_id == "<other-host@organizer.test>"))
        assert (theirs.recipient, theirs.status) == (email, "queued")
        record = db.session.scalars(select(Erasure)).one()
        assert record.by == "host" and record.attendees == len(ids)
    assert "This guest's data was erased" in host.get(f"{base}/data").text


def test_a_hosts_retention_period_anonymises_guests_of_old_events_once_by_tick(app):
    with app.app_context():
        community = seed(dates=6, people=60, regulars=15)
        oldest = db.session.get(Event, community.dates[0])
        newest = db.session.get(Event, community.dates[-1])
        old_names = set(db.session.scalars(select(Attendee.name).where(
            Attendee.event_id == oldest.id)))
        new_names = set(db.session.scalars(select(Attendee.name).where(
            Attendee.event_id == newest.id)))
        going = _going_per_event([oldest.id])
        # A regular of both dates holds a seat for the series and has mail on its way.
        from organizer_plugins.rsvp.models import SeriesHold
        regular = next(a for a in db.session.scalars(select(Attendee).where(
            Attendee.event_id == oldest.id)) if a.email in set(db.session.scalars(
                select(Attendee.email).where(Attendee.event_id == newest.id))))
        db.session.add(SeriesHold(series_id=community.series_id, email=regular.email,
                                  name=regular.name))
        db.session.add(OutboxMessage(message_id="<next-date@organizer.test>", kind="rsvp.ticket",
                                     recipient=regular.email, subject="See you next time",
                                     params={}, event_id=newest.id, status="queued"))
        db.session.commit()
        regular_email = regular.email
        # A moment after the oldest date passed twelve months, before the newest did.
        moment = oldest.ends_at + timedelta(days=366)
        assert moment < newest.ends_at + timedelta(days=365)

    host = app.test_client()
    signin(host, "host@example.org", "a community passphrase")
    for wrong in ("5", "²", ""):
        refused = post(host, "/settings/privacy", {"retention": wrong}, page="/settings/privacy")
        assert refused.status_code == 422 and "Choose how long" in refused.text, wrong
    saved = post(host, "/settings/privacy", {"retention": "12"}, page="/settings/privacy",
                 follow_redirects=True)
    assert "anonymised 12 months after each event" in saved.text

    runner = app.test_cli_runner()
    first = runner.invoke(args=["tick", "--now", moment.strftime("%Y-%m-%dT%H:%M")])
    assert first.exit_code == 0, first.output
    again = runner.invoke(args=["tick", "--now", moment.strftime("%Y-%m-%dT%H:%M")])
    assert again.exit_code == 0, again.output
    with app.app_context():
        names = set(db.session.scalars(select(Attendee.name).where(
            Attendee.event_id == oldest.id)))
        assert names == {privacy.ERASED_NAME}
        assert _going_per_event([oldest.id]) == going
        # The people of the oldest date keep their rows elsewhere; the newest date is intact.
        assert set(db.session.scalars(select(Attendee.name).where(
            Attendee.event_id == newest.id))) == new_names
        records = db.session.scalars(select(Erasure)).all()
        assert {r.by for r in records} == {"retention"}
        assert len(records) == len(old_names)  # once each, though the tick ran twice
        # What still serves them at later dates stays: their hold, their next mail.
        assert db.session.scalar(select(func.count()).select_from(SeriesHold).where(
            SeriesHold.email == regular_email)) == 1
        upcoming = db.session.scalar(select(OutboxMessage).where(
            OutboxMessage.message_id == "<next-date@organizer.test>"))
        # (The tick tried to send it: whatever came of that, erasure did not drop it.)
        assert upcoming.recipient == regular_email and upcoming.status != "dropped"


def test_the_export_reads_as_a_pdf_too(app):
    import pypdfium2

    with app.app_context():
        community = seed(dates=4, people=40, regulars=10)
        me = community.regular()
        ids = _everything_about(community, me)
        token = db.session.get(Attendee, ids[0]).token
    response = app.test_client().get(f"/rsvp/{token}/data.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    document = pypdfium2.PdfDocument(response.data)
    text = " ".join(page.get_textpage().get_text_range() for page in document)
    text = " ".join(text.split())
    for expected in (community.email(me), "Dietary needs", "eats no nuts",
                     "Call about the grant", "Matching profiles", "Check-ins",
                     "Seats held for every date of a series"):
        assert expected in text, expected
