"""In a real browser: the page speaks the browser's language, the switcher changes it for good,
and the door station's script speaks it too (its words come from the page)."""
from __future__ import annotations

import re
import secrets

from .conftest import BROWSER, CHROMIUM, FLAGS, PHONE, sync_api
from .test_event_page import _published

pytestmark = BROWSER


def _words(app, language, text, **values):
    from organizer.i18n import gettext, in_language
    with app.test_request_context(), in_language(language):
        said = gettext(text, **values)
    with app.test_request_context(), in_language("en"):
        assert said != gettext(text, **values), (language, text)  # really translated
    return said


def test_the_browsers_language_then_the_switcher_then_the_door(live, watch):
    from organizer import attendees
    from organizer.db import db
    from organizer.models import Event
    from organizer_plugins.badges.models import Station
    from organizer_plugins.badges.tickets import ticket_for
    app, base = live
    slug = _published(app, days=0)
    with app.app_context():
        event = db.session.scalar(db.select(Event).filter_by(slug=slug))
        code = ticket_for(attendees.add(event, "Ana Souza", "ana@example.org")).secret
        secret = secrets.token_urlsafe(24)
        db.session.add(Station(event_id=event.id, name="Side door", kind="door", secret=secret))
        db.session.commit()
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(viewport=PHONE, locale="de-DE")
        page = watch.page(context)

        page.goto(f"{base}/e/{slug}")
        assert page.locator("html").get_attribute("lang") == "de"
        assert _words(app, "de", "Add to calendar") in page.locator("body").inner_text()

        page.locator("footer button[lang=fr]").click()
        page.wait_for_url(f"{base}/e/{slug}")
        assert page.locator("html").get_attribute("lang") == "fr"
        page.reload()  # remembered, over the browser's German
        assert page.locator("html").get_attribute("lang") == "fr"
        assert _words(app, "fr", "Add to calendar") in page.locator("body").inner_text()
        assert page.locator("footer button[aria-current]").get_attribute("lang") == "fr"

        # The station's script answers with the page's words.
        page.goto(f"{base}/station/{secret}")
        assert page.locator("html").get_attribute("lang") == "fr"
        page.fill("#code", code)
        page.press("#code", "Enter")
        sync_api.expect(page.locator(".js-result")).to_have_class(re.compile("result-ok"))
        shown = page.locator(".js-result").inner_text()
        assert _words(app, "fr", "Checked in") in shown and "Ana Souza" in shown
        assert watch.errors == []
        browser.close()
