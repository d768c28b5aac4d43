"""An attendee in Chromium on a phone, from a follow-up mail's link to their network and back:
the link asks before it acts, the network shows the follow-up done, a reminder is set with
the form, an event of theirs opens and the way back keeps it all."""
from __future__ import annotations

import re
from datetime import timedelta

from .conftest import BROWSER, CHROMIUM, FLAGS, PHONE, sync_api

pytestmark = BROWSER


def test_from_a_follow_up_mail_to_the_network_and_back(live, watch):
    from organizer.db import db
    from organizer.models import Event, utcnow
    from organizer.testing import body_text, outbox
    from organizer_plugins.followup import sending

    from ..community import seed
    app, base = live
    with app.app_context():
        community = seed(dates=4, people=40, regulars=16)
        last = community.dates[-1]
        sending.close(db.session.get(Event, last))
        me = next(n for n in sorted(community.came[last]) if any(
            n in pair and all(x in community.came[last] for x in pair)
            for pair in community.pairs[last]))
        other = next(b if a == me else a for a, b in community.pairs[last] if me in (a, b))
        mail = next(m for m in outbox(app) if m["To"] == community.email(me))
        text = body_text(mail)
        name = community.name(other)
        reached = re.search(r"I reached out: (\S+)", text[text.index(name):]).group(1)
    day = utcnow().date() + timedelta(days=30)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        phone = watch.page(browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True))
        phone.goto(reached)
        assert phone.locator("h1").inner_text() == f"You reached out to {name}?"
        phone.click("button[type=submit]")
        assert phone.locator("h1").inner_text() == "Noted"
        phone.click("text=Open my network")
        phone.wait_for_url(re.compile(r".*/network/[^/]+$"))
        card = phone.locator("section.network-person", has_text=name)
        assert "Reached out" in card.locator("h2").inner_text()
        watch.labelled(phone)
        # Nothing wider than the phone's screen.
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        network = phone.url
        card.get_by_role("link", name="Follow-up and note").click()
        assert phone.locator("h1").inner_text().startswith(name)
        watch.labelled(phone)
        phone.get_by_label("Remind me", exact=True).check()
        phone.locator("input[type=date]").fill(day.isoformat())
        phone.get_by_label("Your note").fill("Send the slides")
        phone.get_by_role("button", name="Save").click()
        phone.wait_for_url(re.compile(r".*/network/[^/]+(#.*)?$"))
        card = phone.locator("section.network-person", has_text=name)
        assert f"Remind me · {day:%-d %b %Y}" in card.locator("h2").inner_text()
        assert "Send the slides" in card.inner_text()

        card.locator(".encounters a").first.click()
        phone.wait_for_url(re.compile(r".*/e/.*"))
        assert "Fortnightly coffee" in phone.locator("h1").inner_text()
        phone.go_back()
        phone.wait_for_url(re.compile(re.escape(network) + r"(#.*)?$"))
        card = phone.locator("section.network-person", has_text=name)
        assert f"Remind me · {day:%-d %b %Y}" in card.locator("h2").inner_text()
        assert watch.errors == []
        browser.close()
