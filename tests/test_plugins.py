"""The plugin system: discovery, blocking, validation, and one test per hook."""
from __future__ import annotations

import textwrap

import icalendar
import pluggy
import pytest
from sqlalchemy import inspect, text

from organizer import attendees, create_app, hookimpl, tick
from organizer.db import db
from organizer.models import Event
from organizer.plugin_api import undo_check_in
from organizer.plugins import hook, plugin_names

from .conftest import create_event, event_form, post, signup
from .fixture_plugin import EveryHook, Listener


@pytest.fixture
def every(app_factory):
    plugin = EveryHook()
    app = app_factory(EXTRA_PLUGINS=[("everyhook", plugin), ("listener", Listener())])
    with app.app_context():
        yield app, plugin


@pytest.fixture
def signed_in(every):
    app, plugin = every
    client = app.test_client()
    signup(client)
    return app, plugin, client


def test_hook_register_blueprints(every):
    app, _ = every
    assert app.test_client().get("/everyhook/hello").data == b"hello from a plugin"


def test_hook_register_commands(every):
    app, _ = every
    result = app.test_cli_runner().invoke(args=["everyhook-greet", "Ana"])
    assert result.output == "Hello, Ana!\n"


def test_hook_add_hookspecs_lets_plugins_talk_to_each_other(every):
    assert hook().everyhook_greeted(name="Ben") == ["listener heard Ben"]


def test_hook_migration_folders_migrates_plugin_tables_with_the_core(every):
    from organizer.migrate import upgrade
    upgrade()
    assert "everyhook_note" in inspect(db.engine).get_table_names()
    versions = set(db.session.scalars(text("SELECT version_num FROM alembic_version")))
    # The plugin's branch depends on the core's first revision, so its head
    # stands for both.
    assert "everyhook_0001" in versions and "0001_core" not in versions


def test_hook_demo_data(every):
    from organizer.demo import load
    load()
    [call] = every[1].called("demo_data")
    assert call["host"].email == "maya@example.org"
    assert set(call["events"]) == {"series", "lunch", "meetup", "virtual"}


def test_hook_event_page_panels(signed_in):
    app, _, client = signed_in
    event_id = create_event(client, title="<Tea & talk>")
    slug = db.session.get(Event, event_id).slug
    page = app.test_client().get(f"/e/{slug}").get_data(as_text=True)
    assert "<p class='everyhook'>Panel for &lt;Tea &amp; talk&gt;</p>" in page


def test_hook_host_event_actions(signed_in):
    _, _, client = signed_in
    event_id = create_event(client)
    page = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert f'href="/everyhook/{event_id}">Print everyhook badges' in page


def test_hook_event_form_sections_validates_and_stores_a_plugins_settings(signed_in):
    _, _, client = signed_in
    form_page = client.get("/events/new").get_data(as_text=True)
    assert "Everyhook settings" in form_page and 'name="plugin-everyhook-talks"' in form_page
    event_id = create_event(client, **{"plugin-everyhook-talks": "5",
                                       "plugin-everyhook-track": "side"})
    event = db.session.get(Event, event_id)
    assert event.plugin_settings("everyhook") == {"talks": 5, "open": False, "track": "side"}
    refused = post(client, f"/events/{event_id}/edit",
                   event_form(**{"plugin-everyhook-talks": "99", "action": "save"}),
                   page="/dashboard")
    assert refused.status_code == 422
    assert "between 0 and 10 slots" in refused.get_data(as_text=True)
    not_a_number = post(client, f"/events/{event_id}/edit",
                        event_form(**{"plugin-everyhook-talks": "lots"}), page="/dashboard")
    assert "Lightning talks: Not a valid integer value." in not_a_number.get_data(as_text=True)
    forged = post(client, f"/events/{event_id}/edit",
                  event_form(**{"plugin-everyhook-track": "roof"}), page="/dashboard")
    assert "Track: Not a valid choice." in forged.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Event, event_id).plugin_settings("everyhook")["talks"] == 5


def test_hook_ics_event(signed_in):
    app, _, client = signed_in
    slug = db.session.get(Event, create_event(client)).slug
    body = app.test_client().get(f"/e/{slug}.ics").data
    vevent = icalendar.Calendar.from_ical(body).walk("VEVENT")[0]
    assert str(vevent["X-EVERYHOOK"]).startswith("seen ")


def test_hook_mail_attachments(every):
    from organizer.mail import plugin_attachments
    [found] = plugin_attachments("reminder", None)
    assert (found.filename, found.content) == ("everyhook.txt", b"reminder")


def test_hooks_event_published_updated_cancelled_fire_after_commit(signed_in):
    _, plugin, client = signed_in
    event_id = create_event(client, action="draft")
    assert plugin.called("event_published") == []
    post(client, f"/events/{event_id}/publish", page="/dashboard")
    [published] = plugin.called("event_published")
    assert published["event"].id == event_id
    post(client, f"/events/{event_id}/edit", event_form(title="Renamed", action="save"),
         page="/dashboard")
    [updated] = plugin.called("event_updated")
    assert updated["changes"] == ["title"]
    post(client, f"/events/{event_id}/cancel", page="/dashboard")
    assert [c["event"].id for c in plugin.called("event_cancelled")] == [event_id]


