"""Schema migrations (Alembic through Flask-Migrate) for the core and its plugins.

The core's revisions live in ``organizer/migrations/versions``. A plugin
with tables returns its own version folder from ``migration_folders``; its
revisions form a branch labelled with the plugin's name that depends on the
core's first revision, so ``organizer db upgrade`` brings every branch to its head.

A plugin may be blocked or uninstalled while its tables exist. Alembic
would then meet a revision it cannot find, so :func:`upgrade` *parks* that
branch first (its revision is kept in ``alembic_plugin_branch``, its tables
and rows stay) and puts it back when the plugin returns.
:func:`remove_plugin` drops a parked plugin's tables for good.
"""
from __future__ import annotations

import os
from pathlib import Path

import flask_migrate
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import Flask, current_app
from flask_migrate import Migrate

from .db import db
from .plugins import hook

FOLDER = Path(__file__).resolve().parent / "migrations"

migrate = Migrate()


def version_folders(app: Flask | None = None) -> list[str]:
    """The core's version folder followed by every plugin's."""
    folders = [str(FOLDER / "versions")]
    for result in hook(app).migration_folders():
        for folder in ([result] if isinstance(result, (str, Path)) else result or []):
            folders.append(str(Path(folder).resolve()))
    return folders


@migrate.configure
def _with_plugin_folders(config):
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", os.pathsep.join(version_folders(current_app)))
    return config


def init_app(app: Flask) -> None:
    """Attach Flask-Migrate (the ``flask db`` commands) to ``app``."""
    # Flask-Migrate's own commands (revision, history, ...) are under
    # ``organizer migrate``; ``organizer db upgrade`` is ours and upgrades
    # every branch.
    migrate.init_app(app, db, directory=str(FOLDER), command="migrate",
                     render_as_batch=True, compare_type=True)


class MigrationError(RuntimeError):
    """The database's schema cannot be brought up to date; the message says what to do."""


# Alembic's own bookkeeping, beside ``alembic_version``: one row per plugin
# branch the database has held, with the revision it reached.
_branches = sa.Table(
    "alembic_plugin_branch", sa.MetaData(),
    sa.Column("name", sa.String(100), primary_key=True),
    sa.Column("revision", sa.String(100), nullable=False),
    sa.Column("parked", sa.Boolean, nullable=False, default=False),
)
_versions = sa.Table("alembic_version", sa.MetaData(),
                     sa.Column("version_num", sa.String(32), primary_key=True))


def _scripts() -> ScriptDirectory:
    config = current_app.extensions["migrate"].migrate.get_config(str(FOLDER))
    return ScriptDirectory.from_config(config)


def _known(scripts: ScriptDirectory, revision: str) -> bool:
    try:
        return scripts.get_revision(revision) is not None
    except Exception:  # alembic raises several kinds for a revision it cannot find
        return False


def _park_and_restore(scripts: ScriptDirectory) -> None:
    """Set aside the revisions of plugins that are gone; put back those of plugins that returned."""
    engine = db.engine
    if not sa.inspect(engine).has_table("alembic_version"):
        return
    _branches.create(engine, checkfirst=True)
    with engine.begin() as conn:
        records = {row.name: row for row in conn.execute(sa.select(_branches))}
        by_revision = {row.revision: row.name for row in records.values()}
        for (revision,) in conn.execute(sa.select(_versions.c.version_num)).all():
            if _known(scripts, revision):
                continue
            if revision not in by_revision:
                raise MigrationError(
                    f"The database holds revision {revision} of a plugin that is not installed. "
                    "Install that plugin again (it may stay blocked) and run "
                    "'organizer db upgrade' once; after that it can be blocked or removed.")
            conn.execute(sa.update(_branches).where(_branches.c.name == by_revision[revision])
                         .values(parked=True))
            conn.execute(sa.delete(_versions).where(_versions.c.version_num == revision))
        for row in records.values():
            if row.parked and _known(scripts, row.revision):
                conn.execute(sa.insert(_versions).values(version_num=row.revision))
                conn.execute(sa.update(_branches).where(_branches.c.name == row.name)
                             .values(parked=False))


