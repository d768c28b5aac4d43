"""With the demo community in Chromium: an attendee's page after the event, on a phone; the
host's matching page with the draft first and its matches in words, and the follow-up page
that offers no sending before the start, on a desktop."""
from __future__ import annotations

from .conftest import BROWSER, CHROMIUM, DESKTOP, FLAGS, PHONE, sync_api

pytestmark = BROWSER


def test_after_the_event_and_the_matching_draft(live, watch):
    from sqlalchemy import select

    from organizer import demo
    from organizer.db import db
    from organizer.models import Attendee, Event, utcnow
    app, base = live
    with app.app_context():
        demo.load(base)
        past = db.session.scalar(select(Event).where(
            Event.ends_at < utcnow(), Event.status == "published").order_by(Event.starts_at.desc()))
        came = db.session.scalar(select(Attendee).where(
            Attendee.event_id == past.id, Attendee.checked_in_at.is_not(None)))
        meetup = db.session.scalar(select(Event).where(Event.kind == "meetup"))
        token, meetup_id = came.token, meetup.id
        first_name = came.name
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        phone = watch.page(browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True))
        phone.goto(f"{base}/rsvp/{token}")
        assert f"Thanks for coming, {first_name}!" in phone.locator(".rsvp-status").inner_text()
        titles = phone.locator("section h2").all_inner_texts()
        assert titles[0] == "Your follow-up"
        for gone in ("Cancel my RSVP", "Your ticket", "Add to calendar"):
            assert phone.get_by_text(gone).count() == 0, gone

        host = watch.page(browser.new_context(viewport=DESKTOP))
        host.goto(f"{base}/signin")
        host.fill("#email", demo.DEMO_EMAIL)
        host.fill("#password", demo.DEMO_PASSWORD)
        host.click("button[type=submit]")
        host.wait_for_url(f"{base}/dashboard")
        host.goto(f"{base}/events/{meetup_id}/matching")
        host.click("text=Run matching")
        host.wait_for_url(f"{base}/events/{meetup_id}/matching*")
        draft = host.locator("#draft")
        assert draft.is_visible()
        assert host.evaluate("document.querySelector('#draft').compareDocumentPosition("
                             "document.querySelector('form[action$=\"/matching/setup\"]')) & 4")
        words = draft.locator(".match-list li .muted").all_inner_texts()
        assert words and not any("score" in w for w in words)
        assert any("match" in w or "common ground" in w for w in words)
        host.goto(f"{base}/events/{meetup_id}/followup")
        assert host.get_by_text("Close event and send follow-ups").count() == 0
        assert host.get_by_text("Sending opens once the event has started").is_visible()
        assert watch.errors == []
        browser.close()
