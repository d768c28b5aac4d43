"""Every hook — the core's and those the built-in plugins declare — is documented in
docs/plugins.md with its exact signature, and nothing else is."""
from __future__ import annotations

import inspect
import re
from pathlib import Path

from organizer import hookspecs
from organizer_plugins.badges import hookspecs as badges_hookspecs
from organizer_plugins.followup import hookspecs as followup_hookspecs
from organizer_plugins.rsvp import hookspecs as rsvp_hookspecs

DOC = Path(__file__).resolve().parent.parent / "docs" / "plugins.md"
MODULES = (hookspecs, rsvp_hookspecs, badges_hookspecs, followup_hookspecs)


def _hooks():
    for module in MODULES:
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if hasattr(fn, "organizer_spec"):
                yield name, fn


def _specs() -> dict[str, str]:
    return {name: f"{name}{inspect.signature(fn)}".replace(" ", "") for name, fn in _hooks()}


def test_every_hook_is_documented_with_its_signature():
    documented = {re.sub(r"\s", "", m) for m in re.findall(r"^### `([^`]+)`", DOC.read_text(),
                                                            re.M)}
    missing = {name for name, sig in _specs().items() if sig not in documented}
    assert not missing, f"undocumented or out-of-date hooks: {sorted(missing)}"
    unknown = {sig for sig in documented if sig.split("(")[0] not in _specs()}
    assert not unknown, f"documented hooks that do not exist: {sorted(unknown)}"


def test_every_hook_has_a_docstring():
    for name, fn in _hooks():
        assert (fn.__doc__ or "").strip(), name


def test_every_name_of_the_plugin_api_is_documented():
    from organizer import plugin_api
    text = DOC.read_text()
    section = text[text.index("## The published API"):text.index("## Hook reference")]
    missing = [name for name in plugin_api.__all__ if f"`{name}" not in section]
    assert not missing, f"published names missing from docs/plugins.md: {missing}"
    for name in plugin_api.__all__:
        assert hasattr(plugin_api, name), name
