"""The life of a plugin with tables: installed and migrated, blocked or uninstalled (its
tables kept and `organizer db upgrade` still working), back again with its data, removed."""
from __future__ import annotations

from sqlalchemy import inspect, text

from organizer.db import db

from .conftest import create_event, signup
from .fixture_plugin import EveryHook

def _cli(app, *args, input=None):
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args), input=input)


def _tables(app) -> set[str]:
    with app.app_context():
        return set(inspect(db.engine).get_table_names())


def _notes(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(text("SELECT text FROM everyhook_note")))


def _installed(app_factory):
    return app_factory(EXTRA_PLUGINS=[("everyhook", EveryHook())])


def _blocked(app_factory):
    return app_factory(EXTRA_PLUGINS=[("everyhook", EveryHook())], BLOCKED_PLUGINS=["everyhook"])


def test_a_plugin_blocked_uninstalled_and_back_keeps_its_data_and_upgrades_work(
        app_factory, pg_schema_restored):
    app = _installed(app_factory)
    assert _cli(app, "db", "upgrade").exit_code == 0
    with app.app_context():
        signup(app.test_client())
        db.session.execute(text("INSERT INTO everyhook_note (text) VALUES ('kept')"))
        db.session.commit()

    for gone in (_blocked(app_factory), app_factory()):  # blocked, then uninstalled
        result = _cli(gone, "db", "upgrade")
        assert result.exit_code == 0, result.output
        assert result.output == "The database is up to date.\n"
        assert "everyhook_note" in _tables(gone)
        listing = _cli(gone, "plugins", "list").output
        assert ("not running, tables kept: everyhook (everyhook_note); "
                "'organizer plugins remove everyhook' deletes them") in listing
        # The rest of the product works meanwhile.
        with gone.app_context():
            client = gone.test_client()
            signup(client, email=f"host{len(listing)}@example.org")
            assert create_event(client) > 0

    back = _installed(app_factory)
    result = _cli(back, "db", "upgrade")
    assert result.exit_code == 0, result.output
    assert _notes(back) == ["kept"]
    assert "not running" not in _cli(back, "plugins", "list").output


def test_removing_a_plugin_asks_then_deletes_its_tables_and_settings(app_factory,
                                                                    pg_schema_restored):
    app = _installed(app_factory)
    _cli(app, "db", "upgrade")
    with app.app_context():
        client = app.test_client()
        signup(client)
        event_id = create_event(client)
        db.session.execute(text("INSERT INTO everyhook_note (text) VALUES ('one'), ('two')"))
        db.session.execute(text("UPDATE event SET settings = :s WHERE id = :id"),
                           {"s": '{"everyhook": {"on": true}, "other": {"x": 1}}', "id": event_id})
        db.session.commit()

    running = _cli(app, "plugins", "remove", "everyhook", "--yes")
    assert running.exit_code == 1
    assert "The plugin everyhook is running. Block it" in running.output
    assert "everyhook_note" in _tables(app)

    blocked = _blocked(app_factory)
    declined = _cli(blocked, "plugins", "remove", "everyhook", input="n\n")
    assert "everyhook_note: 2 rows" in declined.output
    assert declined.exit_code == 1 and "Aborted" in declined.output
    assert "everyhook_note" in _tables(blocked)

    removed = _cli(blocked, "plugins", "remove", "everyhook", input="y\n")
    assert removed.exit_code == 0, removed.output
    assert "Removed everyhook: 1 tables deleted (everyhook_note)." in removed.output
    assert "everyhook_note" not in _tables(blocked)
    with blocked.app_context():
        settings = db.session.scalar(text("SELECT settings FROM event WHERE id = :id"),
                                     {"id": event_id})
    assert "everyhook" not in str(settings) and "other" in str(settings)
    assert "not running" not in _cli(blocked, "plugins", "list").output
    again = _cli(blocked, "plugins", "remove", "everyhook", "--yes")
    assert again.exit_code == 1
    assert "The database holds no tables of a plugin called everyhook." in again.output

    assert _cli(blocked, "db", "upgrade").exit_code == 0
    demo = _cli(blocked, "demo", "--yes")
    assert demo.exit_code == 0, demo.output

    reinstalled = _installed(app_factory)
    assert _cli(reinstalled, "db", "upgrade").exit_code == 0
    assert _notes(reinstalled) == []


def test_an_unknown_revision_without_a_record_gets_a_sentence(app_factory, pg_schema_restored):
    app = app_factory()
    with app.app_context():
        db.session.execute(text("INSERT INTO alembic_version VALUES ('mystery_0007')"))
        db.session.commit()
    result = _cli(app, "db", "upgrade")
    assert result.exit_code == 1
    assert ("The database holds revision mystery_0007 of a plugin that is not installed. "
            "Install that plugin again") in result.output
    assert "Traceback" not in result.output
