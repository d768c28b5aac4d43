"""The door when the venue's network fails, in Chromium: the station keeps working from the
copy on the phone (typed code, camera, search; a ticket issued after its copy), survives a
reload with the server gone, and sends everything once when the network returns. Two stations
that admitted one person offline make one check-in and both hear of it; a revoked link wipes
what the phone kept."""
from __future__ import annotations

import secrets
import threading
import time
from datetime import datetime, timezone

import pytest
from PIL import Image
from werkzeug.serving import make_server

from ..conftest import make_app
from .conftest import BROWSER, CHROMIUM, FLAGS, PHONE, sync_api
from .test_event_page import _published
from .test_journey import y4m

pytestmark = BROWSER

# What the phone keeps of a station: its copy and its unsent scans (IndexedDB).
KEPT = """async (station) => {
  const db = await new Promise((ok, no) => { const r = indexedDB.open("organizer-station", 1);
    r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
  const get = (store, query) => new Promise((ok) => {
    const r = db.transaction(store).objectStore(store)[query[0]](query[1]);
    r.onsuccess = () => ok(r.result); });
  const copy = await get("copies", ["get", station]);
  const queue = await get("queue", ["getAll"]);
  db.close();
  return {copy: !!(copy && copy.copy), queued: queue.filter(s => s.station === station).length};
}"""


NET_SAYS = "(text) => document.querySelector('.js-net').textContent.includes(text)"


class Server:
    """The app on a fixed port, stopped and started again as a venue's network fails."""

    def __init__(self, app):
        self.app, self.port, self.server = app, 0, None

    def start(self):
        self.server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.port}"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def door(tmp_path, sqlite_template):
    app = make_app("sqlite", tmp_path, sqlite_template, None, JOB_BACKEND="eager")
    app.config["TESTING"] = False
    server = Server(app)
    base = server.start()
    app.config["BASE_URL"] = base
    yield app, base, server
    if server.server is not None:
        server.stop()


def _setup(app):
    from organizer import attendees, events
    from organizer.db import db
    from organizer.models import Event
    from organizer_plugins.badges.models import Station
    from organizer_plugins.badges.tickets import reissue, ticket_for, url
    slug = _published(app, days=0, title="Door test")
    with app.app_context():
        event = db.session.scalar(db.select(Event).filter_by(slug=slug))
        codes = {}
        for name in ("Ana Souza", "Ben Okafor", "Cara Lima"):
            person = attendees.add(event, name, f"{name.split()[0].lower()}@example.org")
            codes[name] = url(ticket_for(person))
        # A code replaced before the stations took their copies, and another event's.
        replaced = attendees.add(event, "Eve Moved", "eve@example.org")
        codes["replaced"] = url(ticket_for(replaced))
        reissue(replaced)
        other = events.create(event.owner, {
            "kind": "lunch", "title": "Another event", "timezone": "UTC", "venue": "Hall",
            "starts_at": event.starts_at, "ends_at": event.ends_at}, publish=True)
        codes["other event"] = url(ticket_for(attendees.add(other, "Finn", "finn@example.org")))
        links = {}
        for name in ("Main door", "Side door"):
            links[name] = secrets.token_urlsafe(24)
            db.session.add(Station(event_id=event.id, name=name, kind="door",
                                   secret=links[name]))
        db.session.commit()
        return event.id, codes, links


def _late_guest(app, event_id):
    """Dan RSVPs after the stations took their copies: his ticket is new to them."""
    from organizer import attendees
    from organizer.db import db
    from organizer.models import Event
    from organizer_plugins.badges.tickets import ticket_for, url
    # As the host's form would: a request that writes (the stations write meanwhile).
    with app.test_request_context("/", method="POST"):
        dan = attendees.add(db.session.get(Event, event_id), "Dan Late", "dan@example.org")
        return url(ticket_for(dan))


def _stored(app, event_id):
    from organizer.db import db
    from organizer.models import Attendee
    from organizer_plugins.badges.models import CheckIn
    with app.app_context():
        rows = db.session.execute(db.select(Attendee.name, CheckIn.at, Attendee.checked_in_at)
                                  .join(CheckIn, CheckIn.attendee_id == Attendee.id)
                                  .where(CheckIn.event_id == event_id)).all()
        return {name: (at, arrived) for name, at, arrived in rows}


def _until(page, script: str, arg=None, timeout: float = 15):
    """Poll ``script`` (a function) in the page until it returns something true.
    (The page's CSP forbids the string predicates of ``wait_for_function``.)"""
    deadline = time.monotonic() + timeout
    while True:
        found = page.evaluate(script, arg)
        if found:
            return found
        assert time.monotonic() < deadline, f"still false after {timeout} s: {script}"
        time.sleep(0.1)


def _open_station(watch, context, base, secret):
    page = watch.page(context)
    page.goto(f"{base}/station/{secret}")
    # The copy is on the phone and the page itself is kept for a reload without network.
    _until(page, NET_SAYS, "saved on this phone at")
    _until(page, "async () => !!(navigator.serviceWorker.controller && "
                 "await caches.match(location.pathname))")
    return page


def _errors(watch) -> list[str]:
    """Console errors other than the browser's own notes of requests the dead network failed."""
    return [e for e in watch.errors if "net::ERR_" not in e and "Failed to fetch" not in e]


def _answer(page, *texts):
    result = page.locator(".js-result")
    for text in texts:
        sync_api.expect(result).to_contain_text(text, timeout=15000)