def test_a_rolled_back_change_fires_no_hook(signed_in):
    _, plugin, client = signed_in
    event_id = create_event(client, action="draft")
    from organizer.db import after_commit
    after_commit(lambda: plugin._record("event_published", event=None))
    db.session.rollback()
    db.session.commit()
    assert plugin.called("event_published") == []
    assert event_id


def test_hooks_event_ended_and_due_work(signed_in):
    _, plugin, client = signed_in
    event_id = create_event(client, start="2020-01-07T08:30", end="2020-01-07T09:15")
    counts = tick.run()
    assert [c["event"].id for c in plugin.called("event_ended")] == [event_id]
    assert counts["plugin_work"] == 2 and len(plugin.called("due_work")) == 1


def test_hooks_attendee_registered_status_changed_checked_in(signed_in):
    _, plugin, client = signed_in
    event = db.session.get(Event, create_event(client))
    guest = attendees.add(event, "Ben Guest", " Ben@Example.org ")
    assert guest.email == "ben@example.org"
    assert [c["attendee"].id for c in plugin.called("attendee_registered")] == [guest.id]
    with pytest.raises(attendees.GuestListError, match="already on the guest list"):
        attendees.add(event, "Ben again", "ben@example.org")
    assert attendees.change_status(guest, "cancelled")
    assert not attendees.change_status(guest, "cancelled")
    [changed] = plugin.called("attendee_status_changed")
    assert changed["old_status"] == "going" and changed["attendee"].status == "cancelled"
    assert not attendees.check_in(guest)  # only people going are let in
    attendees.change_status(guest, "going")
    assert attendees.check_in(guest) and not attendees.check_in(guest)
    assert len(plugin.called("attendee_checked_in")) == 1


def test_hook_attendee_check_in_undone(signed_in):
    _, plugin, client = signed_in
    event = db.session.get(Event, create_event(client))
    guest = attendees.add(event, "Ben Guest", "ben@example.org")
    assert not undo_check_in(guest)  # nothing to take back yet
    assert plugin.called("attendee_check_in_undone") == []
    assert attendees.check_in(guest)
    assert undo_check_in(guest)
    assert [c["attendee"].id for c in plugin.called("attendee_check_in_undone")] == [guest.id]
    assert db.session.get(Event, event.id) and guest.checked_in_at is None
    assert attendees.check_in(guest)  # and the person may be let in again


def test_hooks_attendee_page_panels_and_actions(signed_in):
    _, plugin, client = signed_in
    event = db.session.get(Event, create_event(client))
    guest = attendees.add(event, "Ben <Guest>", "ben@example.org")
    page = client.get(f"/rsvp/{guest.token}").get_data(as_text=True)
    assert "Everyhook for you" in page and "<p>Hello Ben &lt;Guest&gt;</p>" in page
    assert f'href="/everyhook/mine/{guest.id}">Everyhook extras' in page
    # order=1 puts the panel before every built-in one (the ticket is 10)
    assert page.index("Everyhook for you") < page.index("Your ticket")
    assert [c["attendee"].id for c in plugin.called("attendee_page_panels")] == [guest.id]


def test_a_misspelt_hook_fails_at_start_up(tmp_path):
    class Typo:
        @hookimpl
        def event_publishd(self, event):
            pass

    with pytest.raises(pluggy.PluginValidationError, match="event_publishd"):
        create_app({"INSTANCE_PATH": str(tmp_path), "EXTRA_PLUGINS": [Typo()]})


def test_a_blocked_plugin_is_not_loaded(app_factory):
    app = app_factory(EXTRA_PLUGINS=[("everyhook", EveryHook())], BLOCKED_PLUGINS=["everyhook"])
    with app.app_context():
        assert "everyhook" not in plugin_names()
        assert app.test_client().get("/everyhook/hello").status_code == 404


def test_single_file_plugins_load_from_a_folder_and_can_be_blocked(app_factory, tmp_path):
    folder = tmp_path / "local_plugins"
    folder.mkdir()
    (folder / "shout.py").write_text(textwrap.dedent('''
        from markupsafe import Markup
        from organizer import hookimpl

        @hookimpl
        def event_page_panels(event, viewer):
            return Markup("<p>SHOUT PANEL</p>")
    '''))
    (folder / "muted.py").write_text(textwrap.dedent('''
        from organizer import hookimpl

        @hookimpl
        def event_page_panels(event, viewer):
            raise AssertionError("a blocked plugin ran")
    '''))
    app = app_factory(PLUGINS_DIR=str(folder), BLOCKED_PLUGINS=["muted"])
    with app.app_context():
        assert "shout" in plugin_names() and "muted" not in plugin_names()
        client = app.test_client()
        signup(client)
        slug = db.session.get(Event, create_event(client)).slug
        assert "SHOUT PANEL" in client.get(f"/e/{slug}").get_data(as_text=True)


def test_plugins_list_command_names_plugins_and_their_hooks(every):
    app, _ = every
    output = app.test_cli_runner().invoke(args=["plugins", "list"]).output
    assert "everyhook: " in output and "event_page_panels" in output
