"""organizer's built-in plugins, importable as ``organizer_plugins``.

Each lives in its own folder and is registered in pyproject.toml under the
``organizer.plugins`` entry-point group, exactly like a third-party plugin.
"""
