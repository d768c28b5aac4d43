"""docs/api.md's curl examples, run with curl against a running server, say what they show."""
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

DOC = Path(__file__).resolve().parent.parent / "docs" / "api.md"
EXAMPLE = re.compile(r"<!-- curl -->\n```sh\n(.*?)\n```", re.S)


@pytest.fixture
def server(app):
    running = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=running.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{running.server_port}"
    running.shutdown()
    running.server_close()


def test_the_curl_examples_work_as_the_docs_say(app, host_client, server):
    examples = EXAMPLE.findall(DOC.read_text())
    assert len(examples) == 7
    event_id = create_event(host_client, title="Coffee A")
    event = db.session.get(Event, event_id)
    add(event, "Ann Early", "ann@example.org")
    since = utcnow()
    check_in(add(event, "Ben Okoye", "ben@example.org"))
    create_event(host_client, title="Coffee B")
    draft_id = create_event(host_client, title="Draft C", action="draft")
    token, writer = make_token(host_client), make_token(host_client, "Site", "write")
    first = host_client.get("/api/v1/events?limit=1", headers={
        "Authorization": f"Bearer {token}"}).get_json()
    env = {**os.environ, "ORGANIZER": server, "TOKEN": token, "WRITE_TOKEN": writer,
           "EVENT_ID": str(event_id), "DRAFT_ID": str(draft_id),
           "CURSOR": first["next_cursor"], "SINCE": since.isoformat()}
    outputs = []
    for command in examples:
        done = subprocess.run(["bash", "-c", command], env=env, capture_output=True, text=True,
                              timeout=30)
        assert done.returncode == 0, (command, done.stderr)
        outputs.append(json.loads(done.stdout))
    listing, next_page, one, published, guests, added, mistake = outputs
    assert len(listing["items"]) == 2 and listing["next_cursor"]
    assert len(next_page["items"]) == 1 and next_page["items"][0]["id"] != first["items"][0]["id"]
    assert one["id"] == event_id and one["title"] == "Coffee A"
    assert published["id"] == draft_id and published["status"] == "published"
    assert [g["name"] for g in guests["items"]] == ["Ben Okoye"]
    assert guests["items"][0]["checked_in_at"] is not None
    assert added["name"] == "Ann Lee" and added["status"] == "going"
    assert mistake["status"] == 422 and "when" in mistake["errors"]["query"]
