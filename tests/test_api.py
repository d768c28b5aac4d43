"""The API's first part: hosts' tokens (shown once, hashed, scoped, revocable at once) and
the events a token's host owns or co-hosts, with the OpenAPI 3.1 document and its docs."""
from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from organizer.db import db
from organizer.models import ApiToken, Event

from .conftest import create_event, post, signin, signup

TOKEN_RE = re.compile(r'value="(org_[A-Za-z0-9_-]+)"')


def make_token(client, name="CRM sync", scope="read") -> str:
    response = post(client, "/settings/api-tokens", {"name": name, "scope": scope},
                    page="/settings/api-tokens")
    assert response.status_code == 201, response.text[:2000]
    assert response.headers["Cache-Control"] == "private, no-store"
    return TOKEN_RE.search(response.text)[1]


def api(client, path, token=None, **kwargs):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(f"/api/v1{path}", headers=headers, **kwargs)


def test_a_token_is_shown_once_stored_hashed_and_listed_with_its_last_use(app, host_client):
    secret = make_token(host_client)
    assert len(secret) >= 40  # "org_" and 256 bits
    [row] = db.session.scalars(select(ApiToken)).all()
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str([row.name, row.prefix, row.token_hash])
    page = host_client.get("/settings/api-tokens").text
    assert secret not in page and f"{row.prefix}…" in page and "never" in page
    assert api(app.test_client(), "/events", secret).status_code == 200
    page = host_client.get("/settings/api-tokens").text
    assert "never" not in page


def test_a_revoked_token_is_refused_at_once(app, host_client):
    secret = make_token(host_client)
    assert api(app.test_client(), "/events", secret).status_code == 200
    row = db.session.scalar(select(ApiToken))
    assert post(host_client, f"/settings/api-tokens/{row.id}/revoke",
                page="/settings/api-tokens").status_code == 302
    refused = api(app.test_client(), "/events", secret)
    assert refused.status_code == 401 and refused.mimetype == "application/problem+json"
    assert "revoked or never existed" in refused.get_json()["detail"]


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer org_not-a-real-token",
                                    "Basic YWRtaW46YWRtaW4=", "Bearer " + "x" * 5000])
