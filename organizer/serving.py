"""``organizer serve``: gunicorn for the pages, one runner beside it, a log without secrets.

With ``DELIVERY = "background"`` (the default) this process watches over two
children: gunicorn (one worker per core) and the runner (mail and due work,
at a lower CPU priority). A runner that dies is started again; when gunicorn
stops, the runner is stopped too. With ``"worker"``, gunicorn runs alone and
``organizer worker`` processes elsewhere do the rest.
"""
from __future__ import annotations

import ipaddress
import os
import signal
import subprocess
import sys
import time

import click
from gunicorn.glogging import Logger

from .security import hide_secrets

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
RUNNER_NICENESS = 10


class AccessLogger(Logger):
    """gunicorn's logger, with secrets in paths and referrers (private links, stations)
    shown as ``…``."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "f"):
            if isinstance(atoms.get(key), str):
                atoms[key] = " ".join(hide_secrets(word) for word in atoms[key].split(" "))
        return atoms


def is_local(host: str) -> bool:
    """True when ``host`` only listens on this machine."""
    if host in LOCAL_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_public_address(host: str, port: int, configured: bool) -> None:
    """Refuse to serve other machines without ``BASE_URL``: every mailed link is made from it."""
    if configured or is_local(host):
        return
    raise click.UsageError(
        f"Set ORGANIZER_BASE_URL to the address people use to reach this server (for example "
        f"https://meet.example.org, or http://<this machine's name>:{port}) before serving on "
        f"{host}: the links in mails, calendar files, badges and QR codes are made from it, "
        "never from the address a visitor's browser happened to send.")


def gunicorn_command(host: str, port: int, workers: int) -> list[str]:
    # gunicorn's own reading of X-Forwarded-Proto is turned off: the app
    # believes forwarded headers only as TRUSTED_PROXIES says.
    return [sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}",
            "--workers", str(workers), "--access-logfile", "-", "--forwarded-allow-ips", "",
            "--logger-class", "organizer.serving.AccessLogger", "organizer.wsgi:app"]


def runner_command() -> list[str]:
    return [sys.executable, "-m", "organizer.runner"]


def _lower_priority() -> None:
    os.nice(RUNNER_NICENESS)


def supervise(server_cmd: list[str], runner_cmd: list[str]) -> int:
    """Run the server and a runner until the server stops; start the runner again if it dies.

    Returns the server's exit code. SIGTERM, SIGINT and SIGHUP are passed on
    to the server (HUP reloads its workers); the runner is stopped last.
    """
    server = subprocess.Popen(server_cmd)
    runner = subprocess.Popen(runner_cmd, preexec_fn=_lower_priority)
    started = time.monotonic()
    stopping = False

    def _pass_on(signum, _frame):
        nonlocal stopping
        if signum != signal.SIGHUP:
            stopping = True
        if server.poll() is None:
            server.send_signal(signum)

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, _pass_on)
    pause = 1.0
    try:
        while server.poll() is None:
            if runner.poll() is not None and not stopping:
                if time.monotonic() - started > 60:
                    pause = 1.0  # it had been running well: this is a new trouble
                click.echo(f"The runner (mail and due work) stopped with {runner.returncode}; "
                           f"starting it again in {pause:.0f} s.", err=True)
                time.sleep(pause)
                pause = min(pause * 2, 30.0)  # a runner that keeps dying is not a busy loop
                runner = subprocess.Popen(runner_cmd, preexec_fn=_lower_priority)
                started = time.monotonic()
            time.sleep(0.5)
    finally:
        if runner.poll() is None:
            runner.terminate()
            try:
                runner.wait(timeout=30)
            except subprocess.TimeoutExpired:
                runner.kill()
    return server.returncode
