"""Schema migrations (Alembic through Flask-Migrate) for the core and its plugins.

The core's revisions live in ``organizer/migrations/versions``. A plugin
with tables returns its own version folder from ``migration_folders``; its
revisions form a branch (``branch_labels``) that depends on the core's
first revision, so ``organizer db upgrade`` brings every branch to its head.
"""
from __future__ import annotations

import os
from pathlib import Path

import flask_migrate
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


def upgrade() -> None:
    """Bring the database to the newest schema: the core and every plugin branch."""
    flask_migrate.upgrade(directory=str(FOLDER), revision="heads")


def reset() -> None:
    """Drop every table (the core's, plugins', and any left by old versions), then upgrade."""
    from sqlalchemy import MetaData

    # An open session transaction (even a read) would hold a lock the DDL needs.
    db.session.remove()
    existing = MetaData()
    existing.reflect(bind=db.engine)
    existing.drop_all(bind=db.engine)
    upgrade()
