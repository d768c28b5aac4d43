"""RSVP surge: many clients RSVP to one event through the real HTTP path, beside a bare endpoint.

Starts gunicorn on 127.0.0.1 for each database (SQLite in a fresh instance
folder; PostgreSQL when it answers on 127.0.0.1:5432), creates one published
event with a fixed number of seats, and lets N clients RSVP in a closed loop
(each sends its next RSVP as soon as the last one is answered) until the
total is reached. Prints RSVPs per second, p50/p99 latency of the POSTs, and
the oversell (seats confirmed beyond capacity: must be 0).

In the same run, on the same kind of database, with the same gunicorn
workers, load generator and seats, it serves `bare_rsvp.py`: Flask and
SQLAlchemy Core doing one transaction per RSVP (lock the event, count the
seats taken, insert going or waiting, commit) and nothing else. The ratios
of organizer to that floor are the figures to watch: throughput (goal
>= 0.6x) and p99 (goal <= 2x). The machine's speed moves between runs, so
`--runs N` measures the pair N times (the order alternates) and prints the
median ratios.

    .venv/bin/python benchmarks/rsvp_surge.py                # both databases
    .venv/bin/python benchmarks/rsvp_surge.py --runs 5 --seconds 10
    .venv/bin/python benchmarks/rsvp_surge.py --clients 32 --rsvps 4000 --only sqlite

The load comes from `wrk` (Debian package `wrk`) when it is installed, so
the load generator takes little of the CPU the server needs; otherwise from
Python threads (`--client python`). With wrk the run lasts `--seconds`; with
Python it stops after `--rsvps`.

Only 127.0.0.1 is ever contacted.
"""
from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import bare_rsvp
from support import closed_loop, python, serve

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/"
PG_DATABASE = "organizer_bench"
PG_BARE_DATABASE = "organizer_bench_bare"
HERE = Path(__file__).resolve().parent
GOAL_THROUGHPUT, GOAL_P99 = 0.6, 2.0

SETUP = """
import sys
from datetime import timedelta
from organizer import create_app, events, auth
from organizer.migrate import reset
from organizer.models import utcnow
app = create_app()
with app.app_context():
    reset()
    host = auth.create_host("Bench Host", "bench@example.org", "a bench passphrase", "UTC")
    start = utcnow() + timedelta(days=5)
    made = [events.create(host, {"kind": "meetup", "title": title, "timezone": "UTC",
        "venue": "Hall", "capacity": capacity, "starts_at": start,
        "ends_at": start + timedelta(hours=2)}, publish=True)
        for title, capacity in (("Warm-up", 2), ("Surge", int(sys.argv[1])))]
    print(" ".join(event.slug for event in made))
"""

COUNT = """
import sys
from sqlalchemy import func, select
from organizer import create_app
from organizer.db import db
from organizer.models import Attendee, Event
app = create_app()
with app.app_context():
    rows = db.session.execute(select(Attendee.status, func.sum(1 + Attendee.guests))
                              .join(Event).where(Event.slug == sys.argv[1])
                              .group_by(Attendee.status)).all()
    print(dict(rows))
"""


def pg_available() -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", 5432)) == 0


def ensure_pg_database(name: str = PG_DATABASE) -> str:
    import psycopg
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres",
                         autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                              (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    return PG_SERVER + name


class Client:
    """One browser: its own connection, session cookie and CSRF token."""

    def __init__(self, port: int, slug: str):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.slug = slug
        self.conn.request("GET", f"/e/{slug}")
        response = self.conn.getresponse()
        html = response.read().decode()
        self.cookie = response.getheader("Set-Cookie").split(";")[0]
        self.token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

    def rsvp(self, n: int) -> tuple[int, float]:
        body = urlencode({"csrf_token": self.token, "name": f"Person {n}",
                          "email": f"person{n}@example.org"})
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        began = time.perf_counter()
        self.conn.request("POST", f"/e/{self.slug}/rsvp", body=body, headers=headers)
        response = self.conn.getresponse()
        response.read()
        return response.status, time.perf_counter() - began


class BareClient(Client):
    """A client of the bare endpoint: the same POST, no session, no CSRF token; the
    event is named by its id."""

    def __init__(self, port: int, slug: str):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.slug, self.cookie, self.token = slug, "", ""


WRK_SCRIPT = """
local counter = 0
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function init(args)
  n = 0
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
if os.getenv("BENCH_COOKIE") ~= "" then
  wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
end
request = function()
  n = n + 1
  local body = "csrf_token=" .. os.getenv("BENCH_TOKEN") .. "&name=Person&email=t" ..
    tid .. "n" .. n .. "%40example.org"
  return wrk.format(nil, os.getenv("BENCH_PATH"), nil, body)
end
"""


def load_with_wrk(port: int, slug: str, args,
                  make: type[Client] = Client) -> tuple[float, float, int, float, dict]:
    """Run wrk; return (p50 ms, p99 ms, requests, seconds, status counts)."""
    client = make(port, slug)
    script = Path(tempfile.mkdtemp()) / "rsvp.lua"
    script.write_text(WRK_SCRIPT)
    env = {**os.environ, "BENCH_COOKIE": client.cookie, "BENCH_TOKEN": client.token,
           "BENCH_PATH": f"/e/{slug}/rsvp"}
    out = subprocess.run(
        ["wrk", "-t", "2", "-c", str(args.clients), "-d", f"{args.seconds}s", "--latency",
         "-s", str(script), f"http://127.0.0.1:{port}"],
        env=env, capture_output=True, text=True, check=True).stdout

    def ms(label: str) -> float:
        value, unit = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)", out, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    statuses = {"2xx": requests - int(errors.group(1)) if errors else requests}
    if errors:
        statuses["other"] = int(errors.group(1))
    return ms("50"), ms("99"), requests, args.seconds, statuses


