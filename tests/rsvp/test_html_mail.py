"""Mail that looks like the product: an HTML part beside the plain text, with the event's
card and the buttons that matter, readable in dark mode; the invite still attached."""
from __future__ import annotations

import re

from organizer.testing import outbox

from .helpers import make_event, rsvp


def _parts(message) -> dict[str, str]:
    found = {}
    for part in message.walk():
        if part.get_content_maintype() == "multipart":
            continue
        key = part.get_filename() or part.get_content_type()
        found[key] = part.get_content() if part.get_content_maintype() == "text" else part
    return found


def test_a_confirmation_has_text_html_and_the_invite(app, host_client):
    event = make_event(host_client, capacity="5")
    event.title = 'Coffee "&" <b>code</b>'
    from organizer.db import db
    db.session.commit()
    assert rsvp(app.test_client(), event, "Ana <i>Guest</i>", "ana@example.org").status_code == 201
    [mail] = outbox(app)
    parts = _parts(mail)
    assert {"text/plain", "text/html", "text/calendar", "invite.ics"} <= set(parts)
    text, html = parts["text/plain"], parts["text/html"]
    lead = "You're going to Coffee \"&\" <b>code</b>. The invite is attached"
    assert lead in text
    assert "Coffee &#34;&amp;&#34; &lt;b&gt;code&lt;/b&gt;" in html and "<b>code</b>" not in html
    assert "Ana &lt;i&gt;Guest&lt;/i&gt;" in html
    base = app.config["BASE_URL"]
    links = re.findall(r'href="([^"]+)"', html)
    assert any(link.startswith(f"{base}/rsvp/") for link in links)
    assert f"{base}/e/{event.slug}" in links
    assert all(link.startswith(base) for link in links)  # nothing from the request
    assert f'src="{base}/e/{event.slug}/card.png"' in html
    assert 'name="color-scheme" content="light dark"' in html
    assert "prefers-color-scheme: dark" in html
    assert "METHOD:REQUEST" in parts["text/calendar"]
