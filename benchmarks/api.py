"""The JSON API through gunicorn, beside bare Flask + SQLAlchemy endpoints doing the same queries.

Builds an event with N guests going (10,000 by default) and a host's API
token. Then, in the same run and on the same SQLite database, gunicorn serves
first a bare app, then organizer, and clients:

- walk the whole guest list page by page (200 a page, each walker following
  the previous page's cursor; four walkers at once), bare: the same SELECT
  (the event's guests after an id, 201 rows) turned into the same JSON
  (times in ISO 8601 with their offset);
- check in 1,000 guests by id (16 clients), bare: one conditional UPDATE
  (the bare app and organizer each check in their own 1,000).

Both servers stay up and take turns, five of each kind, the first to go
alternating, so the machine's drift within a run falls on both alike.

Prints guests listed per second and check-ins per second for both, p50/p99
latency, and the ratios (goal ≥ 0.7 for both). The token's rate limit is
raised for the run (``ORGANIZER_API_RATE_LIMIT``): a door or a sync job
that sends this much has its limit raised the same way.

    .venv/bin/python benchmarks/api.py
    .venv/bin/python benchmarks/api.py --attendees 2000 --runs 3

Only 127.0.0.1 is ever contacted.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import tempfile
import time
from pathlib import Path

from support import RESET_CHECKINS, closed_loop, python, serve

SETUP = """
import secrets, sys
from datetime import timedelta
from sqlalchemy import insert
from organizer import create_app, events, auth
from organizer.api import tokens
from organizer.db import db
from organizer.migrate import reset
from organizer.models import Attendee, utcnow
n = int(sys.argv[1])
app = create_app()
with app.app_context():
    reset()
    host = auth.create_host("Bench Host", "bench@example.org", "a bench passphrase", "UTC")
    start = utcnow() + timedelta(hours=1)
    event = events.create(host, {"kind": "meetup", "title": "API", "timezone": "UTC",
        "venue": "Hall", "capacity": n, "starts_at": start,
        "ends_at": start + timedelta(hours=3)}, publish=True)
    now = utcnow()
    db.session.execute(insert(Attendee), [
        {"event_id": event.id, "name": f"Person {i}", "email": f"p{i}@example.org",
         "status": "going", "guests": 0, "token": secrets.token_urlsafe(24),
         "organisation": "Org", "role": "", "created_at": now, "updated_at": now}
        for i in range(n)])
    db.session.commit()
    ids = [row[0] for row in db.session.execute(db.select(Attendee.id).order_by(Attendee.id))]
    _, secret = tokens.issue(host, "bench", "write")
    print(__import__("json").dumps({"event": event.id, "ids": ids, "token": secret}))
"""

BARE_APP = """
import os
from datetime import datetime, timezone
from flask import Flask, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import text
app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["BARE_DATABASE_URL"]
app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 10}}
db = SQLAlchemy(app)
TIMES = ("checked_in_at", "created_at", "updated_at")
COLUMNS = ("id, event_id, name, email, organisation, role, status, guests, checked_in_at, "
           "created_at, updated_at")

@app.get("/bare/events/<int:event_id>/attendees")
def listing(event_id):
    limit = int(request.args.get("limit", 50))
    after = int(request.args.get("after", 0))
    rows = db.session.execute(text(
        f"SELECT {COLUMNS} FROM attendee WHERE event_id = :e AND id > :a ORDER BY id "
        "LIMIT :l"), {"e": event_id, "a": after, "l": limit + 1}).mappings().all()
    # Times as ISO 8601 with their offset, as any API must send them.
    items = [{**row, **{k: datetime.fromisoformat(row[k]).replace(tzinfo=timezone.utc)
                        .isoformat() if row[k] else None for k in TIMES}}
             for row in rows[:limit]]
    return {"items": items, "next_cursor": items[-1]["id"] if len(rows) > limit else None}

@app.post("/bare/check-in/<int:attendee_id>")
def check_in(attendee_id):
    result = db.session.execute(text(
        "UPDATE attendee SET checked_in_at = CURRENT_TIMESTAMP, updated_at = CURRENT_TIMESTAMP "
        "WHERE id = :id AND checked_in_at IS NULL AND status = 'going'"), {"id": attendee_id})
    db.session.commit()
    return {"result": "checked_in" if result.rowcount == 1 else "already"}
"""


WALKERS, PAGE = 4, 200
# The bare app and organizer are measured in turns, several times, with both servers
# up: the machine's speed drifts by tens of per cent within a minute, and turns
# spread that drift over both.
TURNS = 5


def walk(port: int, path: str, headers: dict, cursor_param: str) -> tuple[int, list[float]]:
    """Follow the cursor from the first page to the last; return guests seen and latencies."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    seen, cursor, latencies = 0, None, []
    while True:
        query = f"?limit={PAGE}" + (f"&{cursor_param}={cursor}" if cursor is not None else "")
        began = time.perf_counter()
        conn.request("GET", path + query, headers=headers)
        response = conn.getresponse()
        page = json.loads(response.read())
        latencies.append(time.perf_counter() - began)
        if response.status != 200:
            raise RuntimeError(f"{response.status}: {page}")
        seen += len(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return seen, latencies


def listing(port: int, path: str, headers: dict, cursor_param: str, expected: int) -> dict:
    """``WALKERS`` walkers through the whole list at once (of ``expected`` guests)."""
    import threading
    results: list = []
    gate = threading.Barrier(WALKERS + 1)

    def one():
        gate.wait()
        results.append(walk(port, path, headers, cursor_param))

    threads = [threading.Thread(target=one) for _ in range(WALKERS)]
    for t in threads:
        t.start()
    gate.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    return {"done": sum(n for n, _ in results), "seconds": time.perf_counter() - began,
            "latencies": [x for _, lat in results for x in lat],
            "answers": {"complete walks": sum(n == expected for n, _ in results),
                        "short walks": sum(n != expected for n, _ in results)}}


def check_ins(port: int, requests: list[tuple[str, str]], clients: int, headers: dict) -> dict:
    def send(conn, item) -> str:
        path, body = item
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        return json.loads(response.read()).get("result", str(response.status))

    connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                   for _ in range(clients)]
    result = closed_loop(connections, requests, send)
    return {"done": len(requests), "seconds": len(requests) / result["per_second"],
            "latencies": result["latencies"], "answers": result["results"]}


