"""Rate limits hold across every worker of one server, counted in a SQLite file.

The storage on its own: a fixed window lets exactly its limit through and
starts again when it ends; threads and processes hitting one key at once
lose no hit; a file that cannot be used lets requests through. Then the
whole thing: ``organizer serve`` with two worker processes lets exactly 10
of 30 simultaneous sign-ins through a limit of 10 a minute, where counters
in memory let more through (proof that both workers answered).
"""
from __future__ import annotations

import http.client
import logging
import multiprocessing
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter

from organizer.ratelimit import limiter
from organizer.ratelimit_storage import SQLiteStorage, uri_for

from .conftest import post

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def storage(tmp_path):
    return SQLiteStorage(uri_for(tmp_path / "ratelimits.db"))


class Clock:
    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


# The storage ---------------------------------------------------------------

def test_a_fixed_window_lets_exactly_its_limit_through_then_starts_again(storage):
    storage.clock = clock = Clock()
    limit, window = FixedWindowRateLimiter(storage), parse("3 per 2 seconds")

    assert [limit.hit(window, "10.0.0.1") for _ in range(5)] == [True] * 3 + [False] * 2
    stats = limit.get_window_stats(window, "10.0.0.1")
    assert stats.remaining == 0 and stats.reset_time == pytest.approx(clock.now + 2)
    # Another address has its own count.
    assert limit.hit(window, "10.0.0.2")

    clock.now += 1.9  # still the same window
    assert not limit.hit(window, "10.0.0.1")
    clock.now += 0.2  # the window has ended: counting starts again
    assert limit.get_window_stats(window, "10.0.0.1").remaining == 3
    assert [limit.hit(window, "10.0.0.1") for _ in range(4)] == [True] * 3 + [False]


def test_a_fixed_window_ends_on_the_real_clock(storage):
    limit, window = FixedWindowRateLimiter(storage), parse("2 per 1 second")
    assert [limit.hit(window, "k") for _ in range(3)] == [True, True, False]
    time.sleep(1.05)
    assert [limit.hit(window, "k") for _ in range(3)] == [True, True, False]


def test_a_moving_window_frees_each_hit_one_window_after_it(storage):
    storage.clock = clock = Clock()
    limit, window = MovingWindowRateLimiter(storage), parse("3 per 2 seconds")

    assert limit.hit(window, "k")
    clock.now += 1
    assert [limit.hit(window, "k") for _ in range(3)] == [True, True, False]
    clock.now += 1.5  # the first hit has left the window, the next two have not
    assert [limit.hit(window, "k") for _ in range(2)] == [True, False]
    assert limit.get_window_stats(window, "k").remaining == 0


def test_threads_hitting_one_key_at_once_lose_no_hit(storage):
    gate = threading.Barrier(8)
    seen: list[int] = []

    def work():
        gate.wait()
        values = [storage.incr("shared", 60) for _ in range(50)]
        seen.extend(values)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert storage.get("shared") == 400
    assert sorted(seen) == list(range(1, 401))  # every hit saw its own count


def _hammer(storage: SQLiteStorage, gate, out, hits: int) -> None:
    # Runs in a forked child: the storage object, and the parent's open
    # connection inside it, came with the fork.
    gate.wait()
    out.send([storage.incr("shared", 60) for _ in range(hits)])
    out.close()


def test_two_processes_hitting_one_key_at_once_count_together(storage):
    assert storage.incr("shared", 60) == 1  # the parent has a connection before the fork
    context = multiprocessing.get_context("fork")
    gate = context.Barrier(2)
    pipes = [context.Pipe(duplex=False) for _ in range(2)]
    children = [context.Process(target=_hammer, args=(storage, gate, send, 200))
                for _, send in pipes]
    for child in children:
        child.start()
    seen = [value for receive, _ in pipes for value in receive.recv()]
    for child in children:
        child.join(30)
        assert child.exitcode == 0
    assert storage.get("shared") == 401
    assert sorted(seen) == list(range(2, 402))  # no hit lost, none counted twice
    assert storage.incr("shared", 60) == 402  # the parent's connection still works


def test_expired_counters_are_deleted_so_the_file_stays_small(storage):
    storage.clock = clock = Clock()
    for n in range(500):
        storage.incr(f"client-{n}", 60)
    clock.now += 61 + 60  # the counters expired; the next sweep is due
    storage.incr("one more", 60)
    rows = storage._connection().execute("SELECT key FROM ratelimit_counters").fetchall()
    assert rows == [("one more",)]


# In the app ----------------------------------------------------------------

@pytest.mark.parametrize("setting", [{}, {"RATELIMIT_STORAGE_URI": None},
                                     {"RATELIMIT_STORAGE_URI": ""}],
                         ids=["unset", "none", "empty"])
