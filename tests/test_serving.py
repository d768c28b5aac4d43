"""`organizer serve` with nothing else running: mail goes out within seconds, reminders fire on
time, a runner that dies comes back, a deliverer killed mid-batch loses and doubles nothing,
and the access log never shows a private link."""
from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest

from organizer import create_app
from organizer.db import db

from .smtp_server import SMTPServer

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
SECRET = "serving-test-" + "k" * 32


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(instance: Path, **settings) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORGANIZER_")}
    env.update({"ORGANIZER_INSTANCE_PATH": str(instance), "ORGANIZER_SECRET_KEY": SECRET,
                **{f"ORGANIZER_{k}": str(v) for k, v in settings.items()}})
    return env


def _prepare(instance: Path, guests: int = 0, starts_in=timedelta(days=3)) -> dict:
    """A migrated database with a host and a published event (and ``guests`` going)."""
    app = create_app({"INSTANCE_PATH": str(instance), "SECRET_KEY": SECRET,
                      "DELIVERY": "worker", "BASE_URL": "http://127.0.0.1"})
    with app.app_context():
        from organizer import auth, events
        from organizer.migrate import upgrade
        from organizer.models import utcnow
        from organizer_plugins.rsvp import seats
        upgrade()
        host = auth.create_host("Ana Host", "ana@example.org", "a long passphrase", "UTC")
        start = utcnow() + starts_in
        event = events.create(host, {"kind": "meetup", "title": "Served meetup",
                                     "timezone": "UTC", "venue": "Hall", "capacity": 50,
                                     "starts_at": start,
                                     "ends_at": start + timedelta(hours=2)}, publish=True)
        people = [seats.register(event.id, f"Guest {n}", f"guest{n}@example.org")
                  for n in range(guests)]
        found = {"slug": event.slug, "event_id": event.id, "tokens": [p.token for p in people]}
        db.session.remove()
        db.engine.dispose()
    return found


def _wait(condition, seconds: float, what: str):
    deadline = time.time() + seconds
    while time.time() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"not within {seconds} s: {what}")


def _get(port: int, path: str) -> tuple[int, str, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read().decode()
    conn.close()
    return response.status, body, dict(response.getheaders())


def _rsvp(port: int, slug: str, name: str, email: str) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", f"/e/{slug}")
    response = conn.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie").split(";")[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    conn.request("POST", f"/e/{slug}/rsvp", body=urlencode(
        {"csrf_token": token, "name": name, "email": email}), headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    response = conn.getresponse()
    body = response.read().decode()
    conn.close()
    return response.status, body


