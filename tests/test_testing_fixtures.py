"""The fixtures organizer installs for plugin authors (organizer.testing) give what they say."""
from __future__ import annotations


def test_the_host_event_and_attendee_fixtures_are_real_and_connected(app, host, host_client,
                                                                       event, attendee):
    assert event.owner_id == host.id and event.status == "published"
    assert attendee.event_id == event.id and attendee.status == "going"
    guests = host_client.get(f"/events/{event.id}")
    assert guests.status_code == 200 and event.title in guests.get_data(as_text=True)
    # Plugin settings are left at their defaults, as a host who does not touch them: open.
    public = app.test_client().get(f"/e/{event.slug}").get_data(as_text=True)
    assert 'action="/e/' in public and 'name="email"' in public
    page = app.test_client().get(f"/rsvp/{attendee.token}")
    assert page.status_code == 200 and "Ben Guest" in page.get_data(as_text=True)


def test_organizer_config_reaches_every_app_of_the_test(app_factory, organizer_config):
    organizer_config["MAIL_FROM"] = "Fixture <fixture@example.org>"
    first, second = app_factory(), app_factory(ICS_REMINDER_MINUTES=5)
    assert first.config["MAIL_FROM"] == second.config["MAIL_FROM"] == organizer_config["MAIL_FROM"]
    assert second.config["ICS_REMINDER_MINUTES"] == 5


def test_a_developers_own_database_in_the_environment_is_never_used(app_factory, monkeypatch,
                                                                     tmp_path):
    own = tmp_path / "my-real-organizer.db"
    monkeypatch.setenv("ORGANIZER_DATABASE_URL", f"sqlite:///{own}")
    app = app_factory()
    with app.app_context():
        app.test_client().get("/")
    assert app.config["DATABASE_URL"] != f"sqlite:///{own}"
    assert not own.exists()