def _total(parts: list[dict]) -> dict:
    """Turns added up: the rate over all of them, latencies over all of them."""
    latencies = sorted(x for part in parts for x in part["latencies"])
    answers: dict = {}
    for part in parts:
        for key, count in part["answers"].items():
            answers[key] = answers.get(key, 0) + count
    return {"per_second": sum(p["done"] for p in parts) / sum(p["seconds"] for p in parts),
            "p99": 1000 * latencies[int(0.99 * (len(latencies) - 1))], "answers": answers}


def one_run(env: dict, setup: dict, args, instance: Path) -> dict:
    ids = setup["ids"]
    bare_ids, real_ids = ids[:args.checkins], ids[args.checkins:2 * args.checkins]
    bare_dir = instance / "bare"
    bare_dir.mkdir(exist_ok=True)
    (bare_dir / "bare_app.py").write_text(BARE_APP)
    auth = {"Authorization": f"Bearer {setup['token']}"}
    event = setup["event"]
    bare, bare_port = serve("bare_app:app", env, args.workers, cwd=bare_dir)
    real, real_port = serve("organizer.wsgi:app", env, args.workers)
    parts: dict[str, list] = {"bare_list": [], "real_list": [], "bare_in": [], "real_in": []}
    try:
        for turn in range(TURNS):
            chunk = slice(turn * len(bare_ids) // TURNS, (turn + 1) * len(bare_ids) // TURNS)
            steps = [
                ("bare_list", lambda: listing(bare_port, f"/bare/events/{event}/attendees", {},
                                              "after", len(ids))),
                ("real_list", lambda: listing(real_port, f"/api/v1/events/{event}/attendees",
                                              auth, "cursor", len(ids))),
                ("bare_in", lambda: check_ins(
                    bare_port, [(f"/bare/check-in/{i}", "") for i in bare_ids[chunk]],
                    args.clients, {})),
                ("real_in", lambda: check_ins(
                    real_port, [(f"/api/v1/events/{event}/check-ins",
                                 json.dumps({"attendee_id": i, "request_id": f"bench-{i}"}))
                                for i in real_ids[chunk]],
                    args.clients, {**auth, "Content-Type": "application/json"})),
            ]
            # Who goes first alternates from turn to turn.
            order = steps if turn % 2 == 0 else [steps[1], steps[0], steps[3], steps[2]]
            for name, step in order:
                parts[name].append(step())
    finally:
        for server in (bare, real):
            server.terminate()
            server.wait(timeout=30)
    python(RESET_CHECKINS, env)
    return {name: _total(found) for name, found in parts.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attendees", type=int, default=10_000)
    parser.add_argument("--checkins", type=int, default=1_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="gunicorn processes (default: one per core)")
    args = parser.parse_args()
    instance = Path(tempfile.mkdtemp(prefix="organizer-bench-api-"))
    env = {**os.environ, "ORGANIZER_INSTANCE_PATH": str(instance),
           "ORGANIZER_SECRET_KEY": "bench-" + "k" * 40, "ORGANIZER_API_RATE_LIMIT": "1000000",
           "BARE_DATABASE_URL": f"sqlite:///{instance / 'organizer.db'}"}
    env.pop("ORGANIZER_DATABASE_URL", None)
    setup = json.loads(python(SETUP, env, str(args.attendees)))
    print(f"{args.attendees} guests listed {PAGE} a page by {WALKERS} walkers, {TURNS} times; "
          f"{args.checkins} check-ins by {args.clients} clients; in {TURNS} turns each, bare "
          f"and organizer alternating; gunicorn {args.workers} workers each, SQLite, 127.0.0.1")
    print(f"{'run':<4} {'what':<10} {'bare /s':>9} {'api /s':>9} {'ratio':>6} "
          f"{'bare p99':>9} {'api p99':>8}  answers")
    for run in range(1, args.runs + 1):
        r = one_run(env, setup, args, instance)
        for what, bare, real in (("listing", r["bare_list"], r["real_list"]),
                                 ("check-ins", r["bare_in"], r["real_in"])):
            print(f"{run:<4} {what:<10} {bare['per_second']:>9.0f} {real['per_second']:>9.0f} "
                  f"{real['per_second'] / bare['per_second']:>6.2f} {bare['p99']:>8.1f}ms "
                  f"{real['p99']:>6.1f}ms  {real['answers']}")
    print("goal: api / bare >= 0.70 for both")


if __name__ == "__main__":
    main()