def test_the_counter_file_in_the_instance_folder_is_the_default(app_factory, setting):
    app = app_factory(SIGNIN_RATE_LIMIT="2 per minute", **setting)
    assert isinstance(limiter.storage, SQLiteStorage)
    counter_file = Path(app.instance_path) / "ratelimits.db"
    assert Path(limiter.storage.path) == counter_file
    client = app.test_client()
    codes = [post(client, "/signin", {"email": "x@example.org", "password": "wrong password"}
                  ).status_code for _ in range(3)]
    assert codes == [401, 401, 429]
    assert counter_file.is_file()


def test_memory_is_still_there_when_asked_for(app_factory):
    app_factory(RATELIMIT_STORAGE_URI="memory://")
    assert isinstance(limiter.storage, MemoryStorage)


def test_an_unusable_counter_file_lets_requests_through_with_a_warning(app_factory, caplog):
    app = app_factory(SIGNIN_RATE_LIMIT="1 per minute")
    (Path(app.instance_path) / "ratelimits.db").write_bytes(b"this is not a database " * 100)
    client = app.test_client()
    with caplog.at_level(logging.WARNING, logger="organizer.ratelimit_storage"):
        codes = [post(client, "/signin", {"email": "x@example.org",
                                          "password": "wrong password"}).status_code
                 for _ in range(3)]
    assert codes == [401, 401, 401]  # not counted, but never a 500
    warnings = [r.getMessage() for r in caplog.records if r.name == "organizer.ratelimit_storage"]
    assert warnings and "ratelimits.db" in warnings[0]


# One server, two worker processes -------------------------------------------

def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(port: int, method: str, path: str, cookie: str = "",
             form: dict | None = None) -> tuple[int, str, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": cookie} if cookie else {}
    body = None
    if form is not None:
        body = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    text = response.read().decode("utf-8", "replace")
    cookie = response.getheader("Set-Cookie") or cookie
    conn.close()
    return response.status, text, cookie.split(";", 1)[0]


def _serve(tmp_path: Path, sqlite_template: Path, storage_uri: str | None):
    """``organizer serve --workers 2`` on a fresh instance; returns (process, port)."""
    instance = tmp_path / "instance"
    instance.mkdir()
    shutil.copy(sqlite_template, instance / "organizer.db")
    env = {key: value for key, value in os.environ.items() if not key.startswith("ORGANIZER_")}
    env.update({"ORGANIZER_INSTANCE_PATH": str(instance),
                "ORGANIZER_SECRET_KEY": "rate-limit-test-" + "k" * 32,
                "ORGANIZER_SIGNIN_RATE_LIMIT": "10 per minute"})
    if storage_uri is not None:
        env["ORGANIZER_RATELIMIT_STORAGE_URI"] = storage_uri
    port = _port()
    server = subprocess.Popen(
        [sys.executable, "-c", "from organizer.cli import main; main()", "serve",
         "--port", str(port), "--workers", "2"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, start_new_session=True)
    # Wait until both workers have loaded the app: answers come back fast and steady.
    deadline, steady = time.time() + 60, 0
    while steady < 8:
        if server.poll() is not None or time.time() > deadline:
            _stop(server)
            raise RuntimeError("organizer serve did not start")
        began = time.perf_counter()
        try:
            _request(port, "GET", "/signin")
        except OSError:
            time.sleep(0.1)
            continue
        steady = steady + 1 if time.perf_counter() - began < 0.05 else 0
    return server, port


def _stop(server: subprocess.Popen) -> None:
    """Stop ``organizer serve`` and whatever it started (its own process group)."""
    server.terminate()
    try:
        server.wait(30)
    finally:
        try:
            os.killpg(server.pid, signal.SIGKILL)  # a worker left behind, if any
        except ProcessLookupError:
            pass


def _signins_at_once(port: int, count: int) -> list[int]:
    """``count`` people each open the sign-in page, then all post a wrong password at once."""
    forms = []
    for _ in range(count):
        _, page, cookie = _request(port, "GET", "/signin")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        forms.append((cookie, {"csrf_token": token, "email": "ana@example.org",
                               "password": "not the password"}))
    statuses: list[int] = [0] * count
    gate = threading.Barrier(count, timeout=60)

    def run(n):
        cookie, form = forms[n]
        gate.wait()
        statuses[n] = _request(port, "POST", "/signin", cookie, form)[0]

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return statuses


@pytest.mark.slow
@pytest.mark.parametrize("storage_uri, allowed", [
    pytest.param(None, lambda n: n == 10, id="default"),
    # The control: each worker counts on its own and lets up to 10 through,
    # so more than 10 means both workers answered sign-ins.
    pytest.param("memory://", lambda n: n > 10, id="control-memory"),
])
def test_one_server_with_two_workers_holds_the_sign_in_limit(tmp_path, sqlite_template,
                                                            storage_uri, allowed):
    server, port = _serve(tmp_path, sqlite_template, storage_uri)
    try:
        statuses = _signins_at_once(port, 30)
    finally:
        _stop(server)
    assert set(statuses) <= {401, 429}, statuses
    let_through = sum(status != 429 for status in statuses)
    assert allowed(let_through), (let_through, statuses)
