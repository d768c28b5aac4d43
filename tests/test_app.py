"""The app factory: configuration order, secrets, templates, database rules."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from organizer import create_app
from organizer.config import ConfigError
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


@pytest.mark.parametrize("value", ["a,b", " a , b ", '["a", "b"]', ["a", "b"], ("a", "b")])
def test_a_list_setting_takes_the_same_forms_from_code_and_environment(tmp_path, monkeypatch,
                                                                        value):
    from_code = create_app({"INSTANCE_PATH": str(tmp_path / "code"), "BLOCKED_PLUGINS": value})
    assert from_code.config["BLOCKED_PLUGINS"] == ["a", "b"]
    if isinstance(value, str):
        monkeypatch.setenv("ORGANIZER_BLOCKED_PLUGINS", value)
        from_env = create_app({"INSTANCE_PATH": str(tmp_path / "env")})
        assert from_env.config["BLOCKED_PLUGINS"] == ["a", "b"]


def test_blocking_by_text_from_code_really_blocks(app_factory):
    app = app_factory(BLOCKED_PLUGINS="matching,followup")
    output = app.test_cli_runner().invoke(args=["plugins", "list"]).output
    assert "matching:" not in output and "followup:" not in output and "rsvp: " in output
    assert "\nblocked: matching, followup\n" in output


@pytest.mark.parametrize("setting, value, says", [
    ("BLOCKED_PLUGINS", 7, "BLOCKED_PLUGINS takes names"),
    ("BLOCKED_PLUGINS", "[not json", "BLOCKED_PLUGINS is not valid JSON"),
    ("JOB_WORKERS", "two", "JOB_WORKERS takes a whole number"),
    ("JOB_WORKERS", 2.5, "JOB_WORKERS takes a whole number"),
    ("RUNNER_POLL_SECONDS", [1], "RUNNER_POLL_SECONDS takes a number"),
    ("PASSWORD_HASH_METHOD", "md5", "PASSWORD_HASH_METHOD is"),
])
def test_a_setting_of_the_wrong_type_stops_the_start_with_its_name(tmp_path, monkeypatch,
                                                                    setting, value, says):
    with pytest.raises(ConfigError, match=says):
        create_app({"INSTANCE_PATH": str(tmp_path), setting: value})
    if isinstance(value, str):
        monkeypatch.setenv(f"ORGANIZER_{setting}", value)
        with pytest.raises(ConfigError, match=says):
            create_app({"INSTANCE_PATH": str(tmp_path)})



def test_the_command_line_says_which_setting_is_wrong_without_a_traceback(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from organizer.cli import main
    monkeypatch.setenv("ORGANIZER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("ORGANIZER_JOB_WORKERS", "two")
    result = CliRunner().invoke(main, ["plugins", "list"])
    assert result.exit_code == 1
    assert result.output == "Error: JOB_WORKERS takes a whole number (got 'two').\n"

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
    assert output.startswith("No plugins are installed.\nblocked: rsvp, badges, matching, "
                             "followup\n")
    # Their tables are still in the database, and the listing says how to remove them.
    assert ("not running, tables kept: rsvp (rsvp_question, rsvp_registration, rsvp_series_hold); "
            in output)


def test_badges_start_without_the_rsvp_plugin(app_factory):
    app = app_factory(BLOCKED_PLUGINS=["rsvp"])
    output = app.test_cli_runner().invoke(args=["plugins", "list"]).output
    assert output.startswith("badges: ") and "rsvp:" not in output