def test_requests_without_a_valid_token_get_a_401_sentence(app, header):
    response = app.test_client().get("/api/v1/events",
                                     headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["detail"].endswith(".")


def test_a_token_form_with_mistakes_explains_and_makes_nothing(app, host_client):
    for data, says in (({"name": "", "scope": "read"}, "Give the token a name."),
                       ({"name": "x" * 81, "scope": "read"}, "under 80 characters"),
                       ({"name": "ok", "scope": "admin"}, "Not a valid choice")):
        response = post(host_client, "/settings/api-tokens", data, page="/settings/api-tokens")
        assert response.status_code == 422 and says in response.text
    assert db.session.scalars(select(ApiToken)).all() == []


def test_another_hosts_token_sees_nothing_of_yours(app, host_client):
    event_id = create_event(host_client)
    mine = make_token(host_client)
    other = app.test_client()
    signup(other, name="Bo Other", email="bo@example.org")
    theirs = make_token(other)
    assert [e["id"] for e in api(app.test_client(), "/events", mine).get_json()["items"]] \
        == [event_id]
    assert api(app.test_client(), "/events", theirs).get_json() == {"items": [],
                                                                     "next_cursor": None}
    hidden = api(app.test_client(), f"/events/{event_id}", theirs)
    assert hidden.status_code == 404 and hidden.mimetype == "application/problem+json"
    # Nor can they revoke your token.
    row = db.session.scalar(select(ApiToken).where(ApiToken.name == "CRM sync",
                                                   ApiToken.prefix == mine[:10]))
    assert post(other, f"/settings/api-tokens/{row.id}/revoke",
                page="/settings/api-tokens").status_code == 404
    assert api(app.test_client(), "/events", mine).status_code == 200


def test_a_cohost_sees_the_events_they_cohost(app, host_client):
    event_id = create_event(host_client)
    cohost = app.test_client()
    signup(cohost, name="Cy Cohost", email="cy@example.org")
    signin(host_client)
    assert post(host_client, f"/events/{event_id}/cohosts", {"email": "cy@example.org"},
                page=f"/events/{event_id}").status_code in (302, 303)
    token = make_token(cohost)
    assert api(app.test_client(), f"/events/{event_id}", token).get_json()["id"] == event_id


def test_events_list_pages_filters_and_reads_one(app, host_client):
    ids = [create_event(host_client, title=f"Coffee {n}") for n in range(5)]
    past = db.session.get(Event, ids[0])
    past.starts_at -= timedelta(days=30)
    past.ends_at -= timedelta(days=30)
    db.session.commit()
    token = make_token(host_client)
    client = app.test_client()
    seen, cursor = [], None
    while True:
        page = api(client, "/events", token,
                   query_string={"limit": 2, **({"cursor": cursor} if cursor else {})}).get_json()
        seen += [e["id"] for e in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(ids) and len(seen) == 5 and seen[0] == ids[0]
    upcoming = api(client, "/events", token, query_string={"when": "upcoming"}).get_json()
    assert ids[0] not in [e["id"] for e in upcoming["items"]] and len(upcoming["items"]) == 4
    one = api(client, f"/events/{ids[1]}", token).get_json()
    event = db.session.get(Event, ids[1])
    assert one["title"] == "Coffee 1" and one["status"] == "published"
    assert one["url"] == f"http://organizer.test/e/{event.slug}"
    assert one["ics_url"] == f"http://organizer.test/e/{event.slug}.ics"


@pytest.mark.parametrize("query, says", [
    ({"limit": 0}, "limit"), ({"limit": "lots"}, "limit"), ({"when": "tomorrow"}, "when"),
    ({"kind": "party"}, "kind")])
def test_bad_query_values_get_a_422_naming_the_field(app, host_client, query, says):
    token = make_token(host_client)
    response = api(app.test_client(), "/events", token, query_string=query)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert says in response.get_json()["errors"]["query"]


def test_a_forged_cursor_gets_a_sentence(app, host_client):
    token = make_token(host_client)
    response = api(app.test_client(), "/events", token, query_string={"cursor": "!!nope"})
    assert response.status_code == 400 and "cursor" in response.get_json()["detail"]


def test_a_write_token_publishes_a_draft_once_and_a_read_token_may_not(app, host_client):
    event_id = create_event(host_client, action="draft")
    reader, writer = make_token(host_client), make_token(host_client, "Site", "write")

    def publish(token):
        return app.test_client().post(f"/api/v1/events/{event_id}/publish",
                                      headers={"Authorization": f"Bearer {token}"})

    refused = publish(reader)
    assert refused.status_code == 403 and "only read" in refused.get_json()["detail"]
    assert db.session.get(Event, event_id).status == "draft"
    done = publish(writer)
    assert done.status_code == 200 and done.get_json()["status"] == "published"
    again = publish(writer)
    assert again.status_code == 409 and "not a draft" in again.get_json()["detail"]


def test_the_openapi_document_and_its_docs_come_from_the_app(app):
    client = app.test_client()
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"] == "3.1.0"
    assert {"/api/v1/events", "/api/v1/events/{event_id}"} <= set(spec["paths"])
    assert spec["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
    # Errors are described as they are sent.
    assert set(spec["components"]["responses"]["DEFAULT_ERROR"]["content"]) == {
        "application/problem+json"}
    assert {"type", "title", "status", "detail"} <= set(
        spec["components"]["schemas"]["Problem"]["properties"])
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
    assert sources and all(source.startswith("/") for source in sources)  # nothing from a CDN
    for source in sources:
        with client.get(source) as asset:
            assert asset.status_code == 200 and len(asset.data) > 100, source


def test_an_events_guests_come_page_by_page_with_filters(app, host_client):
    from organizer.attendees import add, check_in
    from organizer.models import utcnow
    event = db.session.get(Event, create_event(host_client, capacity="20"))
    people = [add(event, f"Guest {n}", f"g{n}@example.org",
                  status="waiting" if n >= 5 else "going") for n in range(7)]
    check_in(people[1])
    since = utcnow()
    check_in(people[3])
    token = make_token(host_client)
    client, path = app.test_client(), f"/events/{event.id}/attendees"
    seen, cursor = [], None
    while True:
        page = api(client, path, token, query_string={"limit": 3, **(
            {"cursor": cursor} if cursor else {})}).get_json()
        seen += [p["id"] for p in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert seen == [p.id for p in people]
    waiting = api(client, path, token, query_string={"status": "waiting"}).get_json()
    assert [p["name"] for p in waiting["items"]] == ["Guest 5", "Guest 6"]
    arrived = api(client, path, token, query_string={"checked_in": "true"}).get_json()
    assert [p["id"] for p in arrived["items"]] == [people[1].id, people[3].id]
    assert arrived["items"][0]["checked_in_at"] is not None
    changed = api(client, path, token,
                  query_string={"updated_since": since.isoformat()}).get_json()
    assert [p["id"] for p in changed["items"]] == [people[3].id]
    one = api(client, f"{path}/{people[2].id}", token).get_json()
    assert one["email"] == "g2@example.org" and one["status"] == "going"


def test_guests_of_an_event_that_is_not_yours_are_a_404(app, host_client):
    from organizer.attendees import add
    mine = db.session.get(Event, create_event(host_client))
    ben = add(mine, "Ben", "ben@example.org")
    other = app.test_client()
    signup(other, name="Bo Other", email="bo@example.org")
    theirs_event = db.session.get(Event, create_event(other))
    theirs = make_token(other)
    for path in (f"/events/{mine.id}/attendees", f"/events/{mine.id}/attendees/{ben.id}",
                 f"/events/{theirs_event.id}/attendees/{ben.id}"):
        response = api(app.test_client(), path, theirs)
        assert response.status_code == 404, path
        assert response.mimetype == "application/problem+json"
    assert api(app.test_client(), f"/events/{theirs_event.id}/attendees",
               theirs).get_json() == {"items": [], "next_cursor": None}


def test_a_listed_guest_is_written_exactly_as_the_schema_says(app, host_client, attendee):
    from organizer.api.attendees import AttendeeSchema
    token = make_token(host_client)
    attendee.organisation = "Solar Co-op"
    db.session.commit()
    from organizer.attendees import check_in
    check_in(attendee)
    [listed] = api(app.test_client(), f"/events/{attendee.event_id}/attendees",
                   token).get_json()["items"]
    one = api(app.test_client(), f"/events/{attendee.event_id}/attendees/{attendee.id}",
              token).get_json()
    assert listed == one == AttendeeSchema().dump(db.session.get(type(attendee), attendee.id))
    assert listed["checked_in_at"] is not None and listed["organisation"] == "Solar Co-op"