def _mails(instance: Path, subject_start: str) -> list[str]:
    folder = instance / "outbox"
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.eml")):
        text = path.read_text(errors="replace")
        if re.search(rf"^Subject: {re.escape(subject_start)}", text, re.M):
            found.append(text)
    return found


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@pytest.fixture
def served(tmp_path):
    """`organizer serve` on a free port (gunicorn + its runner), its output in a file."""
    started = []

    def start(instance: Path, **settings):
        port = _port()
        log = open(tmp_path / f"serve-{port}.log", "w")
        process = subprocess.Popen(
            [sys.executable, "-c", "from organizer.cli import main; main()", "serve",
             "--port", str(port), "--workers", "2"],
            env=_env(instance, **settings), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        started.append((process, log))
        _wait(lambda: _answers(port) or process.poll() is not None, 60, "the server answers")
        assert process.poll() is None, (tmp_path / f"serve-{port}.log").read_text()
        return process, port, tmp_path / f"serve-{port}.log"

    yield start
    for process, log in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()


def _answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def test_serve_alone_mails_within_seconds_fires_reminders_and_keeps_secrets_out_of_the_log(
        tmp_path, served):
    instance = tmp_path / "instance"
    # An event tomorrow morning with two people going: its 24-hour reminder is due now.
    soon = _prepare(instance, guests=2, starts_in=timedelta(hours=20))
    process, port, log = served(instance)
    status, page = _rsvp(port, soon["slug"], "Cara Walk-in", "cara@example.org")
    assert status == 201
    link = re.search(r"http://127\.0\.0\.1:\d+/rsvp/([\w-]+)", page)
    assert link, "the confirmation page shows the private link"
    began = time.time()
    _wait(lambda: [m for m in _mails(instance, "You're going") if "cara@example.org" in m],
          10, "Cara's confirmation in the outbox")
    assert time.time() - began < 10
    # The runner did the due work by itself: the two guests going are reminded, once.
    reminders = _wait(lambda: len(_mails(instance, "Reminder")) >= 3 and _mails(instance,
                                                                                   "Reminder"),
                      15, "reminders for everyone going")
    assert len(reminders) == 3
    # A private page: no caching, and its secret stays out of the access log.
    status, _, headers = _get(port, f"/rsvp/{link.group(1)}")
    assert status == 200 and headers["Cache-Control"] == "private, no-store"
    # A form sent without its token, a page that does not exist under the link, and a
    # file the private page loads (its address is the referrer): all logged, none with it.
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for method, path, headers in (
            ("POST", f"/rsvp/{link.group(1)}/cancel", {}),
            ("GET", f"/rsvp/{link.group(1)}/nothing-here", {}),
            ("GET", "/static/app.css", {"Referer": link.group(0)})):
        conn.request(method, path, headers=headers)
        conn.getresponse().read()
    conn.close()
    _wait(lambda: "GET /rsvp/…" in log.read_text() and "/static/app.css" in log.read_text(),
          10, "the private page in the access log")
    assert "POST /rsvp/…/cancel" in log.read_text()
    # Nobody vouched for forwarded headers: a claimed https does not make cookies Secure.
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/signin", headers={"X-Forwarded-Proto": "https"})
    response = conn.getresponse()
    response.read()
    conn.close()
    cookie = response.getheader("Set-Cookie")
    assert cookie and "Secure" not in cookie
    assert link.group(1) not in log.read_text()
    for token in soon["tokens"]:
        assert token not in log.read_text()


def test_a_runner_that_dies_is_started_again_and_mail_keeps_flowing(tmp_path, served):
    instance = tmp_path / "instance"
    event = _prepare(instance)
    process, port, log = served(instance)
    runners = _wait(lambda: [pid for pid in _children(process.pid)
                             if "organizer.runner" in _cmdline(pid)], 20, "a runner process")
    os.kill(runners[0], signal.SIGKILL)
    _wait(lambda: [pid for pid in _children(process.pid)
                   if "organizer.runner" in _cmdline(pid) and pid != runners[0]],
          20, "a new runner")
    assert _rsvp(port, event["slug"], "Dee", "dee@example.org")[0] == 201
    _wait(lambda: _mails(instance, "You're going"), 15, "the confirmation after the restart")
    assert "starting it again" in log.read_text()
    assert process.poll() is None


def test_a_deliverer_killed_mid_batch_loses_nothing_and_sends_nothing_twice(tmp_path):
    instance = tmp_path / "instance"
    _prepare(instance)
    app = create_app({"INSTANCE_PATH": str(instance), "SECRET_KEY": SECRET,
                      "DELIVERY": "worker", "BASE_URL": "http://127.0.0.1"})
    with app.app_context():
        from organizer import mail
        from organizer.db import commit
        queued = [mail.queue_message(mail.Message(to=f"p{n}@example.org", subject=f"Note {n}",
                                                  text="Hello")) for n in range(30)]
        commit()
        db.session.remove()
        db.engine.dispose()
    with SMTPServer() as server:
        env = _env(instance, SMTP_URL=server.url, DELIVERY="worker",
                   DELIVERY_LEASE_SECONDS=3, RUNNER_POLL_SECONDS=0.2)
        worker = [sys.executable, "-c", "from organizer.cli import main; main()", "worker"]
        # Nine go through; the tenth is held on the wire, and the deliverer is killed.
        server.hold_after = 9
        first = subprocess.Popen(worker, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        try:
            assert server.held.wait(60), "the tenth message never arrived"
        finally:
            first.kill()
            first.wait(timeout=30)
        server.drop_held = True
        server.release.set()  # the dead sender's message is thrown away, as a server does
        time.sleep(0.2)
        server.hold_after = None
        assert len(server.message_ids()) == 9
        second = subprocess.Popen(worker, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            _wait(lambda: len(server.message_ids()) >= 30, 60, "all 30 delivered")
            time.sleep(1)  # anything sent twice would arrive now
        finally:
            second.terminate()
            second.wait(timeout=30)
        received = server.message_ids()
    assert sorted(received) == sorted(queued), "every message once, under its own Message-ID"


def test_serving_other_machines_without_base_url_says_what_to_set(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", "from organizer.cli import main; main()", "serve",
         "--host", "0.0.0.0", "--port", str(_port())],
        env=_env(tmp_path / "instance"), cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "Set ORGANIZER_BASE_URL" in result.stderr and "links in mails" in result.stderr
