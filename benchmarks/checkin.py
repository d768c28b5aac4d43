"""Check-in scans through the real HTTP path, beside a bare Flask + SQLAlchemy UPDATE; and a
door's offline check-ins sent back in batches, beside the same scans sent one by one.

Builds an event with N attendees going (10,000 by default), each with a
signed ticket, and four check-in stations. Then, in the same run and on the
same SQLite database, gunicorn serves first a bare endpoint doing one
conditional UPDATE per request, then organizer itself; clients in a closed
loop scan every ticket once, as a door phone does (the station's link is
its authority: no session cookie, no form token). Prints scans per second,
p50/p99 latency, the ratio of the real path to the bare one, and lost
updates (answers "checked in" that the database did not keep: must be 0).

Then the four stations, as if each had admitted a quarter of the guests
without the network, send their scans to ``/sync``: first one scan per
request, then in batches of 500 (what a station sends when the network
returns). Prints the time each way, the ratio, and lost or doubled
check-ins (must be 0).

    .venv/bin/python benchmarks/checkin.py
    .venv/bin/python benchmarks/checkin.py --attendees 2000 --clients 8

Only 127.0.0.1 is ever contacted.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from support import RESET_CHECKINS, closed_loop, python, serve

SETUP = """
import secrets, sys
from datetime import timedelta
from sqlalchemy import insert
from organizer import create_app, events, auth
from organizer.db import db
from organizer.migrate import reset
from organizer.models import Attendee, utcnow
from organizer_plugins.badges.models import Station, Ticket
from organizer_plugins.badges.tickets import new_secret, url_for_secret
n = int(sys.argv[1])
app = create_app({"BASE_URL": "https://meet.example.org"})
with app.app_context():
    reset()
    host = auth.create_host("Bench Host", "bench@example.org", "a bench passphrase", "UTC")
    start = utcnow() + timedelta(hours=1)
    event = events.create(host, {"kind": "meetup", "title": "Door", "timezone": "UTC",
        "venue": "Hall", "capacity": n, "starts_at": start,
        "ends_at": start + timedelta(hours=3)}, publish=True)
    now = utcnow()
    db.session.execute(insert(Attendee), [
        {"event_id": event.id, "name": f"Person {i}", "email": f"p{i}@example.org",
         "status": "going", "guests": 0, "token": secrets.token_urlsafe(24),
         "organisation": "", "role": "", "created_at": now, "updated_at": now}
        for i in range(n)])
    ids = [row[0] for row in db.session.execute(db.select(Attendee.id).order_by(Attendee.id))]
    codes = [new_secret() for _ in ids]
    db.session.execute(insert(Ticket), [
        {"attendee_id": a, "event_id": event.id, "secret": c, "issued_at": now}
        for a, c in zip(ids, codes)])
    # Made before the doors opened (a station's scans are never dated before it).
    stations = [Station(event_id=event.id, name=f"Door {i + 1}", kind="door",
                        secret=secrets.token_urlsafe(24), created_at=now - timedelta(hours=2))
                for i in range(4)]
    db.session.add_all(stations)
    db.session.commit()
    # What each ticket's QR code holds: the URL with the secret and its signature.
    codes = [url_for_secret(code, event.id) for code in codes]
    print(__import__("json").dumps({"stations": [s.secret for s in stations], "ids": ids,
                                    "codes": codes}))
"""

BARE_APP = """
from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import text
import os
app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["BARE_DATABASE_URL"]
app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 10}}
db = SQLAlchemy(app)

@app.post("/bare/<int:attendee_id>")
def bare(attendee_id):
    result = db.session.execute(text(
        "UPDATE attendee SET checked_in_at = CURRENT_TIMESTAMP "
        "WHERE id = :id AND checked_in_at IS NULL"), {"id": attendee_id})
    db.session.commit()
    return {"result": "checked_in" if result.rowcount == 1 else "already"}
"""

COUNT = """
from sqlalchemy import func, select
from organizer import create_app
from organizer.db import db
from organizer.models import Attendee
from organizer_plugins.badges.models import CheckIn
app = create_app()
with app.app_context():
    print(db.session.scalar(select(func.count()).where(Attendee.checked_in_at.is_not(None))),
          db.session.scalar(select(func.count()).select_from(CheckIn)))
