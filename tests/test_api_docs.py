"""docs/api.md's curl examples, run with curl against a running server, say what they show;
its webhook verification example verifies a real delivery."""
from __future__ import annotations

import json
import os
import re
import subprocess
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from organizer.attendees import add, check_in
from organizer.db import db
from organizer.models import Event, utcnow

from .conftest import create_event
from .test_api import make_token
from .webhook_receiver import Receiver

DOC = Path(__file__).resolve().parent.parent / "docs" / "api.md"
EXAMPLE = re.compile(r"<!-- curl: (\w+) -->\n```sh\n(.*?)\n```", re.S)
VERIFY = re.compile(r"<!-- verify -->\n```python\n(.*?)\n```", re.S)


@pytest.fixture
def server(app):
    running = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=running.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{running.server_port}"
    running.shutdown()
    running.server_close()


def _run(examples: dict, env: dict) -> dict:
    outputs = {}
    for name, command in examples.items():
        done = subprocess.run(["bash", "-c", command], env=env, capture_output=True, text=True,
                              timeout=30)
        assert done.returncode == 0, (command, done.stderr)
        lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
        outputs[name] = lines[0] if len(lines) == 1 else lines
    return outputs


def test_the_curl_examples_work_as_the_docs_say(app, host_client, server):
    examples = dict(EXAMPLE.findall(DOC.read_text()))
    assert len(examples) == 13
    event_id = create_event(host_client, title="Coffee A", **{"plugin-rsvp-enabled": "y"})
    event = db.session.get(Event, event_id)
    add(event, "Ann Early", "ann@example.org")
    since = utcnow()
    ben = add(event, "Ben Okoye", "ben@example.org")
    check_in(ben)
    dee = add(event, "Dee Door", "dee@example.org")
    from organizer_plugins.badges.tickets import ticket_for
    ticket = ticket_for(dee)
    db.session.commit()
    create_event(host_client, title="Coffee B")
    draft_id = create_event(host_client, title="Draft C", action="draft")
    token, writer = make_token(host_client), make_token(host_client, "Site", "write")
    first = host_client.get("/api/v1/events?limit=1", headers={
        "Authorization": f"Bearer {token}"}).get_json()
    env = {**os.environ, "ORGANIZER": server, "TOKEN": token, "WRITE_TOKEN": writer,
           "EVENT_ID": str(event_id), "DRAFT_ID": str(draft_id), "GUEST_ID": str(ben.id),
           "TICKET_CODE": ticket.secret, "CURSOR": first["next_cursor"],
           "SINCE": since.isoformat()}
    out = _run(examples, env)
    assert len(out["listing"]["items"]) == 2 and out["listing"]["next_cursor"]
    assert len(out["next_page"]["items"]) == 1
    assert out["next_page"]["items"][0]["id"] != first["items"][0]["id"]
    assert out["one"]["id"] == event_id and out["one"]["title"] == "Coffee A"
    created = out["create"]
    assert created["status"] == "draft" and created["starts_at"] == "2031-05-06T10:00:00+00:00"
    assert created["settings"]["rsvp"]["approval"] is True
    assert out["change"]["venue"] == "Kantine, 2nd floor" and out["change"]["capacity"] is None
    assert out["publish"]["id"] == draft_id and out["publish"]["status"] == "published"
    assert out["series"]["schedule"].startswith("Every other Tuesday at 08:30")
    assert [g["name"] for g in out["guests"]["items"]] == ["Ben Okoye", "Dee Door"]
    assert out["guests"]["items"][0]["checked_in_at"] is not None
    assert out["add"]["name"] == "Ann Lee" and out["add"]["status"] == "going"
    assert out["status"]["status"] == "declined" and out["status"]["id"] == ben.id
    assert out["check_in"]["result"] == "checked_in" and out["check_in"]["name"] == "Dee Door"
    first_try, second_try = out["idempotent"]
    assert first_try == second_try and first_try["name"] == "Cy Park"
    assert out["mistake"]["status"] == 422 and "when" in out["mistake"]["errors"]["query"]


@pytest.fixture
def organizer_config(organizer_config):
    return {**organizer_config, "WEBHOOK_ALLOW_PRIVATE": True}


def test_the_verification_example_accepts_a_real_delivery(app, host_client):
    from .test_webhooks import add_endpoint, add_guest
    namespace: dict = {}
    exec(VERIFY.search(DOC.read_text())[1], namespace)  # the docs' own code
    receiver = Receiver()
    receiver.start()
    try:
        endpoint = add_endpoint(host_client, receiver.url)
        receiver.secret = endpoint.secret
        event_id = create_event(host_client, **{"plugin-rsvp-enabled": "y"})
        add_guest(app, db.session.get(Event, event_id), make_token(host_client, "S", "write"),
                  "Ann", "ann@example.org")
    finally:
        receiver.stop()
    assert [p["type"] for p in receiver.received] == ["event.published", "attendee.registered"]
    got = receiver.raw[-1]
    payload = namespace["receive"](got["body"], got["headers"], endpoint.secret)
    assert payload["data"]["email"] == "ann@example.org"
    forged = dict(got["headers"], **{"webhook-id": "msg_forged"})
    with pytest.raises(Exception, match="No matching signature"):
        namespace["receive"](got["body"], forged, endpoint.secret)
