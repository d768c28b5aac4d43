"""The door in kiosk mode: a phone held with gloves at the entrance. No site header or
links to wander off by, targets big enough for a gloved thumb, and the last person's
name cleared from the screen before the next one steps up."""
from __future__ import annotations

import re
import secrets

from .conftest import BROWSER, CHROMIUM, FLAGS, PHONE, sync_api
from .test_event_page import _published

pytestmark = BROWSER

# Every tappable thing on the page, with its size.
TARGETS = """() => Array.from(document.querySelectorAll('a, button, input, select'))
  .filter(el => el.offsetParent !== null && el.type !== 'hidden')
  .map(el => { const r = el.getBoundingClientRect();
               return [el.tagName + (el.className ? '.' + el.className : ''), r.width, r.height]; })"""


def test_the_station_is_a_kiosk_that_clears_old_answers(live, watch):
    from organizer import attendees
    from organizer.db import db
    from organizer.models import Event
    from organizer_plugins.badges.models import Station
    from organizer_plugins.badges.tickets import ticket_for
    app, base = live
    slug = _published(app, days=0)
    with app.app_context():
        event = db.session.scalar(db.select(Event).filter_by(slug=slug))
        ana = attendees.add(event, "Ana Souza", "ana@example.org")
        code = ticket_for(ana).secret
        secret = secrets.token_urlsafe(24)
        db.session.add(Station(event_id=event.id, name="Side door", kind="door", secret=secret))
        db.session.commit()
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        page = watch.page(context)
        page.clock.install()
        page.goto(f"{base}/station/{secret}")
        assert page.locator("header.topbar, footer.footer, nav").count() == 0
        assert page.locator("a").count() <= 1  # at most the skip link, which stays in place
        small = [t for t in page.evaluate(TARGETS) if t[2] < 48 and not t[0].startswith("A.skip")]
        assert small == [], small
        page.fill("#code", code)
        page.press("#code", "Enter")
        # (expect, not wait_for_function: the page's CSP refuses the latter's string predicates)
        sync_api.expect(page.locator(".js-result")).to_have_class(re.compile("result-ok"))
        assert "Ana Souza" in page.locator(".js-result").inner_text()
        assert page.locator(".js-undo").is_visible()
        page.clock.fast_forward(5_000)
        assert "Ana Souza" in page.locator(".js-result").inner_text()  # still there to read
        page.clock.fast_forward(8_000)
        sync_api.expect(page.locator(".js-result")).to_have_class(re.compile("result-idle"))
        assert "Ana Souza" not in page.locator(".js-result").inner_text()
        assert not page.locator(".js-undo").is_visible()
        assert watch.errors == []
        browser.close()
