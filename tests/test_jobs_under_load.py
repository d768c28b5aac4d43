"""Long jobs beside a stream of form posts, on SQLite, through gunicorn.

Ten badge sheets and follow-up ZIPs are asked for while twenty browsers keep
RSVPing to an event. Every job must end ("done", or "failed" with a sentence
a person can read), none may be left running or queued, none may die of
"database is locked", and no job page or its JSON may show SQL, a traceback
or a path on the server.
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

from .conftest import PASSWORD

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
GUESTS = 40          # checked-in guests of the event the jobs are about
JOBS = 10            # badge sheets and follow-up ZIPs, alternating
POSTERS = 20         # browsers RSVPing (each posts again as soon as it is answered)
SERVER_WORKERS = 2   # gunicorn processes (sync workers)
JOB_WORKERS = 2      # job threads in each of them
JOBS_DEADLINE = 35   # seconds for every job to end once all were submitted

INTERNAL = re.compile(
    r"\[SQL:|\[parameters:|\bSELECT\b|\bUPDATE\b|\bINSERT\b|sqlite3|OperationalError"
    r"|psycopg|Traceback|File \"|database is locked|Errno|/tmp/|/work/|/home/|/srv/")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """One person's browser: its cookies, one server."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None,
                headers: dict | None = None) -> tuple[int, str, dict]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        sent = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
                **(headers or {})}
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            data = response.read().decode("utf-8", "replace")
        finally:
            conn.close()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, data, {k.lower(): v for k, v in response.getheaders()}

    def csrf(self, path: str) -> str:
        _, page, _ = self.request("GET", path)
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def _setup(instance: Path, settings: dict) -> dict:
    """Migrate, then a host, the event the jobs are about (with checked-in guests) and an
    event open for RSVPs."""
    from organizer import auth, create_app, events
    from organizer.db import db
    from organizer.migrate import upgrade
    from organizer.models import Attendee, utcnow

    app = create_app(settings)
    with app.app_context():
        upgrade()
        host = auth.create_host("Ana Host", "ana@example.org", PASSWORD, "UTC")
        db.session.commit()
        now = utcnow()
        start = now - timedelta(hours=3)
        meetup = events.create(host, {
            "kind": "meetup", "title": "Spring meetup", "timezone": "UTC", "venue": "Hall",
            "capacity": 500, "starts_at": start, "ends_at": start + timedelta(hours=2)},
            publish=True)
        db.session.add_all(Attendee(
            event_id=meetup.id, name=f"Guest {n:02d} Example", email=f"guest{n}@example.org",
            organisation="Example Ltd", role="Engineer", checked_in_at=now - timedelta(hours=2))
            for n in range(GUESTS))
        db.session.commit()
        later = now + timedelta(days=3)
        surge = events.create(host, {
            "kind": "meetup", "title": "Summer meetup", "timezone": "UTC", "venue": "Hall",
            "capacity": 100_000, "starts_at": later, "ends_at": later + timedelta(hours=2)},
            publish=True)
        found = {"host_id": host.id, "event_id": meetup.id, "surge_slug": surge.slug}
        db.session.remove()
        db.engine.dispose()
    return found


def _jobs_in_database(settings: dict) -> list[dict]:
    from sqlalchemy import select

    from organizer import create_app
    from organizer.db import db
    from organizer.models import Job

    app = create_app(settings)
    with app.app_context():
        rows = [{"id": j.id, "kind": j.kind, "status": j.status, "message": j.message,
                 "error": j.error} for j in db.session.scalars(select(Job).order_by(Job.id))]
        db.session.remove()
        db.engine.dispose()
    return rows


@pytest.fixture
def server(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    settings = {"INSTANCE_PATH": str(instance), "SECRET_KEY": "load-" + secrets.token_hex(16),
                "BASE_URL": "http://127.0.0.1", "JOB_BACKEND": "thread",
                "JOB_WORKERS": JOB_WORKERS, "PDF_PROCESSES": 1,
                "RSVP_RATE_LIMIT": "100000 per minute", "SIGNIN_RATE_LIMIT": "1000 per minute"}
    found = _setup(instance, settings)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORGANIZER_")}
    env.update({f"ORGANIZER_{k}": str(v) for k, v in settings.items()})
    port = _port()
    log = tmp_path / "server.log"
    with open(log, "w") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(SERVER_WORKERS), "--bind",
             f"127.0.0.1:{port}", "--log-level", "warning", "organizer.wsgi:app"],
            env=env, cwd=ROOT, stdout=log_file, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 30
        while True:
            assert process.poll() is None, "gunicorn exited"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.time() < deadline, "gunicorn did not start"
                time.sleep(0.1)
        yield {**found, "port": port, "instance": instance, "settings": settings, "log": log}
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _poster(port: int, slug: str, number: int, stop: threading.Event,
            statuses: list, lock: threading.Lock) -> None:
    browser = Browser(port)
    token = browser.csrf(f"/e/{slug}")
    count = 0
    while not stop.is_set():
        count += 1
        try:
            status, _, _ = browser.request("POST", f"/e/{slug}/rsvp", {
                "csrf_token": token, "name": f"Poster {number} #{count}",
                "email": f"poster{number}-{count}@example.org"})
        except OSError as exc:
            status = f"error: {exc}"
        with lock:
            statuses.append(status)


