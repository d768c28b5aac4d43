"""The host's forms in Chromium: a mistake puts the cursor where the fix is; the series form
keeps its weekday in step with the first date and says its rule in words."""
from __future__ import annotations

from datetime import date, timedelta

from .conftest import BROWSER, CHROMIUM, DESKTOP, FLAGS, sync_api

pytestmark = BROWSER


def _signed_in(page, base):
    page.goto(f"{base}/signup")
    page.fill("#name", "Ana Host")
    page.fill("#email", "ana@example.org")
    page.fill("#password", "a long passphrase here")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/dashboard")


def test_a_mistake_takes_the_focus_and_the_series_rule_reads_as_words(live, watch):
    app, base = live
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = watch.page(browser.new_context(viewport=DESKTOP))
        _signed_in(page, base)
        page.goto(f"{base}/events/new?preset=meetup")
        page.fill("#title", "")
        page.click("button[value=publish]")
        page.wait_for_load_state()
        assert page.evaluate("document.activeElement.id") == "title"

        page.goto(f"{base}/series/new")
        thursday = date.today() + timedelta(days=(3 - date.today().weekday()) % 7 + 7)
        page.fill("#first_date", thursday.isoformat())
        page.dispatch_event("#first_date", "change")
        ticked = page.eval_on_selector_all('input[name="weekdays"]:checked', "els => els.map(e => e.value)")
        assert ticked == ["TH"]
        summary = page.locator(".js-rule-summary")
        assert "every other week on Thursday" in summary.inner_text()
        page.select_option("#freq", "monthly")
        week = (thursday.day - 1) // 7 + 1
        expected = "-1" if week > 4 else str(week)
        assert page.input_value("#month_week") == expected
        assert "every other month on the" in summary.inner_text()
        assert page.locator("#count").is_hidden()  # "Never" ends: no count to keep unseen
        page.select_option("#ends", "count")
        page.fill("#count", "3")
        assert "3 times" in summary.inner_text()
        page.fill("#venue", "Café Lumen")
        page.click("button[value=publish]")
        page.wait_for_url(f"{base}/series/*")
        assert "3 dates are on the calendar" in page.content()
        # The refused form itself answers 422, which the console reports; nothing else.
        assert [e for e in watch.errors if "status of 422" not in e] == []
        browser.close()
