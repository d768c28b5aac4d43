"""The architecture's rules, checked by import-linter: the core never imports a plugin,
plugins never import each other, and plugins (the built-in ones and the example) use only
the published plugin API. A forbidden import in a scratch copy breaks the check."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT = str(Path(sys.executable).with_name("lint-imports"))


def _lint(cwd: Path, config: Path | None = None, path: list[Path] | None = None):
    env = dict(os.environ)
    if path:
        env["PYTHONPATH"] = os.pathsep.join(str(p) for p in path)
    command = [LINT] + ([str(config)] if config else [])
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_the_layering_contracts_hold():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


def test_the_example_plugin_uses_only_the_published_api(tmp_path):
    config = tmp_path / "example.toml"
    config.write_text('''
[tool.importlinter]
root_packages = ["organizer", "organizer_lightning"]

[[tool.importlinter.contracts]]
name = "The example plugin uses only the published plugin API"
type = "forbidden"
source_modules = ["organizer_lightning"]
forbidden_modules = ["organizer"]
ignore_imports = ["organizer_lightning -> organizer.plugin_api"]
''')
    result = _lint(ROOT, config, [ROOT / "examples" / "lightning_talks", ROOT])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def _scratch_copy(tmp_path: Path) -> Path:
    """The core and the plugins as plain packages in a folder of their own."""
    shutil.copytree(ROOT / "organizer", tmp_path / "organizer",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "plugins", tmp_path / "organizer_plugins",
                    ignore=shutil.ignore_patterns("__pycache__", "templates", "static"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _add_line(module: Path, line: str) -> None:
    text = module.read_text()
    marker = "from __future__ import annotations\n"
    module.write_text(text.replace(marker, marker + line + "\n", 1))


def test_a_plugin_reaching_past_the_published_api_breaks_the_check(tmp_path):
    scratch = _scratch_copy(tmp_path)
    _add_line(scratch / "organizer_plugins" / "rsvp" / "csvio.py",
              "from organizer.db import db as _db  # reaches past the published API")
    result = _lint(scratch, path=[scratch])
    assert result.returncode == 1
    assert "Plugins use only the published plugin API BROKEN" in result.stdout
    assert "organizer_plugins.rsvp.csvio -> organizer.db" in result.stdout


def test_a_plugin_importing_another_breaks_the_check(tmp_path):
    scratch = _scratch_copy(tmp_path)
    _add_line(scratch / "organizer_plugins" / "badges" / "tickets.py",
              "from organizer_plugins.rsvp import seats as _seats")
    result = _lint(scratch, path=[scratch])
    assert result.returncode == 1
    assert "Plugins never import each other BROKEN" in result.stdout


def test_the_core_importing_a_plugin_breaks_the_check(tmp_path):
    scratch = _scratch_copy(tmp_path)
    _add_line(scratch / "organizer" / "events.py",
              "from organizer_plugins.rsvp import seats as _seats")
    result = _lint(scratch, path=[scratch])
    assert result.returncode == 1
    assert "The core never imports a plugin BROKEN" in result.stdout