def test_jobs_beside_form_posts_all_end_with_a_readable_outcome(server):
    port, event_id = server["port"], server["event_id"]
    host = Browser(port)
    status, _, _ = host.request("POST", "/signin", {
        "csrf_token": host.csrf("/signin"), "email": "ana@example.org", "password": PASSWORD})
    assert status == 302

    stop, lock, statuses = threading.Event(), threading.Lock(), []
    posters = [threading.Thread(target=_poster, args=(port, server["surge_slug"], n, stop,
                                                      statuses, lock), daemon=True)
               for n in range(POSTERS)]
    for t in posters:
        t.start()
    job_ids: list[int] = []
    began = time.time()
    try:
        time.sleep(0.5)  # the posts are under way
        for n in range(JOBS):
            if n % 2 == 0:
                token = host.csrf(f"/events/{event_id}/badges")
                status, body, headers = host.request("POST", f"/events/{event_id}/badges", {
                    "csrf_token": token, "layout": "a4-2x4", "who": "going", "blanks": "0"})
            else:
                token = host.csrf(f"/events/{event_id}/followup")
                status, body, headers = host.request(
                    "POST", f"/events/{event_id}/followup/zip", {"csrf_token": token})
            assert status == 302 and "/jobs/" in headers.get("location", ""), (status, body[:500])
            job_ids.append(int(headers["location"].rstrip("/").rsplit("/", 1)[1]))
        states: dict[int, dict] = {}
        deadline = time.time() + JOBS_DEADLINE
        while time.time() < deadline:
            for job_id in job_ids:
                if states.get(job_id, {}).get("status") in ("done", "failed"):
                    continue
                status, body, _ = host.request("GET", f"/jobs/{job_id}.json")
                assert status == 200, (status, body[:500])
                states[job_id] = json.loads(body)
            if all(s["status"] in ("done", "failed") for s in states.values()):
                break
            time.sleep(0.5)
    finally:
        stop.set()
        for t in posters:
            t.join(60)
    elapsed = time.time() - began

    stored = _jobs_in_database(server["settings"])
    summary = [(s["id"], s["kind"], s["status"], s["message"][:160]) for s in stored]
    print(f"{len(job_ids)} jobs and {len(statuses)} RSVPs in {elapsed:.1f} s: {summary}")
    summary.append(server["log"].read_text()[-3000:])  # the server's last words, if it fails
    assert len(statuses) >= POSTERS, statuses
    # The posts themselves were answered (no server errors) while the jobs ran.
    assert not [s for s in statuses if not isinstance(s, int) or s >= 500], (
        sorted(set(map(str, statuses))))
    assert not [s for s in stored if "database is locked" in (s["message"] + s["error"])], summary
    assert not [s for s in stored if s["status"] in ("queued", "running")], (
        f"left unfinished after {elapsed:.0f} s", summary)
    assert all(s["status"] in ("done", "failed") for s in stored), summary

    instance = str(server["instance"])
    for job_id in job_ids:
        status, page, _ = host.request("GET", f"/jobs/{job_id}")
        _, body, _ = host.request("GET", f"/jobs/{job_id}.json")
        state = json.loads(body)
        for text in (page, body):
            assert status == 200 and instance not in text and str(ROOT) not in text
            assert not INTERNAL.search(text), (job_id, INTERNAL.search(text), text[:1500])
        if state["status"] == "failed":
            # A sentence a person can read.
            assert re.fullmatch(r"[A-Z].{10,}[.!]", state["message"] or ""), state
        else:
            assert state["status"] == "done" and state["download"], state
            status, data, _ = host.request("GET", state["download"])
            assert status == 200 and data[:4] in ("%PDF", "PK\x03\x04"), (status, data[:200])
    # Most of the work got done: failures, if any, are the exception.
    assert sum(s["status"] == "done" for s in stored) == JOBS, summary
