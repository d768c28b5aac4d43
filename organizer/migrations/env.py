"""Alembic environment: runs migrations on the current app's database."""
from alembic import context
from flask import current_app

config = context.config
target_db = current_app.extensions["migrate"].db


def metadata():
    return target_db.metadata


def run_offline() -> None:
    """Print the SQL instead of running it (``--sql``)."""
    context.configure(url=str(target_db.engine.url), target_metadata=metadata(),
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    options = dict(current_app.extensions["migrate"].configure_args)
    with target_db.engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata(), **options)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
