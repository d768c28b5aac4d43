"""Finding and loading plugins: entry points, a folder of single files, a block list."""
from __future__ import annotations

import importlib.util
import logging
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pluggy
from flask import Flask, current_app

from . import hookspecs

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "organizer.plugins"


def _load_entry_points(pm: pluggy.PluginManager, blocked: set[str]) -> None:
    seen: set[str] = set()
    # A project installed both editable and as a wheel lists its entry points
    # twice; the first one found wins.
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in seen:
            continue
        seen.add(ep.name)
        if ep.name in blocked:
            pm.set_blocked(ep.name)
            continue
        plugin = ep.load()
        pm.register(plugin, name=ep.name)


def _load_folder(pm: pluggy.PluginManager, folder: str | Path, blocked: set[str]) -> None:
    for path in sorted(Path(folder).glob("*.py")):
        name = path.stem
        if name.startswith("_") or pm.has_plugin(name):
            continue
        if name in blocked:
            pm.set_blocked(name)
            continue
        spec = importlib.util.spec_from_file_location(f"organizer_local_plugins.{name}", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        pm.register(module, name=name)


def make_manager(app: Flask) -> pluggy.PluginManager:
    """Build the app's plugin manager; raise if a plugin implements an unknown hook."""
    pm = pluggy.PluginManager("organizer")
    pm.add_hookspecs(hookspecs)
    blocked = set(app.config["BLOCKED_PLUGINS"])
    for name in blocked:
        pm.set_blocked(name)
    _load_entry_points(pm, blocked)
    if app.config.get("PLUGINS_DIR"):
        _load_folder(pm, app.config["PLUGINS_DIR"], blocked)
    for plugin in app.config.get("EXTRA_PLUGINS", []):
        # Objects passed in the config mapping (tests, embedding applications),
        # optionally as (name, object) so they can be blocked by name too.
        name, plugin = plugin if isinstance(plugin, tuple) else (None, plugin)
        if name not in blocked:
            pm.register(plugin, name=name)
    pm.hook.add_hookspecs.call_historic(kwargs={"pm": pm})
    pm.check_pending()
    return pm


def init_app(app: Flask) -> None:
    """Create the plugin manager and store it in ``app.extensions``."""
    app.extensions["organizer.plugins"] = make_manager(app)


def manager(app: Flask | None = None) -> pluggy.PluginManager:
    """The plugin manager of ``app`` (the current app by default)."""
    return (app or current_app).extensions["organizer.plugins"]


def hook(app: Flask | None = None):
    """The hook caller of the current app: ``hook().event_published(event=e)``."""
    return manager(app).hook


def plugin_names(app: Flask | None = None) -> list[str]:
    """Names of the loaded plugins, sorted."""
    pm = manager(app)
    return sorted(name for name, plugin in pm.list_name_plugin() if plugin is not None)
