"""Installed as people install it: a built wheel, and an external plugin with pip.

Each check runs in a fresh Python process whose path starts with the
installed files, so nothing from this checkout can stand in for them.
"""
from __future__ import annotations

import pytest

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


def _copy(source: Path, tmp_path: Path) -> Path:
    """A clean copy to build from, so builds never write into the checkout."""
    target = tmp_path / "src" / source.name
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(
        ".venv", ".git", "instance", "build", "*.egg-info", "__pycache__", ".pytest_cache"))
    return target


def _pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", "-q", "--disable-pip-version-check", *args],
                   check=True, capture_output=True, text=True)


def _run(script: str, pythonpath: Path, cwd: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    env.pop("ORGANIZER_DATABASE_URL", None)
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


SMOKE = """
    import json, re, sys
    import organizer
    from organizer import create_app
    from organizer.migrate import upgrade
    from organizer.db import db
    from organizer import events, auth
    from organizer.plugins import plugin_names
    from organizer.models import utcnow
    from datetime import timedelta

    app = create_app({"INSTANCE_PATH": sys.argv[1] if len(sys.argv) > 1 else "instance",
                      "SECRET_KEY": "s" * 40})
    out = {"organizer_file": organizer.__file__, "template_folder": app.template_folder,
           "plugins": plugin_names(app)}
    with app.app_context():
        upgrade()
        host = auth.create_host("Ana", "ana@example.org", "a fine passphrase", "UTC")
        start = utcnow() + timedelta(days=3)
        event = events.create(host, {"kind": "meetup", "title": "Wheel meetup",
            "timezone": "UTC", "venue": "Hall", "starts_at": start,
            "ends_at": start + timedelta(hours=2)}, publish=True)
        slug = event.slug
    client = app.test_client()
    page = client.get(f"/e/{slug}").get_data(as_text=True)
    out["page_ok"] = "Wheel meetup" in page and "Add to calendar" in page
    out["css"] = client.get("/static/app.css").status_code
    # What a door phone keeps to work offline: the service worker and the QR reader.
    out["door"] = [client.get(path).status_code for path in (
        "/station/sw.js", "/badges/static/badges/vendor/jsQR.js",
        "/badges/static/badges/station-store.js", "/badges/static/badges/icon-512.png")]
    out["panel"] = "Lightning talks" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    if out["panel"]:
        client.post(f"/e/{slug}/lightning-talks", data={"csrf_token": token.group(1),
                    "speaker": "Ben", "title": "Five minutes on fermentation"})
        page = client.get(f"/e/{slug}").get_data(as_text=True)
        out["talk_listed"] = "Five minutes on fermentation" in page
    print(json.dumps(out))
"""


def test_a_built_wheel_runs_with_its_templates_migrations_and_static_files(tmp_path):
    wheels = tmp_path / "wheels"
    _pip("wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(_copy(ROOT, tmp_path)))
    target = tmp_path / "site"
    _pip("install", "--no-deps", "--target", str(target), *map(str, wheels.glob("*.whl")))
    out = _run(SMOKE, target, tmp_path)
    assert out["organizer_file"].startswith(str(target))
    assert out["template_folder"] == str(target / "organizer" / "templates")
    assert out["page_ok"] and out["css"] == 200
    assert out["door"] == [200, 200, 200, 200]


def test_the_example_plugin_works_once_pip_installed(tmp_path):
    target = tmp_path / "site"
    _pip("install", "--no-deps", "--no-build-isolation", "--target", str(target),
         str(_copy(ROOT / "examples" / "lightning_talks", tmp_path)))
    out = _run(SMOKE, target, tmp_path)
    assert "lightning" in out["plugins"]
    assert out["panel"] and out["talk_listed"]
