"""The tutorial plugin of docs/plugins.md, built from the docs' own code blocks, installed
with organizer into a fresh virtual environment and tested there with the fixtures organizer
installs: what a plugin author following the docs would get."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from organizer.testing import migrate_pg

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "plugins.md"
FILE_BLOCK = re.compile(r"<!-- file: (\S+) -->\n```\w*\n(.*?)```", re.S)

pytestmark = pytest.mark.slow


def tutorial_files() -> dict[str, str]:
    """Path → text of every code block the docs mark with a file name."""
    return {path: text for path, text in FILE_BLOCK.findall(DOC.read_text())}


def test_the_docs_hold_the_whole_tutorial_plugin():
    assert set(tutorial_files()) == {
        "pyproject.toml", "organizer_photo_consent/__init__.py",
        "organizer_photo_consent/migrations/photo_consent_0001.py",
        "tests/test_photo_consent.py"}


def _run(args, **kwargs):
    result = subprocess.run(args, capture_output=True, text=True, timeout=900, **kwargs)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return result


def test_the_tutorial_plugin_installs_and_passes_its_own_tests(tmp_path):
    package = tmp_path / "organizer-photo-consent"
    for path, text in tutorial_files().items():
        (package / path).parent.mkdir(parents=True, exist_ok=True)
        (package / path).write_text(text)
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)])
    python = venv / "bin" / "python"
    _run([str(python), "-m", "pip", "install", "-q", str(ROOT), str(package), "pytest"])

    listed = _run([str(venv / "bin" / "organizer"), "plugins", "list"],
                  env={**os.environ, "ORGANIZER_INSTANCE_PATH": str(tmp_path / "instance")},
                  cwd=tmp_path)
    assert "photo_consent: badge_lines, door_markers, event_form_sections, " \
           "migration_folders, rsvp_form_questions" in listed.stdout

    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    tests = _run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
                 cwd=package, env=env)
    pg_url = os.environ.get("ORGANIZER_TEST_DATABASE_URL")
    if pg_url:
        # Its tests migrated the shared PostgreSQL database with the tutorial's tables.
        migrate_pg(pg_url, tmp_path / "pg")
    assert f"{3 * (2 if pg_url else 1)} passed" in tests.stdout, tests.stdout
