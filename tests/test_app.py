"""The app factory: configuration order, secrets, templates, database rules."""
from __future__ import annotations

from sqlalchemy import text

from organizer import create_app
from organizer.config import from_environment
from organizer.db import db


def test_settings_come_from_defaults_then_environment_then_the_mapping(tmp_path, monkeypatch):
    monkeypatch.setenv("ORGANIZER_MAIL_FROM", "env <env@example.org>")
    monkeypatch.setenv("ORGANIZER_JOB_WORKERS", "5")
    monkeypatch.setenv("ORGANIZER_BLOCKED_PLUGINS", "one, two")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "JOB_WORKERS": 3})
    assert app.config["MAIL_FROM"] == "env <env@example.org>"
    assert app.config["JOB_WORKERS"] == 3
    assert app.config["BLOCKED_PLUGINS"] == ["one", "two"]
    assert app.config["ICS_REMINDER_MINUTES"] == 60


def test_secret_key_is_generated_once_into_the_instance_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("ORGANIZER_SECRET_KEY", raising=False)
    first = create_app({"INSTANCE_PATH": str(tmp_path / "a")})
    again = create_app({"INSTANCE_PATH": str(tmp_path / "a")})
    other = create_app({"INSTANCE_PATH": str(tmp_path / "b")})
    assert len(first.config["SECRET_KEY"]) >= 32
    assert first.config["SECRET_KEY"] == again.config["SECRET_KEY"]
    assert first.config["SECRET_KEY"] != other.config["SECRET_KEY"]
    key_file = tmp_path / "a" / "secret_key"
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"


def test_environment_list_may_be_json():
    assert from_environment({"ORGANIZER_BLOCKED_PLUGINS": '["a", "b"]'}) == {
        "BLOCKED_PLUGINS": ["a", "b"]}


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(app, backend):
    if backend != "sqlite":
        assert db.engine.dialect.name == "postgresql"
        return
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_unknown_pages_get_a_human_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "There is nothing here" in response.get_data(as_text=True)


def test_an_oversized_request_gets_a_clear_413(client):
    response = client.post("/signup", data={"name": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_the_plugins_command_lists_built_ins_and_says_when_none_are_loaded(app_factory):
    app = app_factory()
    output = app.test_cli_runner().invoke(args=["plugins", "list"]).output
    assert output.startswith("badges: ") and "\nmatching: " in output and "\nrsvp: " in output
    assert "\nfollowup: " in output
    bare = app_factory(BLOCKED_PLUGINS=["rsvp", "badges", "matching", "followup"])
    output = bare.test_cli_runner().invoke(args=["plugins", "list"]).output
    assert output == "No plugins are installed.\nblocked: rsvp, badges, matching, followup\n"


def test_badges_start_without_the_rsvp_plugin(app_factory):
    app = app_factory(BLOCKED_PLUGINS=["rsvp"])
    output = app.test_cli_runner().invoke(args=["plugins", "list"]).output
    assert output.startswith("badges: ") and "rsvp:" not in output
