"""The host's community view on a seeded series: new and returning people, connections,
follow-through and the mix of fields per date, counted apart from the app; the people who
connect most; a picture naming only those who chose to be named; CSV and PDF; only the
host's own."""
from __future__ import annotations

import csv
import io
import re

import pytest

from pypdf import PdfReader
from sqlalchemy import select, update

from organizer.db import db
from organizer.models import Attendee

from ..community import seed
from ..conftest import signin, signup


def _host_client(app):
    client = app.test_client()
    signin(client, "host@example.org", "a community passphrase")
    return client


def _expected(community):
    """Each date's numbers, counted from what was seeded."""
    seen, rows = set(), []
    for event_id in community.dates:
        here = community.came[event_id]
        pairs = {frozenset(p) for p in community.pairs[event_id]}
        pairs |= {frozenset((a, b)) for a, b, status in community.intros[event_id]
                  if status == "accepted"}
        pairs = {p for p in pairs if p <= here}
        fields = [community.people[a][3] != community.people[b][3] for a, b in map(tuple, pairs)]
        rows.append({"came": len(here), "new": len(here - seen), "returning": len(here & seen),
                     "connections": len(pairs), "cross": sum(fields)})
        seen |= here
    return rows


def test_the_view_counts_each_date_as_the_community_was_seeded(app):
    community = seed()
    from organizer_plugins.followup import community as view_mod
    from organizer.models import Event
    events = list(db.session.scalars(select(Event).where(Event.id.in_(community.dates))
                                     .order_by(Event.starts_at)))
    view = view_mod.build(events)
    expected = _expected(community)
    assert [(r.came, r.new, r.returning, r.connections, r.cross_field) for r in view.rows] == [
        (e["came"], e["new"], e["returning"], e["connections"], e["cross"]) for e in expected]
    assert view.people == len({n for e in community.dates for n in community.came[e]})
    # Regulars come back: most people at a later date have been before.
    assert view.rows[-1].returning > view.rows[-1].new

    # The page says the same, with the connectors first met most.
    page = _host_client(app).get(f"/community?series={community.series_id}")
    assert page.status_code == 200
    top = view.connectors[0]
    assert f"<strong>{top.name}</strong> — met {top.people} people" in page.text
    assert top.people == max(len(community.met(n)) for n in community.people)


def test_follow_through_counts_pairs_where_either_reached_out(app):
    community = seed(dates=4, people=80, regulars=30)
    from organizer_plugins.followup import contacts, people
    last = community.dates[-1]
    pairs = [p for p in community.pairs[last] if set(p) <= community.came[last]]
    assert len(pairs) >= 4
    for a, b in pairs[:2]:
        contacts.save(people.ensure(community.email(a)), community.email(b), "reached", None, "")
    # "Remind me" or "not now" is not following through.
    a, b = pairs[2]
    contacts.save(people.ensure(community.email(b)), community.email(a), "not_now", None, "")
    from organizer_plugins.followup import community as view_mod
    from organizer.models import Event
    events = list(db.session.scalars(select(Event).where(Event.id.in_(community.dates))
                                     .order_by(Event.starts_at)))
    view = view_mod.build(events)
    assert view.rows[-1].followed == 2
    assert view.follow_through == pytest.approx(
        sum(r.followed for r in view.rows) / sum(r.connections for r in view.rows))


def test_the_picture_names_only_people_who_chose_to_be_named(app):
    community = seed(dates=6, people=60, regulars=20)
    regular = community.regular()
    other = next(n for n in sorted(community.met(regular)))
    db.session.execute(update(Attendee).where(Attendee.email == community.email(regular))
                       .values(listed=True))
    db.session.commit()
    html = _host_client(app).get(f"/community?series={community.series_id}").text
    svg = html[html.index("<svg"):html.index("</svg>")]
    assert f"<title>{community.name(regular)}</title>" in svg
    assert community.name(other) not in svg and "<title>A guest</title>" in svg
    assert svg.count("<line") >= len(community.met(regular))


def test_csv_and_pdf_exports(app):
    community = seed(dates=5, people=50, regulars=20)
    client = _host_client(app)
    response = client.get(f"/community.csv?series={community.series_id}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [int(r["came"]) for r in rows] == [len(community.came[e]) for e in community.dates]
    pdf = client.get(f"/community.pdf?series={community.series_id}")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Community report" in text and "Fortnightly coffee" in text
    assert "Date by date" in text


def test_only_the_host_sees_their_community(app):
    community = seed(dates=2, people=20, regulars=10)
    assert app.test_client().get("/community").status_code == 302  # sign in first
    stranger = app.test_client()
    signup(stranger, "Other Host", "other@example.org")
    assert stranger.get(f"/community?series={community.series_id}").status_code == 404
    assert stranger.get("/community?series=abc").status_code == 404
    mine = stranger.get("/community")
    assert mine.status_code == 200 and "No dates have taken place yet" in mine.text
    dashboard = _host_client(app).get("/dashboard").text
    assert re.search(r'href="/community">Your community', dashboard)
