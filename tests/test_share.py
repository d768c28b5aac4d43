"""Links that spread: every public page describes itself to search engines and chat apps,
and each event has a preview picture drawn on the server."""
from __future__ import annotations

import io
import re

from PIL import Image

from organizer.db import db
from organizer.events import update
from organizer.models import Event

from .conftest import create_event


def _meta(html: str) -> dict[str, str]:
    found = {}
    for tag in re.findall(r"<meta [^>]+>", html):
        key = re.search(r'(?:name|property)="([^"]+)"', tag)
        value = re.search(r'content="([^"]*)"', tag)
        if key and value:
            found[key[1]] = value[1]
    return found


def test_an_event_page_describes_itself_and_its_card(app, host_client):
    event_id = create_event(host_client, title='Coffee "&" <b>code</b>', description="Bring **one** question.")
    event = db.session.get(Event, event_id)
    html = app.test_client().get(f"/e/{event.slug}", headers={"Host": "evil.example"}).text
    meta = _meta(html)
    base = app.config["BASE_URL"]
    assert meta["og:title"] == "Coffee &#34;&amp;&#34; &lt;b&gt;code&lt;/b&gt;"
    assert "<b>code</b>" not in html.split("</head>")[0]
    assert meta["og:url"] == f"{base}/e/{event.slug}"
    assert meta["og:image"] == f"{base}/e/{event.slug}/card.png"
    assert meta["twitter:card"] == "summary_large_image"
    description = meta["description"]
    assert "Café Lumen" in description and "hosted by Ana Host" in description
    assert "Bring one question." in description and "**" not in description
    assert meta["og:description"] == description and len(description) <= 200

    card = app.test_client().get(f"/e/{event.slug}/card.png")
    assert card.status_code == 200 and card.mimetype == "image/png"
    assert Image.open(io.BytesIO(card.data)).size == (1200, 630)
    assert card.headers["Cache-Control"] == "public, max-age=3600"
    again = app.test_client().get(f"/e/{event.slug}/card.png",
                                  headers={"If-None-Match": card.headers["ETag"]})
    assert again.status_code == 304
    update(event, {"title": "Coffee, renamed"})
    changed = app.test_client().get(f"/e/{event.slug}/card.png",
                                    headers={"If-None-Match": card.headers["ETag"]})
    assert changed.status_code == 200 and changed.data != card.data


def test_a_drafts_card_is_not_public(app, host_client):
    draft = db.session.get(Event, create_event(host_client, action="draft"))
    assert app.test_client().get(f"/e/{draft.slug}/card.png").status_code == 404
    assert host_client.get(f"/e/{draft.slug}/card.png").status_code == 200
    assert 'name="robots" content="noindex"' in host_client.get(f"/e/{draft.slug}").text


def test_host_series_and_home_pages_describe_themselves(app, host_client):
    create_event(host_client)
    meta = _meta(app.test_client().get("/h/" + _handle(host_client)).text)
    assert meta["og:title"] == "Ana Host on organizer"
    assert meta["description"].startswith("Coffee chats, lunches and meetups hosted by Ana Host")
    assert meta["twitter:card"] == "summary"
    home = _meta(app.test_client().get("/").text)
    assert "lasting professional connections" in home["description"]


def _handle(client) -> str:
    return re.search(r'href="/h/([^"]+)"', client.get("/dashboard").text)[1]


def test_a_series_page_says_its_rule_and_host(app, host_client):
    from .test_api import make_token
    from .test_api_series import new_series
    from .test_api_writes import call
    token = make_token(host_client, "Site", "write")
    made = call(app.test_client(), "POST", "/series", token,
                json=new_series(publish=True)).get_json()
    meta = _meta(app.test_client().get(f"/s/{made['slug']}").text)
    assert meta["og:title"] == "Tuesday coffee"
    assert meta["description"].startswith("Every other Tuesday at 08:30")
    assert meta["description"].endswith("hosted by Ana Host.")
