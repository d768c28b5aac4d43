"""organizer: events that turn into lasting professional connections.

``create_app`` builds the Flask app; plugins import ``hookimpl`` from here.
"""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from pluggy import HookimplMarker

hookimpl = HookimplMarker("organizer")

__all__ = ["create_app", "hookimpl"]


def _template_folder() -> str:
    """The core's templates: ``organizer/templates`` in a wheel, ``templates/`` in a checkout."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "templates", package.parent / "templates"):
        if (candidate / "base.html").is_file():
            return str(candidate)
    raise RuntimeError("organizer's templates are missing from this installation")


def create_app(config: dict | None = None) -> Flask:
    """Build the app: defaults, then ``ORGANIZER_*`` environment variables, then ``config``."""
    from . import api, auth, cli, config as settings, db, i18n, migrate, plugins, ratelimit, security
    from .views import (attendee, host, host_data, jobs, language, messages, my_data, pictures,
                        public, series, tokens, webhooks)

    config = dict(config or {})
    instance = config.pop("INSTANCE_PATH", None) or os.environ.get("ORGANIZER_INSTANCE_PATH")
    app = Flask(__name__, instance_path=instance and str(Path(instance).resolve()),
                instance_relative_config=True, template_folder=_template_folder())
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    from .urls import BoundedInt, Secret
    app.url_map.converters["int"] = BoundedInt
    app.url_map.converters["secret"] = Secret
    app.config.from_mapping(settings.DEFAULTS)
    app.config.update(settings.from_environment())
    app.config.update(config)
    settings.parse(app.config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = settings.instance_secret_key(app.instance_path)
    url = app.config["DATABASE_URL"] or f"sqlite:///{Path(app.instance_path) / 'organizer.db'}"
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", _engine_options(url))

    db.init_app(app)
    plugins.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    ratelimit.init_app(app)
    auth.init_app(app)
    migrate.init_app(app)
    _register_template_helpers(app)
    for blueprint in (host.bp, host_data.bp, series.bp, public.bp, attendee.bp, my_data.bp,
                      jobs.bp, messages.bp, tokens.bp, webhooks.bp, pictures.bp, language.bp):
        app.register_blueprint(blueprint)
    plugins.hook(app).register_blueprints(app=app)
    api.init_app(app)
    security.learn_secret_paths(app)
    cli.init_app(app)
    return app


def _engine_options(url: str) -> dict:
    if url.startswith("sqlite"):
        # Threads of one process share the file; the busy timeout makes
        # writers queue instead of failing with "database is locked".
        return {"connect_args": {"timeout": 10, "check_same_thread": False}}
    return {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 20}


def _register_template_helpers(app: Flask) -> None:
    from . import calendar_links, pictures
    from .models import EVENT_KINDS, utcnow
    from .timeutil import format_range, relative
    from .urls import external_url

    # Links people copy, print or share are made from BASE_URL, like mailed ones.
    app.add_template_global(external_url)

    @app.template_filter("when")
    def _when(event):
        return format_range(event.local_start, event.local_end)

    @app.template_filter("relative")
    def _relative(event):
        return relative(event.starts_at, event.ends_at, utcnow())

    app.add_template_global(calendar_links.for_event, "calendar_links")
    app.add_template_global(pictures.url, "picture_url")
    app.add_template_global(pictures.srcset, "picture_srcset")
    app.add_template_global(pictures.file_of, "picture_file")
    app.add_template_global(calendar_links.maps, "map_links")

    @app.context_processor
    def _globals():
        return {"EVENT_KINDS": EVENT_KINDS}
