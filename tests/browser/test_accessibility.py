"""Every page of the journeys checked by axe-core in Chromium, on a desktop and on a phone:
zero violations of any impact. The pages are filled with the demo community, so lists,
tables, badges and forms are checked with real content in them."""
from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import BROWSER, CHROMIUM, DESKTOP, FLAGS, PHONE, sync_api

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

pytestmark = [*BROWSER, pytest.mark.skipif(
    not AXE.exists(), reason="axe-core (npm ci, as .ci/run does)")]

VIOLATIONS = """async () => (await axe.run(document, {resultTypes: ["violations"]}))
  .violations.map(v => `${v.id} (${v.impact}): ${v.help} — ` +
                        v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "))"""


def _demo(app, base):
    """Load the demo; return the addresses of the pages to check."""
    from sqlalchemy import select

    from organizer import demo
    from organizer.db import db
    from organizer.models import Attendee, Event, Series, utcnow
    from organizer_plugins.badges.models import Station
    with app.app_context():
        demo.load(base)
        meetup = db.session.scalar(select(Event).where(Event.kind == "meetup"))
        past = db.session.scalar(select(Event).where(Event.ends_at < utcnow(),
                                                     Event.status == "published"))
        series = db.session.scalar(select(Series))
        guest = db.session.scalar(select(Attendee).where(Attendee.event_id == meetup.id,
                                                         Attendee.status == "going"))
        was_there = db.session.scalar(select(Attendee).where(Attendee.event_id == past.id,
                                                             Attendee.status == "going"))
        station = db.session.scalar(select(Station).where(Station.event_id == meetup.id))
        host = meetup.owner.handle
        host_pages = [
            "/dashboard", "/events/new?preset=coffee", f"/events/{meetup.id}",
            f"/events/{meetup.id}/edit", f"/events/{meetup.id}/cover",
            f"/events/{meetup.id}/guests", f"/events/{meetup.id}/questions",
            f"/events/{meetup.id}/matching", f"/events/{past.id}/followup",
            f"/events/{meetup.id}/stations", f"/events/{meetup.id}/badges",
            f"/events/{meetup.id}/mail", "/series/new", f"/series/{series.id}",
            f"/series/{series.id}/edit", "/settings/profile", "/settings/api-tokens",
            "/settings/webhooks"]
        public_pages = [
            "/", "/signin", "/signup", "/reset", f"/e/{meetup.slug}", f"/h/{host}",
            f"/s/{series.slug}", f"/rsvp/{guest.token}", f"/rsvp/{guest.token}/profile",
            f"/rsvp/{was_there.token}", f"/station/{station.secret}", "/no-such-page"]
    return host_pages, public_pages


def _check(page, base, paths) -> list[str]:
    found = []
    for path in paths:
        response = page.goto(base + path)
        assert response.status == (404 if path == "/no-such-page" else 200), path
        page.add_script_tag(path=str(AXE))
        found += [f"{path}: {line}" for line in page.evaluate(VIOLATIONS)]
    return found


def test_every_page_has_no_accessibility_violations(live, watch):
    from organizer.demo import DEMO_EMAIL, DEMO_PASSWORD
    app, base = live
    host_pages, public_pages = _demo(app, base)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        found = []
        for viewport in (DESKTOP, PHONE):
            # axe is injected as a script of its own, which the pages' CSP would refuse.
            context = browser.new_context(viewport=viewport, bypass_csp=True)
            page = watch.page(context)
            found += _check(page, base, public_pages)
            page.goto(f"{base}/signin")
            page.fill("#email", DEMO_EMAIL)
            page.fill("#password", DEMO_PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/dashboard")
            found += _check(page, base, host_pages)
            context.close()
        browser.close()
    assert found == [], "\n".join(found)
