"""A host's day in Chromium: a cover picture uploaded from the phone shows on the event page
and in its link preview; the guest list approves everyone ticked at once; guests who chose
to appear are listed under who's going."""
from __future__ import annotations

import io

from PIL import Image

from .conftest import BROWSER, CHROMIUM, FLAGS, PHONE, sync_api
from .test_host_forms import _signed_in

pytestmark = BROWSER


def test_a_cover_from_the_phone_bulk_approval_and_whos_going(live, watch, tmp_path):
    from datetime import timedelta

    from organizer import attendees, events
    from organizer.db import db
    from organizer.models import Host, utcnow
    app, base = live
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        page = watch.page(context)
        _signed_in(page, base)
        with app.app_context():
            host = db.session.scalar(db.select(Host))
            start = utcnow() + timedelta(days=4)
            event = events.create(host, {"kind": "lunch", "title": "Lunch & learn",
                                         "timezone": "UTC", "venue": "Kantine", "capacity": 2,
                                         "starts_at": start, "ends_at": start + timedelta(hours=1)},
                                  {"rsvp": {"enabled": True, "approval": True,
                                            "public_count": True}}, publish=True)
            event_id, slug = event.id, event.slug
            for n in range(3):
                attendees.add(event, f"Guest {n}", f"g{n}@example.org", status="pending",
                              listed=n == 0)
        photo = tmp_path / "lunch.jpg"
        Image.new("RGB", (2400, 1600), "teal").save(photo, format="JPEG")
        page.goto(f"{base}/events/{event_id}")
        page.click("text=Add a cover picture")
        page.set_input_files("#picture", str(photo))
        page.fill("#alt", "The canteen's long table")
        page.click("text=Save the cover")
        page.wait_for_url(f"{base}/events/{event_id}")
        page.goto(f"{base}/e/{slug}")
        cover = page.locator("img.cover")
        assert cover.is_visible() and cover.get_attribute("alt") == "The canteen's long table"
        assert page.evaluate("document.querySelector('img.cover').currentSrc").endswith("/phone.jpg")
        shared = page.locator('meta[property="og:image"]').get_attribute("content")
        card = context.request.get(shared)
        assert Image.open(io.BytesIO(card.body())).size == (1200, 630)

        page.goto(f"{base}/events/{event_id}/guests")
        page.check(".js-bulk-all")
        assert page.locator(".js-bulk-count").inner_text() == "3 guests ticked."
        page.click("text=Approve ticked")
        page.wait_for_load_state()
        assert "Done: 2 going, 1 waiting" in page.content()
        page.goto(f"{base}/e/{slug}")
        listed = page.locator(".whos-going li")
        assert listed.count() == 1 and "Guest 0" in listed.first.inner_text()
        assert watch.errors == []
        browser.close()