def measure(port: int, slug: str, args, make: type[Client] = Client) -> tuple:
    """Load the server; return (requests, seconds, p50 ms, p99 ms, status counts)."""
    if args.client == "wrk":
        p50, p99, count, elapsed, statuses = load_with_wrk(port, slug, args, make)
        return count, elapsed, p50, p99, statuses
    clients = [make(port, slug) for _ in range(args.clients)]
    measured = closed_loop(clients, list(range(args.rsvps)),
                           lambda client, n: str(client.rsvp(n)[0]))
    return (args.rsvps, args.rsvps / measured["per_second"], measured["p50"],
            measured["p99"], measured["results"])


def run(backend: str, args) -> dict:
    """organizer itself."""
    instance = tempfile.mkdtemp(prefix=f"organizer-bench-{backend}-")
    env = {**os.environ, "ORGANIZER_INSTANCE_PATH": instance,
           "ORGANIZER_RSVP_RATE_LIMIT": "1000000 per minute",
           "ORGANIZER_SECRET_KEY": "bench-" + "k" * 40}
    env.pop("ORGANIZER_DATABASE_URL", None)
    if backend == "postgresql":
        env["ORGANIZER_DATABASE_URL"] = ensure_pg_database()
    url = env.get("ORGANIZER_DATABASE_URL") or f"sqlite:///{instance}/organizer.db"
    try:
        warm_slug, slug = python(SETUP, env, str(args.seats)).split()
        server, port = serve("organizer.wsgi:app", env, args.workers, args.threads)
        # The runner `organizer serve` starts beside the web workers, at the same
        # lower priority: it builds and delivers every RSVP's mail meanwhile.
        runner = subprocess.Popen([sys.executable, "-m", "organizer.runner"], env=env,
                                  cwd=HERE.parent, preexec_fn=lambda: os.nice(10),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            warm_up(port, warm_slug, args.workers)
            measured = measure(port, slug, args)
            surge_ended = time.perf_counter()
            mails = wait_for_mail(url)
            caught_up = time.perf_counter() - surge_ended
        finally:
            for process in (server, runner):
                process.terminate()
            for process in (server, runner):
                process.wait(timeout=30)
        result = finish(backend, env, args, slug, *measured)
        result.update(mails=mails, caught_up=caught_up)
        return result
    finally:
        shutil.rmtree(instance, ignore_errors=True)


def wait_for_mail(url: str, limit: float = 300) -> int:
    """Wait until the outbox holds nothing waiting; return how many mails were sent."""
    from sqlalchemy import create_engine, text
    engine = create_engine(url)
    deadline = time.perf_counter() + limit
    try:
        while True:
            with engine.connect() as conn:
                waiting, sent = conn.execute(text(
                    "SELECT sum(CASE WHEN status IN ('queued', 'sending') THEN 1 ELSE 0 END), "
                    "sum(CASE WHEN status = 'sent' THEN 1 ELSE 0 END) FROM outbox_message")).one()
            if not waiting or time.perf_counter() > deadline:
                return int(sent or 0)
            time.sleep(0.2)
    finally:
        engine.dispose()


def run_bare(backend: str, args) -> dict:
    """The bare endpoint (bare_rsvp.py), served and loaded the same way."""
    folder = tempfile.mkdtemp(prefix=f"organizer-bench-bare-{backend}-")
    url = (ensure_pg_database(PG_BARE_DATABASE) if backend == "postgresql"
           else f"sqlite:///{folder}/bare.db")
    env = {**os.environ, "BARE_DATABASE_URL": url}
    try:
        warm_id, event_id = bare_rsvp.setup(url, 2, args.seats)
        server, port = serve("bare_rsvp:create_app()", env, args.workers, args.threads,
                             cwd=HERE)
        try:
            warm_up(port, str(warm_id), args.workers, make=BareClient)
            count, elapsed, p50, p99, statuses = measure(port, str(event_id), args,
                                                         BareClient)
        finally:
            server.terminate()
            server.wait(timeout=30)
        return summary("bare", backend, args, count, elapsed, p50, p99, statuses,
                       bare_rsvp.seats(url, event_id))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def warm_up(port: int, slug: str, workers: int, first: int = 0,
            make: type[Client] = Client) -> None:
    """RSVP to another event first, on a new connection each time, so every worker
    has been through both paths (a seat with its ticket, the waiting list) once
    before the clock starts: the surge then meets a server that has been up."""
    for n in range(first, first + 8 * workers):
        status, _ = make(port, slug).rsvp(-1 - n)
        if status != 201:
            raise RuntimeError(f"warm-up RSVP answered {status}")


def finish(backend, env, args, slug, count, elapsed, p50, p99, statuses) -> dict:
    """Count the seats actually confirmed and put the figures together."""
    seats = eval(python(COUNT, env, slug))  # a dict literal printed by our own script
    return summary("organizer", backend, args, count, elapsed, p50, p99, statuses, seats)


def summary(path, backend, args, count, elapsed, p50, p99, statuses, seats) -> dict:
    return {
        "path": path, "backend": backend, "rsvps": count, "seconds": elapsed,
        "per_second": count / elapsed, "p50_ms": p50, "p99_ms": p99, "statuses": statuses,
        "going_seats": seats.get("going", 0), "waiting": seats.get("waiting", 0),
        "oversell": max(0, seats.get("going", 0) - args.seats),
    }


def ratios(product: dict, bare: dict) -> tuple[float, float]:
    """(organizer / bare throughput, organizer p99 / bare p99)."""
    return product["per_second"] / bare["per_second"], product["p99_ms"] / bare["p99_ms"]


def verdict(throughput: float, p99: float, oversell: int) -> str:
    met = throughput >= GOAL_THROUGHPUT and p99 <= GOAL_P99 and oversell == 0
    return "met" if met else "not met"


def row(label: str, r: dict) -> str:
    return (f"{label:<17} {r['path']:<10} {r['per_second']:>8.0f} {r['p50_ms']:>7.1f} "
            f"{r['p99_ms']:>7.1f} {r['going_seats']:>6} {r['waiting']:>8} "
            f"{r['oversell']:>9}  {r['statuses']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--rsvps", type=int, default=2000)
    parser.add_argument("--seats", type=int, default=50)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="gunicorn processes (default: one per core)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--client", choices=["wrk", "python"],
                        default="wrk" if shutil.which("wrk") else "python")
    parser.add_argument("--seconds", type=int, default=10, help="length of a wrk run")
    parser.add_argument("--runs", type=int, default=1,
                        help="measure organizer and the bare endpoint this many times")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    backends = [args.only] if args.only else ["sqlite"] + (
        ["postgresql"] if pg_available() else [])
    amount = f"{args.seconds} s" if args.client == "wrk" else f"{args.rsvps} RSVPs"
    print(f"{args.clients} clients ({args.client}), {amount}, {args.seats} seats, gunicorn "
          f"{args.workers} workers x {args.threads} threads, 127.0.0.1, "
          f"{args.runs} run{'s' if args.runs > 1 else ''} of organizer and the bare endpoint")
    print(f"{'database, run':<17} {'path':<10} {'RSVPs/s':>8} {'p50 ms':>7} {'p99 ms':>7} "
          f"{'going':>6} {'waiting':>8} {'oversell':>9}  responses")
    medians = {}
    for backend in backends:
        pairs = []
        for n in range(1, args.runs + 1):
            # Alternate which goes first, so a drift of the machine's speed
            # during a run does not always favour the same side.
            if n % 2:
                product, bare = run(backend, args), run_bare(backend, args)
            else:
                bare, product = run_bare(backend, args), run(backend, args)
            label = f"{backend} {n}"
            print(row(label, product), flush=True)
            print(row(label, bare), flush=True)
            throughput, p99 = ratios(product, bare)
            oversell = product["oversell"] + bare["oversell"]
            print(f"{label:<17} {'ratio':<10} {throughput:>7.2f}x {'':>7} {p99:>6.2f}x"
                  f"  {verdict(throughput, p99, oversell)}; all {product['mails']} mails "
                  f"delivered {product['caught_up']:.1f} s after the surge", flush=True)
            pairs.append((throughput, p99, oversell))
        medians[backend] = (statistics.median(t for t, _, _ in pairs),
                            statistics.median(p for _, p, _ in pairs),
                            max(o for _, _, o in pairs), len(pairs))
    print()
    for backend, (throughput, p99, oversell, count) in medians.items():
        each = "median of " + str(count) if count > 1 else "one run"
        print(f"{backend:<11} organizer / bare ({each}): throughput {throughput:.2f}x, "
              f"p99 {p99:.2f}x, oversell {oversell}: {verdict(throughput, p99, oversell)}")
    print(f"goal: organizer >= {GOAL_THROUGHPUT}x the bare throughput, p99 <= {GOAL_P99:g}x "
          "the bare p99, oversell 0 (organizer alone: >= 300 RSVPs/s, p99 <= 100 ms)")


if __name__ == "__main__":
    main()