def test_three_check_ins_without_the_network_arrive_once_with_their_scan_times(door, watch, tmp_path):
    app, base, server = door
    event_id, codes, links = _setup(app)
    from organizer_plugins.badges.tickets import png
    video = Image.new("RGB", (640, 480), "white")
    video.paste(Image.open(__import__("io").BytesIO(png(codes["Ben Okafor"], 6))).convert("RGB")
                .resize((400, 400), Image.NEAREST), (120, 40))
    y4m(video, tmp_path / "ben.y4m")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS + [
            "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={tmp_path / 'ben.y4m'}"])
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                      permissions=["camera"])
        page = _open_station(watch, context, base, links["Main door"])
        dan_code = _late_guest(app, event_id)

        context.set_offline(True)
        server.stop()  # nothing answers: neither the page nor its service worker
        times = {}
        before = datetime.now(timezone.utc)
        page.fill("#code", dan_code)
        page.press("#code", "Enter")
        _answer(page, "Checked in", "issued after this phone's copy", "not yet sent")
        times["Dan Late"] = (before, datetime.now(timezone.utc))

        before = datetime.now(timezone.utc)
        page.click("text=Scan with the camera")
        _answer(page, "Checked in: Ben Okafor", "Saved on this phone, not yet sent")
        times["Ben Okafor"] = (before, datetime.now(timezone.utc))

        before = datetime.now(timezone.utc)
        page.fill("#search", "Cara")
        page.click("li:has-text('Cara Lima') >> button", timeout=10000)
        _answer(page, "Checked in: Cara Lima", "not yet sent")
        times["Cara Lima"] = (before, datetime.now(timezone.utc))
        # Ana's code was on the copy, but Ben's was already admitted: the copy knows.
        page.fill("#code", codes["Ben Okafor"])
        page.press("#code", "Enter")
        _answer(page, "Already checked in: Ben Okafor")
        net = page.locator(".js-net")
        sync_api.expect(net).to_contain_text("Offline — 3 check-ins saved on this phone, not yet sent")
        assert _stored(app, event_id) == {}

        page.reload()  # still offline, the server still gone: the phone's copy of the page
        sync_api.expect(net).to_contain_text("3 check-ins saved on this phone, not yet sent")
        sync_api.expect(page.locator(".js-count")).to_contain_text("3 / 5")  # Eve has a new ticket: she is expected
        page.fill("#code", codes["Ana Souza"])
        page.press("#code", "Enter")
        _answer(page, "Checked in: Ana Souza")
        page.fill("#code", codes["Ana Souza"])
        page.press("#code", "Enter")
        _answer(page, "Already checked in: Ana Souza")
        times["Ana Souza"] = (before, datetime.now(timezone.utc))
        # Refused on the phone: a made-up secret under a real signature, a code cut short,
        # another event's ticket, a ticket replaced before the copy was taken.
        forged = dan_code.replace(dan_code.split("/t/")[1][:26], "23456789abcdefghjkmnpqrstu")
        for bad, says in ((forged, "Not a ticket for this event"),
                          (dan_code[:-6], "Not a ticket for this event"),
                          (codes["other event"], "Ticket for another event"),
                          (codes["replaced"], "This ticket was replaced or cancelled")):
            page.fill("#code", bad)
            page.press("#code", "Enter")
            _answer(page, says)
        sync_api.expect(net).to_contain_text("4 check-ins saved on this phone, not yet sent")

        server.start()
        context.set_offline(False)
        _until(page, NET_SAYS, "Online ·", timeout=30)
        stored = _stored(app, event_id)
        assert set(stored) == set(times)
        for name, (at, arrived) in stored.items():
            early, late = times[name]
            assert early.timestamp() - 2 <= at.timestamp() <= late.timestamp() + 2, name
            assert arrived == at, name
        assert page.evaluate(KEPT, f"/station/{links['Main door']}")["queued"] == 0
        assert _errors(watch) == []
        browser.close()


def test_two_stations_offline_admit_one_person_once_and_both_hear_of_it(door, watch):
    app, base, server = door
    event_id, codes, links = _setup(app)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        main_context = browser.new_context(viewport=PHONE, is_mobile=True)
        side_context = browser.new_context(viewport=PHONE, is_mobile=True)
        main = _open_station(watch, main_context, base, links["Main door"])
        side = _open_station(watch, side_context, base, links["Side door"])
        for context in (main_context, side_context):
            context.set_offline(True)
        for page in (side, main):
            page.fill("#code", codes["Ana Souza"])
            page.press("#code", "Enter")
            _answer(page, "Checked in: Ana Souza", "not yet sent")
        side_context.set_offline(False)  # the side door's network returns first
        _until(side, NET_SAYS, "Online ·", timeout=30)
        main_context.set_offline(False)
        sync_api.expect(main.locator(".js-notices")).to_contain_text(
            "Ana Souza was also admitted at Side door", timeout=30000)
        # The side door hears of it at its next contact with the server.
        sync_api.expect(side.locator(".js-notices")).to_contain_text(
            "Ana Souza was also admitted at Main door", timeout=30000)
        assert list(_stored(app, event_id)) == ["Ana Souza"]

        assert _errors(watch) == []
        # The host revokes the side door's link: the phone forgets the guest list.
        from organizer.db import db
        from organizer.models import utcnow
        from organizer_plugins.badges.models import Station
        with app.app_context():
            db.session.execute(db.update(Station).where(Station.secret == links["Side door"])
                               .values(revoked_at=utcnow()))
            db.session.commit()
        assert side.evaluate(KEPT, f"/station/{links['Side door']}")["copy"] is True
        _answer(side, "This station link no longer works")
        _until(side, f"""async () => !(await ({KEPT})("/station/{links['Side door']}")).copy""")
        assert side.evaluate(KEPT, f"/station/{links['Main door']}")["copy"] is False  # never had it
        # Since the revocation, only the link's own "not found" answers.
        assert all("status of 404" in e for e in _errors(watch)), _errors(watch)
        browser.close()
