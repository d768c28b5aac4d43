"""The whole journey in Chromium: a host, attendees on phones and laptops, the door, matching,
follow-ups. The door's camera is a video file of a printed badge."""
from __future__ import annotations

import re
from pathlib import Path

import pypdfium2
from PIL import Image

from .conftest import BROWSER, CHROMIUM, DESKTOP, FLAGS, PHONE, sync_api

pytestmark = BROWSER


def y4m(image: Image.Image, path: Path, frames: int = 10) -> None:
    """Write ``image`` as a short Y4M video (what Chromium's fake camera plays in a loop)."""
    width, height = image.width // 2 * 2, image.height // 2 * 2
    ycbcr = image.convert("RGB").resize((width, height)).convert("YCbCr")
    y, cb, cr = ycbcr.split()
    half = (width // 2, height // 2)
    frame = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + frame)


def _rsvp(page, base, slug, name, email, keyboard=False):
    page.goto(f"{base}/e/{slug}")
    if keyboard:
        for _ in range(60):  # Tab to the name field, as someone without a mouse does
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == "rsvp-name":
                break
        page.keyboard.type(name)
        page.keyboard.press("Tab")
        page.keyboard.type(email)
        page.keyboard.press("Enter")
    else:
        page.fill("#rsvp-name", name)
        page.fill("#rsvp-email", email)
        page.press("#rsvp-email", "Enter")
    page.wait_for_load_state()
    link = page.locator("a[href*='/rsvp/']").first.get_attribute("href")
    return base + link if link.startswith("/") else link