"""



def load(port: int, requests: list[tuple[str, str]], clients: int, headers: dict) -> dict:
    """Send each (path, body) once from ``clients`` closed-loop clients."""
    def send(conn, item) -> str:
        path, body = item
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        return json.loads(response.read()).get("result", str(response.status))

    connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                   for _ in range(clients)]
    result = closed_loop(connections, requests, send)
    return {**result, "answers": result["results"]}


def sync(port: int, stations: list[str], scans: list[list[dict]], size: int) -> dict:
    """Each station sends its scans to /sync, ``size`` a request, all four at once."""
    answers: dict[str, int] = {}
    lock = threading.Lock()
    gate = threading.Barrier(len(stations) + 1)

    def work(secret, own):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        gate.wait()
        for start in range(0, len(own), size):
            body = json.dumps({"scans": own[start:start + size]})
            conn.request("POST", f"/station/{secret}/sync", body=body,
                         headers={"Content-Type": "application/json"})
            response = conn.getresponse()
            results = json.loads(response.read())["results"]
            with lock:
                for result in results:
                    answers[result["result"]] = answers.get(result["result"], 0) + 1

    threads = [threading.Thread(target=work, args=pair) for pair in zip(stations, scans)]
    for thread in threads:
        thread.start()
    gate.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return {"seconds": time.perf_counter() - began, "answers": answers}


def offline_scans(codes: list[str], stations: int) -> list[list[dict]]:
    """Every ticket admitted once, by one of the stations in turn, a second apart."""
    start = datetime.now(timezone.utc) - timedelta(hours=1)
    scans: list[list[dict]] = [[] for _ in range(stations)]
    for i, code in enumerate(codes):
        scans[i % stations].append({"nonce": secrets.token_hex(16), "code": code,
                                    "at": (start + timedelta(seconds=i / 4)).isoformat()})
    return scans


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attendees", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="gunicorn processes (default: one per core)")
    args = parser.parse_args()
    instance = Path(tempfile.mkdtemp(prefix="organizer-bench-checkin-"))
    env = {**os.environ, "ORGANIZER_INSTANCE_PATH": str(instance),
           "ORGANIZER_SECRET_KEY": "bench-" + "k" * 40,
           "BARE_DATABASE_URL": f"sqlite:///{instance / 'organizer.db'}"}
    env.pop("ORGANIZER_DATABASE_URL", None)
    setup = json.loads(python(SETUP, env, str(args.attendees)))
    print(f"{args.attendees} attendees, {args.clients} clients, gunicorn {args.workers} "
          "workers, SQLite, 127.0.0.1")

    bare_dir = instance / "bare"
    bare_dir.mkdir()
    (bare_dir / "bare_app.py").write_text(BARE_APP)
    server, port = serve("bare_app:app", env, args.workers, cwd=bare_dir)
    try:
        bare = load(port, [(f"/bare/{i}", "") for i in setup["ids"]], args.clients, {})
    finally:
        server.terminate()
        server.wait(timeout=30)
    python(RESET_CHECKINS, env)

    stations = setup["stations"]
    server, port = serve("organizer.wsgi:app", env, args.workers)
    try:
        # The door phone's request: the station's link and the code, nothing else.
        headers = {"Accept": "application/json",
                   "Content-Type": "application/x-www-form-urlencoded"}
        path = f"/station/{stations[0]}/scan"
        real = load(port, [(path, f"code={code}") for code in setup["codes"]], args.clients,
                    headers)
    finally:
        server.terminate()
        server.wait(timeout=30)
    stored, records = map(int, python(COUNT, env).split())
    lost = real["answers"].get("checked_in", 0) - stored

    # Offline check-ins sent back: one by one, then in batches, on the same server.
    scans = offline_scans(setup["codes"], len(stations))
    batches = {}
    for name, size in (("one by one", 1), ("batches of 500", 500)):
        python(RESET_CHECKINS, env)
        server, port = serve("organizer.wsgi:app", env, args.workers)
        try:
            batches[name] = sync(port, stations, scans, size)
        finally:
            server.terminate()
            server.wait(timeout=30)
        kept, rows = map(int, python(COUNT, env).split())
        batches[name].update(kept=kept, rows=rows)

    print(f"{'path':<10} {'scans/s':>8} {'p50 ms':>7} {'p99 ms':>7}  answers")
    for name, r in (("bare", bare), ("organizer", real)):
        print(f"{name:<10} {r['per_second']:>8.0f} {r['p50']:>7.1f} {r['p99']:>7.1f}  "
              f"{r['answers']}")
    print(f"real / bare: {real['per_second'] / bare['per_second']:.2f}   "
          f"lost updates: {lost} (check-in records {records})   goal: >= 0.80, 0 lost")
    print()
    n = len(setup["codes"])
    print(f"{n} offline check-ins from {len(stations)} stations sent to /sync")
    for name, r in batches.items():
        wrong = n - r["kept"] + abs(r["rows"] - r["kept"])
        print(f"{name:<15} {r['seconds']:>7.2f} s  {n / r['seconds']:>8.0f} scans/s  "
              f"{r['answers']}  lost or doubled: {wrong}")
    speedup = batches["one by one"]["seconds"] / batches["batches of 500"]["seconds"]
    print(f"batches / one by one: {speedup:.1f}x faster   goal: >= 5x, 0 lost or doubled")


if __name__ == "__main__":
    main()
