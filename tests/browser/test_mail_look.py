"""The HTML mail as a mail app shows it: rendered in Chromium, light and dark, on a phone."""
from __future__ import annotations

import io

from PIL import Image, ImageStat

from .conftest import ARTIFACTS, BROWSER, CHROMIUM, FLAGS, PHONE, sync_api
from .test_event_page import _published

pytestmark = BROWSER

COLOURS = """() => {
  const sheet = getComputedStyle(document.querySelector('.sheet'));
  return [sheet.backgroundColor, sheet.color];
}"""
CONTRAST = """([bg, fg]) => {
  const rgb = s => s.match(/\\d+/g).slice(0, 3).map(Number).map(v => {
    v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
  const lum = c => 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  const [a, b] = [lum(rgb(bg)), lum(rgb(fg))].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""


def test_the_confirmation_mail_reads_well_in_light_and_dark_mode(live, watch):
    from organizer.testing import outbox
    app, base = live
    slug = _published(app)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(viewport=PHONE)
        page = watch.page(context)
        page.goto(f"{base}/e/{slug}")
        page.fill("#rsvp-name", "Ana Guest")
        page.fill("#rsvp-email", "ana@example.org")
        page.press("#rsvp-email", "Enter")
        page.wait_for_load_state()
        with app.app_context():
            from organizer import delivery
            delivery.drain()
        [mail] = outbox(app)
        html = mail.get_body(preferencelist=("html",)).get_content()
        shots = {}
        page = watch.page(context)  # a blank page, as a mail app has, without the site's CSP
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            page.set_content(html, wait_until="load")
            assert page.evaluate("document.querySelector('.card img').naturalWidth") == 1200
            background, text = page.evaluate(COLOURS)
            assert page.evaluate(CONTRAST, [background, text]) >= 7, (scheme, background, text)
            buttons = page.locator("a.button, a.button-secondary")
            assert buttons.count() == 2 and buttons.first.inner_text() == "Open my RSVP"
            assert buttons.first.bounding_box()["height"] >= 44  # a thumb can hit it
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            ARTIFACTS.mkdir(exist_ok=True)
            path = ARTIFACTS / f"mail-{scheme}.png"
            page.screenshot(path=str(path), full_page=True)
            shots[scheme] = ImageStat.Stat(Image.open(io.BytesIO(path.read_bytes())).convert("L")).mean[0]
        assert shots["dark"] < shots["light"] - 60  # dark mode really is dark
        assert watch.errors == []
        browser.close()
