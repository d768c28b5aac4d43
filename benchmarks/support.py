"""What the benchmark scripts share: ports, gunicorn on 127.0.0.1, helper scripts."""
from __future__ import annotations

import http.client
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Every guest not checked in again, and no check-in records: run between measurements.
RESET_CHECKINS = """
from sqlalchemy import update, delete
from organizer import create_app
from organizer.db import db
from organizer.models import Attendee
from organizer_plugins.badges.models import CheckIn
app = create_app()
with app.app_context():
    db.session.execute(update(Attendee).values(checked_in_at=None))
    db.session.execute(delete(CheckIn))
    db.session.commit()
"""


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def python(script: str, env: dict, *args: str) -> str:
    """Run ``script`` in a fresh interpreter; return the last line it printed."""
    result = subprocess.run([sys.executable, "-c", script, *args], env=env, cwd=ROOT,
                            capture_output=True, text=True, check=True)
    lines = result.stdout.strip().splitlines()
    return lines[-1] if lines else ""


def serve(app_spec: str, env: dict, workers: int, threads: int = 1,
          cwd: Path = ROOT) -> tuple[subprocess.Popen, int]:
    """Start gunicorn for ``app_spec`` on 127.0.0.1; return it and its port once it answers."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers",
         str(workers), "--threads", str(threads), "--log-level", "warning", app_spec],
        env=env, cwd=cwd)
    deadline = time.time() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.time() > deadline:
                server.terminate()
                raise RuntimeError("gunicorn did not start") from None
            time.sleep(0.1)
    warm_up(port, workers)
    return server, port


def warm_up(port: int, workers: int) -> None:
    """Wait until every worker has loaded the app (each imports it after the fork), so
    the measurement does not include start-up: requests come back fast and steady."""
    steady = 0
    deadline = time.time() + 60
    while steady < 4 * workers and time.time() < deadline:
        began = time.perf_counter()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", "/")
            conn.getresponse().read()
            conn.close()
        except OSError:
            time.sleep(0.2)
            continue
        steady = steady + 1 if time.perf_counter() - began < 0.05 else 0


def closed_loop(clients: list, jobs: list, send) -> dict:
    """Each client sends its next request as soon as the last is answered."""
    items, lock = iter(jobs), threading.Lock()
    latencies: list[float] = []
    results: dict[str, int] = {}
    gate = threading.Barrier(len(clients) + 1)

    def work(client):
        gate.wait()
        while True:
            with lock:
                item = next(items, None)
            if item is None:
                return
            began = time.perf_counter()
            result = send(client, item)
            seconds = time.perf_counter() - began
            with lock:
                latencies.append(seconds)
                results[result] = results.get(result, 0) + 1

    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    gate.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {"per_second": len(latencies) / elapsed, "latencies": latencies,
            "p50": 1000 * statistics.median(latencies),
            "p99": 1000 * latencies[int(0.99 * (len(latencies) - 1))], "results": results}
