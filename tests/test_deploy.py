"""Two gunicorn app servers and two workers sharing PostgreSQL and Redis.

RSVPs and scans are spread over both servers: no oversell, each person's mail
delivered once by the workers, one check-in per ticket; a badge sheet asked for on one server is built by the worker and
downloaded from the other; a job handed out twice runs once; the sign-in
limit is counted across servers; a sign-in on one server is valid on the
other. Needs PostgreSQL (ORGANIZER_TEST_DATABASE_URL, as CI sets) and Redis
on 127.0.0.1:6379.
"""
from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest

from .conftest import PASSWORD, PG_URL, truncate_pg

REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    not (PG_URL and _redis_answers()),
    reason="the multi-server test needs PostgreSQL (ORGANIZER_TEST_DATABASE_URL) and Redis")]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port: int, process: subprocess.Popen) -> None:
    deadline = time.time() + 60
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"a server exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("a server did not start")


class Browser:
    """One person's browser: cookies kept, any of the servers asked."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def request(self, port: int, method: str, path: str, form: dict | None = None,
                headers: dict | None = None) -> tuple[int, str, dict]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        sent = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
                **(headers or {})}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        data = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        conn.close()
        return response.status, data, dict(response.getheaders())

    def csrf(self, port: int, path: str) -> str:
        _, page, _ = self.request(port, "GET", path)
        found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or \
            re.search(r'data-csrf="([^"]+)"', page)
        return found.group(1)


@pytest.fixture
def cluster(tmp_path, pg_ready):
    """Two app servers and a worker; yields (ports, app for direct database access)."""
    from redis import Redis

    from organizer import create_app
    truncate_pg(pg_ready)
    instance = tmp_path / "shared-instance"  # job files: written by the worker, sent by servers
    instance.mkdir()
    prefix = "test-" + secrets.token_hex(4)
    settings = {
        "DATABASE_URL": pg_ready, "SECRET_KEY": "shared-" + secrets.token_hex(16),
        "INSTANCE_PATH": str(instance), "BASE_URL": "http://127.0.0.1",
        "RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": prefix,
        "JOB_BACKEND": "rq", "REDIS_URL": REDIS_URL, "JOB_QUEUE": prefix,
        # The app servers only queue mail; the workers deliver it.
        "DELIVERY": "worker", "RUNNER_POLL_SECONDS": "0.2",
        "RSVP_RATE_LIMIT": "10000 per minute", "SIGNIN_RATE_LIMIT": "3 per minute",
    }
    env = {**os.environ, **{f"ORGANIZER_{k}": v for k, v in settings.items()}}
    env.pop("ORGANIZER_TEST_DATABASE_URL", None)
    processes, ports = [], []
    try:
        for _ in range(2):
            port = _port()
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind",
                 f"127.0.0.1:{port}", "--log-level", "warning", "organizer.wsgi:app"],
                env=env, cwd=Path(__file__).parent.parent))
            ports.append(port)
        for _ in range(2):  # two workers: each message still goes out once
            processes.append(subprocess.Popen(
                [sys.executable, "-c", "from organizer.cli import main; main()", "worker"],
                env=env, stdout=subprocess.DEVNULL))
        for port, process in zip(ports, processes, strict=False):
            _wait_for(port, process)
        app = create_app(settings)
        with app.app_context():
            try:
                yield ports, app
            finally:
                from organizer.db import db
                db.session.remove()
                db.engine.dispose()
                queue_connection = app.extensions.get("organizer.queue")
                if queue_connection is not None:
                    queue_connection.connection.close()
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        redis = Redis.from_url(REDIS_URL)
        for key in redis.scan_iter(f"*{prefix}*"):
            redis.delete(key)


def _setup(app, capacity: int):
    from organizer import auth, events
    from organizer.db import db
    from organizer.models import utcnow
    host = auth.create_host("Ana Host", "ana@example.org", PASSWORD, "UTC")
    db.session.commit()
    start = utcnow() + timedelta(days=2)
    event = events.create(host, {"kind": "meetup", "title": "Shared meetup", "timezone": "UTC",
                                 "venue": "Hall", "capacity": capacity, "starts_at": start,
                                 "ends_at": start + timedelta(hours=2)}, publish=True)
    return host, event


def _together(count: int, work) -> list:
    results: list = [None] * count
    gate = threading.Barrier(count, timeout=60)

    def run(n):
        gate.wait()
        results[n] = work(n)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


def test_two_servers_and_a_worker_share_everything_that_matters(cluster):
    from sqlalchemy import func, select

    from organizer.db import db
    from organizer.models import Attendee, Job
    from organizer_plugins.badges import tickets
    from organizer_plugins.badges.models import CheckIn, Station

    ports, app = cluster
    host, event = _setup(app, capacity=20)

    # 60 people RSVP at once, half through each server: 20 going, 40 waiting.
    slug, event_id = event.slug, event.id  # threads have no app context to load them

    def rsvp(n):
        browser, port = Browser(), ports[n % 2]
        token = browser.csrf(port, f"/e/{slug}")
        status, _, _ = browser.request(port, "POST", f"/e/{slug}/rsvp", {
            "csrf_token": token, "name": f"Guest {n}", "email": f"guest{n}@example.org"})
        return status

    statuses = _together(60, rsvp)
    assert set(statuses) == {201}, statuses
    db.session.expire_all()
    counts = dict(db.session.execute(select(Attendee.status, func.count()).where(
        Attendee.event_id == event_id).group_by(Attendee.status)).all())
    assert counts == {"going": 20, "waiting": 40}
    # The two workers deliver each person's mail, and nobody's twice.
    outbox = Path(app.instance_path) / "outbox"
    deadline = time.time() + 60
    while time.time() < deadline and len(list(outbox.glob("*.eml"))) < 60:
        time.sleep(0.3)
    recipients = sorted(re.search(r"^To: (.+)$", p.read_text(), re.M).group(1)
                        for p in outbox.glob("*.eml"))
    assert recipients == sorted(f"guest{n}@example.org" for n in range(60))

    # Ten door phones on both servers scan one ticket at once: one check-in.
    guest = db.session.scalars(select(Attendee).where(
        Attendee.event_id == event_id, Attendee.status == "going")).first()
    code = tickets.url(tickets.ticket_for(guest))
    station = Station(event_id=event_id, name="Door", kind="door",
                      secret=secrets.token_urlsafe(24))
    db.session.add(station)
    db.session.commit()
    door = station.secret

    def scan(n):
        # A door phone sends the code alone: the station's link is its authority.
        browser, port = Browser(), ports[n % 2]
        _, body, _ = browser.request(port, "POST", f"/station/{door}/scan",
                                     {"code": code}, {"Accept": "application/json"})
        return json.loads(body)["result"]

    answers = _together(10, scan)
    assert sorted(answers) == ["already"] * 9 + ["checked_in"]
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 1

    # The host signs in on one server and is signed in on the other.
    host_browser = Browser()
    token = host_browser.csrf(ports[0], "/signin")
    status, _, _ = host_browser.request(ports[0], "POST", "/signin", {
        "csrf_token": token, "email": "ana@example.org", "password": PASSWORD})
    assert status == 302
    token = host_browser.csrf(ports[1], f"/events/{event_id}/badges")
    status, _, headers = host_browser.request(ports[1], "POST", f"/events/{event_id}/badges", {
        "csrf_token": token, "layout": "a4-2x4", "who": "going", "blanks": "0"})
    assert status == 302 and "/jobs/" in headers["Location"]
    job_id = int(headers["Location"].rstrip("/").rsplit("/", 1)[1])
    # The worker builds it; the other server shows the progress and sends the file.
    deadline, state = time.time() + 90, {}
    while time.time() < deadline:
        _, body, _ = host_browser.request(ports[0], "GET", f"/jobs/{job_id}.json")
        state = json.loads(body)
        if state["status"] in ("done", "failed"):
            break
        time.sleep(0.3)
    assert state["status"] == "done" and state["done"] == 20, state
    status, pdf, _ = host_browser.request(ports[0], "GET", state["download"])
    assert status == 200 and pdf.startswith("%PDF")
    # A job handed out twice runs once.
    db.session.expire_all()
    first_start = db.session.get(Job, job_id).started_at
    from organizer.jobs import queue, run_in_worker
    queue(app).enqueue(run_in_worker, job_id)
    time.sleep(3)
    db.session.expire_all()
    job = db.session.get(Job, job_id)
    assert job.status == "done" and job.started_at == first_start

    # The sign-in limit (3 a minute) is counted across both servers.
    intruder = Browser()
    results = []
    for attempt in range(3):
        port = ports[attempt % 2]
        token = intruder.csrf(port, "/signin")
        status, _, _ = intruder.request(port, "POST", "/signin", {
            "csrf_token": token, "email": "ana@example.org", "password": "wrong password!"})
        results.append(status)
    # One sign-in of the host and two failures were allowed; the next, on either server, is not.
    assert results[:2] != [429, 429] and results[2] == 429, results