def _record(scripts: ScriptDirectory) -> None:
    """Note the revision each plugin branch has reached, so it can be parked later."""
    engine = db.engine
    _branches.create(engine, checkfirst=True)
    with engine.begin() as conn:
        for (revision,) in conn.execute(sa.select(_versions.c.version_num)).all():
            for name in scripts.get_revision(revision).branch_labels:
                conn.execute(sa.delete(_branches).where(_branches.c.name == name))
                conn.execute(sa.insert(_branches).values(name=name, revision=revision,
                                                         parked=False))


def upgrade() -> None:
    """Bring the database to the newest schema: the core and every plugin branch.

    Branches of plugins that are blocked or uninstalled are parked (their tables
    kept), and come back where they were when the plugin does.
    """
    scripts = _scripts()
    _park_and_restore(scripts)
    flask_migrate.upgrade(directory=str(FOLDER), revision="heads")
    _record(scripts)


def parked_plugins() -> dict[str, list[str]]:
    """Plugins whose tables are in the database while the plugin is not running: name → tables."""
    engine = db.engine
    if not sa.inspect(engine).has_table(_branches.name):
        return {}
    with engine.connect() as conn:
        names = conn.execute(sa.select(_branches.c.name)).scalars().all()
    running = {label for script in _scripts().walk_revisions() for label in script.branch_labels}
    return {name: plugin_tables(name, names) for name in names if name not in running}


def plugin_tables(name: str, plugin_names: list[str] | None = None) -> list[str]:
    """The tables of plugin ``name``: those named ``<name>_…`` (a plugin's tables carry
    its name), but not those of a plugin whose name is longer (``<name>_x_…``)."""
    others = [other for other in plugin_names or [] if other != name
              and other.startswith(name + "_")]
    return sorted(table for table in sa.inspect(db.engine).get_table_names()
                  if table.startswith(name + "_") and table != _branches.name
                  and not any(table.startswith(other + "_") for other in others))


def remove_plugin(name: str) -> list[str]:
    """Drop the tables of a plugin that is blocked or uninstalled, and forget its branch.

    Returns the tables dropped. Raises :class:`MigrationError` while the plugin runs.
    """
    parked = parked_plugins()
    if name not in parked:
        running = {label for script in _scripts().walk_revisions()
                   for label in script.branch_labels}
        if name in running:
            raise MigrationError(f"The plugin {name} is running. Block it (ORGANIZER_BLOCKED_"
                                 f"PLUGINS={name}) or uninstall it, then remove its tables.")
        raise MigrationError(f"The database holds no tables of a plugin called {name}.")
    db.session.remove()
    tables = sa.MetaData()
    # Reflecting brings in the core tables they refer to too; only the plugin's are dropped.
    tables.reflect(bind=db.engine, only=parked[name])
    with db.engine.begin() as conn:
        tables.drop_all(bind=conn, tables=[tables.tables[table] for table in parked[name]])
        revision = conn.execute(sa.select(_branches.c.revision)
                                .where(_branches.c.name == name)).scalar()
        conn.execute(sa.delete(_versions).where(_versions.c.version_num == revision))
        conn.execute(sa.delete(_branches).where(_branches.c.name == name))
    _forget_event_settings(name)
    return parked[name]


def _forget_event_settings(name: str) -> None:
    """Take the plugin's key out of every event's settings."""
    from .models import Event

    for event in db.session.scalars(sa.select(Event).execution_options(yield_per=500)):
        if name in (event.settings or {}):
            event.settings = {key: value for key, value in event.settings.items() if key != name}
    db.session.commit()


def reset() -> None:
    """Drop every table (the core's, plugins', and any left by old versions), then upgrade."""
    from sqlalchemy import MetaData

    # An open session transaction (even a read) would hold a lock the DDL needs.
    db.session.remove()
    existing = MetaData()
    existing.reflect(bind=db.engine)
    existing.drop_all(bind=db.engine)
    upgrade()