def test_the_whole_journey(live, watch, tmp_path):
    app, base = live
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        desktop = browser.new_context(viewport=DESKTOP, accept_downloads=True)
        host = watch.page(desktop)

        # A host signs up and publishes a coffee chat and a 30-person meetup from the presets.
        host.goto(f"{base}/signup")
        watch.labelled(host)
        host.fill("input[name=name]", "Maya Host")
        host.fill("input[name=email]", "maya@example.org")
        host.fill("input[name=password]", "journey passphrase 2026")
        host.click("button[type=submit]")
        host.wait_for_url(re.compile(r".*/dashboard"))
        slugs = {}
        for preset, capacity in (("coffee", None), ("meetup", "30")):
            host.click(f"a[href*='preset={preset}']")
            watch.labelled(host)
            if capacity:
                host.fill("input[name=capacity]", capacity)
            if not host.input_value("input[name=venue]"):
                host.fill("input[name=venue]", "Café Lumen")
            host.click("button[value=publish]")
            host.wait_for_url(re.compile(r".*/events/\d+$"))
            slugs[preset] = re.search(r"/e/([\w-]+)", host.content()).group(1)
            host.goto(f"{base}/dashboard")
        host.goto(f"{base}/e/{slugs['meetup']}")
        host.get_by_text("Add to calendar", exact=True).click()
        with host.expect_download() as download:
            host.click("text=Apple, Thunderbird and others (.ics file)")
        assert download.value.path().read_bytes().startswith(b"BEGIN:VCALENDAR")

        # 28 seats fill up beforehand; then people RSVP on phones and laptops.
        with app.app_context():
            from organizer import attendees
            from organizer.db import db
            from organizer.models import Event
            event = db.session.scalars(db.select(Event).filter_by(slug=slugs["meetup"])).one()
            event_id = event.id
            for n in range(28):
                attendees.add(event, f"Early Guest {n}", f"early{n}@example.org")
        phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        laptop = browser.new_context(viewport=DESKTOP)
        links = {}
        for name, email, context, keyboard in (
                ("Ana Souza", "ana@example.org", phone, False),
                ("Ben Okafor", "ben@example.org", laptop, True),
                ("Cara Lima", "cara@example.org", phone, False)):
            page = watch.page(context)
            links[name] = _rsvp(page, base, slugs["meetup"], name, email, keyboard)
            watch.labelled(page)
        cara = watch.page(phone)
        cara.goto(links["Cara Lima"])
        assert "waiting list" in cara.content().lower()
        # Ana cancels; Cara moves up.
        ana = watch.page(phone)
        ana.goto(links["Ana Souza"])
        ana.once("dialog", lambda dialog: dialog.accept())
        ana.click("text=Cancel my RSVP")
        ana.wait_for_load_state()
        cara.reload()
        assert "You're going" in cara.content() or "you're going" in cara.content().lower()

        # Networking profiles for Ben and Cara (used by matching).
        for name, offers, seeks in (("Ben Okafor", "fundraising", "hiring"),
                                    ("Cara Lima", "hiring", "fundraising")):
            page = watch.page(laptop)
            page.goto(links[name].rstrip("/") + "/profile")
            watch.labelled(page)
            page.fill("#mp-offers", offers)
            page.fill("#mp-seeks", seeks)
            page.check("input[name=share_email]")
            page.click("button[type=submit]")
            page.wait_for_load_state()

        # The host makes a station link; the door phone opens it with a camera that sees
        # Ben's printed badge.
        host.goto(f"{base}/events/{event_id}/stations")
        watch.labelled(host)
        host.fill("#station-name", "Main door")
        host.click("text=Create a station link")
        station_url = host.input_value("input.copy")
        with app.app_context():
            from organizer.models import Attendee
            from organizer_plugins.badges import layouts, printing, sheets, tickets
            ben = db.session.scalars(db.select(Attendee).filter_by(email="ben@example.org")).one()
            badge = sheets.single(printing.badge_data(ben.event, ben, tickets.ticket_for(ben)),
                                  layouts.get("a4-a6"))
        page_image = pypdfium2.PdfDocument(badge)[0].render(scale=2).to_pil()
        video = Image.new("RGB", (640, 480), "white")
        page_image.thumbnail((620, 460))
        video.paste(page_image, ((640 - page_image.width) // 2, (480 - page_image.height) // 2))
        y4m(video, tmp_path / "badge.y4m")
        camera_browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS + [
            "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={tmp_path / 'badge.y4m'}"])
        door_context = camera_browser.new_context(viewport=PHONE, is_mobile=True,
                                                  has_touch=True, permissions=["camera"])
        door = watch.page(door_context)
        door.goto(station_url)
        watch.labelled(door)
        door.click("text=Scan with the camera")
        answer = door.locator(".js-result")
        sync_api.expect(answer).to_contain_text("Checked in: Ben Okafor", timeout=30000)
        # Typed scanner input: Cara's code, typed and Enter.
        with app.app_context():
            cara_person = db.session.scalars(db.select(Attendee).filter_by(
                email="cara@example.org")).one()
            cara_code = tickets.url(tickets.ticket_for(cara_person))
            ben_code = tickets.url(tickets.ticket_for(ben))
        door.fill("#code", cara_code)
        door.press("#code", "Enter")
        sync_api.expect(answer).to_contain_text("Checked in: Cara Lima", timeout=10000)
        # Manual search, then a check-in button.
        door.fill("#search", "Early Guest 12")
        door.click("li:has-text('Early Guest 12') >> button", timeout=10000)
        sync_api.expect(answer).to_contain_text("Checked in: Early Guest 12", timeout=10000)
        # Ben's badge again, from a scanner: already checked in.
        door.fill("#code", ben_code)
        door.press("#code", "Enter")
        sync_api.expect(answer).to_contain_text("Already checked in", timeout=10000)
        sync_api.expect(answer).to_contain_text("Main door")

        # The host runs matching, publishes, closes the event; follow-ups and the report.
        host.goto(f"{base}/events/{event_id}/matching")
        watch.labelled(host)
        host.click("text=Run matching")
        host.wait_for_selector("#draft")
        assert "Ben Okafor" in host.content() and "Cara Lima" in host.content()
        host.once("dialog", lambda dialog: dialog.accept())
        host.click("text=Publish and mail introductions")
        host.wait_for_url(re.compile(r".*/events/\d+/mail"))
        watch.labelled(host)
        host.wait_for_selector("text=Nothing is waiting to go out", timeout=30000)
        with app.app_context():  # the meetup is now under way
            from datetime import timedelta

            from organizer.models import utcnow
            db.session.execute(db.update(Event).where(Event.id == event_id).values(
                starts_at=utcnow() - timedelta(hours=1), ends_at=utcnow() + timedelta(hours=1)))
            db.session.commit()
        host.goto(f"{base}/events/{event_id}/followup")
        watch.labelled(host)
        host.fill("#fu-message", "Thank you for coming!")
        host.click("text=Save")
        host.once("dialog", lambda dialog: dialog.accept())
        host.click("text=Close event and send follow-ups")
        host.wait_for_url(re.compile(r".*/events/\d+/mail"))
        host.wait_for_selector("text=Nothing is waiting to go out", timeout=60000)
        assert "Follow-ups" in host.content()
        with host.expect_download() as report:
            host.goto(f"{base}/events/{event_id}/followup")
            host.click("text=Report (PDF)")
        assert report.value.path().read_bytes().startswith(b"%PDF")
        with app.app_context():
            from organizer.models import OutboxMessage
            delivered = db.session.scalar(db.select(db.func.count()).where(
                OutboxMessage.kind == "followup.personal", OutboxMessage.status == "sent"))
        assert delivered == 3  # Ben, Cara and the early guest who checked in
        ben_page = watch.page(laptop)
        ben_page.goto(links["Ben Okafor"])
        with ben_page.expect_download() as followup:
            ben_page.click("text=Download my follow-up (PDF)")
        assert followup.value.path().read_bytes().startswith(b"%PDF")

        assert watch.errors == []
        camera_browser.close()
        browser.close()
