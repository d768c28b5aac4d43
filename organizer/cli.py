"""The ``organizer`` command (also ``flask --app organizer ...``)."""
from __future__ import annotations

import os
import sys
import threading

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from . import plugins
from .config import DEFAULTS


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=None, type=int,
              help="gunicorn processes (default: one per CPU core)")
@with_appcontext
def serve_command(host: str, port: int, workers: int | None) -> None:
    """Serve the app with gunicorn."""
    serve(host, port, workers)


def serve(host: str, port: int, workers: int | None = None) -> None:
    """Serve the current app's configuration with gunicorn (and, by default, its runner)."""
    from .serving import check_public_address, gunicorn_command, runner_command, supervise

    app = current_app
    check_public_address(host, port, configured="ORGANIZER_BASE_URL" in os.environ
                         or app.config["BASE_URL"] != DEFAULTS["BASE_URL"])
    os.environ["ORGANIZER_INSTANCE_PATH"] = app.instance_path
    if "ORGANIZER_BASE_URL" not in os.environ and app.config["BASE_URL"] == DEFAULTS["BASE_URL"]:
        os.environ["ORGANIZER_BASE_URL"] = f"http://{host}:{port}"
    click.echo(f"organizer is at http://{host}:{port}/  (Ctrl+C stops it)")
    sys.stdout.flush()
    # Processes, not threads: requests are CPU-bound Python, and threads of
    # one process share one core. One per core: more only take turns on the
    # cores and on SQLite's write lock (benchmarks/rsvp_surge.py and
    # benchmarks/checkin.py measured 2 workers on 2 cores faster than 4).
    command = gunicorn_command(host, port, workers or os.cpu_count() or 1)
    if app.config["DELIVERY"] == "background":
        sys.exit(supervise(command, runner_command()))
    os.execvp(command[0], command)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Deliver what is due, run queued jobs, then stop.")
@with_appcontext
def worker_command(burst: bool) -> None:
    """Deliver mail, do the due work and (JOB_BACKEND=rq) run queued jobs."""
    from . import jobs, runner, tick

    app = current_app._get_current_object()
    if burst:
        counts = tick.run()
        click.echo(", ".join(f"{name}: {count}" for name, count in counts.items()))
        if app.config["JOB_BACKEND"] == "rq":
            jobs.work(app, burst=True)
        return
    if app.config["JOB_BACKEND"] == "rq":
        click.echo(f"Delivering mail; running jobs of queue {app.config['JOB_QUEUE']!r} at "
                   f"{app.config['REDIS_URL']}")
        runner.start_thread(app)
        jobs.work(app)
    else:
        click.echo("Delivering mail and doing due work (Ctrl+C stops it)")
        stop = threading.Event()
        try:
            runner.run(app, stop)
        except KeyboardInterrupt:
            stop.set()


@click.command("tick")
@click.option("--now", "at", type=click.DateTime(formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d"]),
              help="Act as if it were this UTC time (to try out reminders and nudges).")
@with_appcontext
def tick_command(at) -> None:
    """Do the work that is due and deliver due mail now (the runner does both by itself)."""
    from datetime import timezone

    from .tick import run
    counts = run(at.replace(tzinfo=timezone.utc) if at else None)
    click.echo(", ".join(f"{name}: {count}" for name, count in counts.items()))


@click.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Create or upgrade the tables of the core and every plugin."""
    from .migrate import MigrationError, upgrade
    try:
        upgrade()
    except MigrationError as error:
        raise click.ClickException(str(error)) from None
    click.echo("The database is up to date.")


@click.group("plugins")
def plugins_group() -> None:
    """Installed plugins."""


@plugins_group.command("list")
@with_appcontext
def plugins_list() -> None:
    """List the loaded plugins and the hooks each implements."""
    pm = plugins.manager()
    if not plugins.plugin_names():
        click.echo("No plugins are installed.")
    for name in plugins.plugin_names():
        plugin = pm.get_plugin(name)
        hooks = sorted(caller.name for caller in pm.get_hookcallers(plugin) or [])
        click.echo(f"{name}: {', '.join(hooks) or '(no hooks)'}")
    blocked = [n for n in current_app.config["BLOCKED_PLUGINS"]]
    if blocked:
        click.echo("blocked: " + ", ".join(blocked))
    from .migrate import parked_plugins
    for name, tables in parked_plugins().items():
        click.echo(f"not running, tables kept: {name} ({', '.join(tables) or 'none'}); "
                   f"'organizer plugins remove {name}' deletes them")


@plugins_group.command("remove")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Don't ask before deleting the plugin's data.")
@with_appcontext
def plugins_remove(name: str, yes: bool) -> None:
    """Delete the tables and settings of a plugin that is blocked or uninstalled."""
    from .migrate import MigrationError, parked_plugins, remove_plugin

    tables = parked_plugins().get(name)
    if tables is not None and not yes:
        counts = _row_counts(tables)
        click.echo(f"The plugin {name} keeps these tables:")
        for table in tables:
            click.echo(f"  {table}: {counts[table]} rows")
        click.confirm("Delete them and the plugin's event settings for good?", abort=True)
    try:
        dropped = remove_plugin(name)
    except MigrationError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Removed {name}: {len(dropped)} tables deleted ({', '.join(dropped) or 'none'}).")


def _row_counts(tables: list[str]) -> dict[str, int]:
    import sqlalchemy as sa

    from .db import db
    with db.engine.connect() as conn:
        return {table: conn.execute(sa.select(sa.func.count()).select_from(sa.table(table)))
                .scalar() for table in tables}


@click.command("demo")
@click.option("--serve", "then_serve", is_flag=True, help="Start the server afterwards.")
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--yes", is_flag=True, help="Don't ask before deleting existing data.")
@with_appcontext
def demo_command(then_serve: bool, port: int, yes: bool) -> None:
    """Reset the database and load the demo community."""
    from .demo import load
    from .migrate import reset

    if not yes and sys.stdin.isatty() and not _is_empty():
        click.confirm("This deletes everything in the database. Go on?", abort=True)
    reset()
    summary = load(base_url=f"http://127.0.0.1:{port}")
    click.echo(summary)
    if then_serve:
        serve("127.0.0.1", port)


def _is_empty() -> bool:
    from sqlalchemy import inspect
    from .db import db
    return not inspect(db.engine).get_table_names()


def init_app(app: Flask) -> None:
    """Add the core's commands and every plugin's to ``app.cli``."""
    for command in (serve_command, worker_command, tick_command, db_group, plugins_group,
                    demo_command):
        app.cli.add_command(command)
    plugins.hook(app).register_commands(cli=app.cli)


def _create_app():
    from . import create_app
    from .config import ConfigError
    try:
        return create_app()
    except ConfigError as error:
        # A wrong setting is the operator's to fix: say which, without a traceback.
        raise click.ClickException(str(error)) from None


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False,
             add_version_option=False)
def main() -> None:
    """organizer: events that turn into lasting connections."""
