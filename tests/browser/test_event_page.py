"""The public event page in Chromium: sharing its link, its time in the visitor's zone,
its calendar and map links."""
from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image

from .conftest import BROWSER, CHROMIUM, DESKTOP, FLAGS, PHONE, sync_api

pytestmark = BROWSER


def _published(app, zone="UTC", days=3, **fields):
    from organizer import auth, events
    from organizer.models import utcnow
    with app.app_context():
        host = auth.create_host("Ana Host", "ana@example.org", "a long passphrase here", "UTC")
        start = (utcnow() + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
        data = {"kind": "lunch", "title": "Lunch & learn", "timezone": zone, "venue": "Kantine",
                "starts_at": start, "ends_at": start + timedelta(hours=1)} | fields
        return events.create(host, data, publish=True).slug


def test_a_visitor_copies_an_events_link_and_its_card_is_a_picture(live, watch):
    app, base = live
    slug = _published(app)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(viewport=PHONE)
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
        page = watch.page(context)
        page.goto(f"{base}/e/{slug}")
        button = page.locator(".js-share-button")
        assert button.is_visible() and button.inner_text() in ("Share", "Copy link")
        if button.inner_text() == "Copy link":
            button.click()
            sync_api.expect(page.locator(".js-share-said")).to_have_text("Link copied.")
            assert page.evaluate("navigator.clipboard.readText()") == f"{base}/e/{slug}"
        card = page.locator('meta[property="og:image"]').get_attribute("content")
        picture = context.request.get(card)
        assert picture.status == 200 and picture.headers["content-type"] == "image/png"
        assert Image.open(io.BytesIO(picture.body())).size == (1200, 630)
        watch.labelled(page)
        assert watch.errors == []
        browser.close()


def test_a_visitor_in_another_zone_sees_their_own_time_and_adds_it_to_their_calendar(live, watch):
    app, base = live
    slug = _published(app, zone="Europe/Berlin", address="Markt 1, Berlin")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        tokyo = browser.new_context(viewport=DESKTOP, timezone_id="Asia/Tokyo", locale="en-GB")
        page = watch.page(tokyo)
        page.goto(f"{base}/e/{slug}")
        mine = page.locator(".js-visitor-time")
        assert mine.is_visible()
        start = page.evaluate("new Date(document.querySelector('.js-visitor-time').dataset.start)"
                              ".toLocaleTimeString('en-GB', {hour: '2-digit', minute: '2-digit',"
                              " timeZone: 'Asia/Tokyo'})")
        assert mine.inner_text().startswith("Your time:") and "(Asia/Tokyo)" in mine.inner_text()
        assert start in mine.inner_text()
        assert "(in 3 days)" in page.locator(".when").inner_text()
        page.get_by_text("Add to calendar", exact=True).click()
        google = page.get_by_role("link", name="Google Calendar")
        assert google.is_visible() and "calendar.google.com" in google.get_attribute("href")
        assert page.get_by_role("link", name="Office 365").is_visible()
        assert page.get_by_role("link", name="Open in my map app").get_attribute("href").startswith("geo:")

        berlin = browser.new_context(viewport=PHONE, timezone_id="Europe/Berlin")
        page = watch.page(berlin)
        page.goto(f"{base}/e/{slug}")
        assert not page.locator(".js-visitor-time").is_visible()  # the same zone: said once
        assert watch.errors == []
        browser.close()
