"""One SQLite server beside two app servers sharing PostgreSQL and Redis, in one run.

For each set-up, the RSVP surge (closed-loop clients RSVP to a 50-seat event)
and the door (every ticket of an event scanned once) go through the real
HTTP path on 127.0.0.1:

* single: one gunicorn (one sync worker per core) on SQLite, the embedded default;
* two servers: two gunicorns (half as many workers each) on PostgreSQL, rate
  limits in Redis; each client talks to one of them, alternately.

Prints requests per second, p50/p99 latency, oversell (seats confirmed beyond
capacity) and lost check-ins (answers "checked in" the database did not keep);
both must be 0.

    .venv/bin/python benchmarks/cluster.py
    .venv/bin/python benchmarks/cluster.py --attendees 2000 --rsvps 1000

Needs PostgreSQL and Redis on 127.0.0.1 for the second set-up (skipped, and
said so, when they do not answer).
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import tempfile

from checkin import COUNT as CHECKED_IN, SETUP as DOOR_SETUP
from rsvp_surge import COUNT as SEATS, SETUP as EVENT_SETUP, Client, ensure_pg_database, warm_up
from support import closed_loop, python, serve

CORES = os.cpu_count() or 1


def answers(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


class Door:
    """A door phone: its own connection, on one server; the station's link is its authority."""

    def __init__(self, port: int, station: str):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.path = f"/station/{station}/scan"
        self.headers = {"Accept": "application/json",
                        "Content-Type": "application/x-www-form-urlencoded"}

    def scan(self, code: str) -> str:
        self.conn.request("POST", self.path, body=f"code={code}", headers=self.headers)
        response = self.conn.getresponse()
        return json.loads(response.read()).get("result", str(response.status))


def start(env: dict, servers: int, workers: int) -> tuple[list, list[int]]:
    started = [serve("organizer.wsgi:app", env, workers) for _ in range(servers)]
    return [s for s, _ in started], [p for _, p in started]


def stop(processes: list) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(timeout=30)


def measure(name: str, env: dict, servers: int, workers: int, args) -> dict:
    warm_slug, slug = python(EVENT_SETUP, env, str(args.seats)).split()
    processes, ports = start(env, servers, workers)
    try:
        for i, port in enumerate(ports):
            warm_up(port, warm_slug, workers, first=1000 * i)
        clients = [Client(ports[i % servers], slug) for i in range(args.clients)]
        rsvp = closed_loop(clients, list(range(args.rsvps)),
                           lambda client, n: str(client.rsvp(n)[0]))
    finally:
        stop(processes)
    seats = eval(python(SEATS, env, slug))  # a dict literal printed by our own script
    setup = json.loads(python(DOOR_SETUP, env, str(args.attendees)))
    processes, ports = start(env, servers, workers)
    try:
        doors = [Door(ports[i % servers], setup["stations"][0]) for i in range(args.clients)]
        door = closed_loop(doors, setup["codes"], lambda d, code: d.scan(code))
    finally:
        stop(processes)
    stored = int(python(CHECKED_IN, env).split()[0])  # guests checked in
    return {"name": name, "rsvp": rsvp, "oversell": max(0, seats.get("going", 0) - args.seats),
            "door": door, "lost": door["results"].get("checked_in", 0) - stored}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--rsvps", type=int, default=2000)
    parser.add_argument("--seats", type=int, default=50)
    parser.add_argument("--attendees", type=int, default=5000)
    args = parser.parse_args()
    base = {**os.environ, "ORGANIZER_RSVP_RATE_LIMIT": "1000000 per minute",
            "ORGANIZER_SECRET_KEY": "bench-" + "k" * 40}
    base.pop("ORGANIZER_DATABASE_URL", None)
    runs = [measure("single, SQLite", {**base, "ORGANIZER_INSTANCE_PATH": tempfile.mkdtemp()},
                    1, CORES, args)]
    if answers(5432) and answers(6379):
        runs.append(measure("two servers, PostgreSQL + Redis", {
            **base, "ORGANIZER_INSTANCE_PATH": tempfile.mkdtemp(),
            "ORGANIZER_DATABASE_URL": ensure_pg_database(),
            "ORGANIZER_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/14",
            "ORGANIZER_JOB_BACKEND": "rq", "ORGANIZER_REDIS_URL": "redis://127.0.0.1:6379/14"},
            2, max(1, CORES // 2), args))
    else:
        print("PostgreSQL or Redis does not answer on 127.0.0.1: the two-server set-up is skipped")
    print(f"{args.clients} clients; RSVP: {args.rsvps} RSVPs for {args.seats} seats; door: "
          f"{args.attendees} tickets scanned once\n")
    print(f"{'set-up':<33} {'RSVPs/s':>8} {'p50':>6} {'p99':>6} {'oversell':>8}   "
          f"{'scans/s':>8} {'p50':>6} {'p99':>6} {'lost':>5}")
    for r in runs:
        print(f"{r['name']:<33} {r['rsvp']['per_second']:>8.0f} {r['rsvp']['p50']:>6.0f} "
              f"{r['rsvp']['p99']:>6.0f} {r['oversell']:>8}   {r['door']['per_second']:>8.0f} "
              f"{r['door']['p50']:>6.0f} {r['door']['p99']:>6.0f} {r['lost']:>5}")
    print("\nlatencies in ms; oversell and lost must be 0")


if __name__ == "__main__":
    main()
