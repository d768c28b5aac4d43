"""Another plugin's question on the RSVP form: asked, validated with the form, stored by that
plugin in the RSVP's transaction, and shown on the host's guest list and CSV export."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import text
from wtforms import BooleanField, SelectField
from wtforms.validators import InputRequired

from organizer.db import db
from organizer.migrate import upgrade
from organizer.plugin_api import Question, hookimpl
from organizer.models import Attendee

from ..conftest import signup
from .helpers import make_event, rsvp


class PhotoConsent:
    """Asks for consent to photos (required) and a T-shirt size; keeps them in a table."""

    @hookimpl
    def migration_folders(self):
        return Path(__file__).parent.parent / "fixture_plugin" / "migrations"

    @hookimpl(optionalhook=True)
    def rsvp_form_questions(self, event):
        def save(field):
            def store(attendee, value):
                db.session.execute(text("INSERT INTO everyhook_note (event_id, text) "
                                        "VALUES (:e, :t)"),
                                   {"e": event.id, "t": f"{attendee.id}:{field}:{value}"})
            return store

        def answers(field):
            def read(event):
                rows = db.session.scalars(text("SELECT text FROM everyhook_note WHERE event_id"
                                               " = :e"), {"e": event.id})
                found = {}
                for row in rows:
                    attendee_id, name, value = row.split(":")
                    if name == field:
                        found[int(attendee_id)] = {"True": "yes", "False": "no"}.get(value, value)
                return found
            return read

        return [Question("photo_ok", BooleanField(
                    "I'm happy to appear in photos", validators=[InputRequired(
                        "Please agree to photos, or ask the host for a no-photo badge.")]),
                    save=save("photo_ok"), answers=answers("photo_ok"), column="Photos"),
                Question("photo_shirt", SelectField("T-shirt size", choices=["", "S", "M", "L"]),
                         save=save("photo_shirt"), answers=answers("photo_shirt"))]


@pytest.fixture
def asked(app_factory, pg_schema_restored):
    app = app_factory(EXTRA_PLUGINS=[("photo", PhotoConsent())])
    with app.app_context():
        upgrade()
        host = app.test_client()
        signup(host)
        yield app, host, make_event(host, capacity="5")


def _notes(event) -> list[str]:
    return sorted(db.session.scalars(text("SELECT text FROM everyhook_note WHERE event_id = :e"),
                                     {"e": event.id}))


def test_the_question_is_on_the_form_and_a_missing_answer_stores_nothing(asked):
    app, _, event = asked
    page = app.test_client().get(f"/e/{event.slug}").get_data(as_text=True)
    assert "I&#39;m happy to appear in photos" in page and 'name="photo_ok"' in page
    assert '<option value="M">M</option>' in page

    refused = rsvp(app.test_client(), event, "Ben", "ben@example.org", photo_shirt="M")
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert "Please agree to photos, or ask the host for a no-photo badge." in body
    assert '<option selected value="M">M</option>' in body  # kept for the second try
    assert db.session.query(Attendee).filter_by(event_id=event.id).count() == 0
    assert _notes(event) == []

    wrong = rsvp(app.test_client(), event, "Ben", "ben@example.org", photo_ok="y",
                 photo_shirt="XXL")
    assert wrong.status_code == 422 and "Not a valid choice" in wrong.get_data(as_text=True)


def test_answers_are_stored_with_the_rsvp_and_shown_to_the_host(asked):
    app, host, event = asked
    assert rsvp(app.test_client(), event, "Ben", "ben@example.org", photo_ok="y",
                photo_shirt="L").status_code == 201
    ben = db.session.query(Attendee).filter_by(email="ben@example.org").one()
    assert _notes(event) == [f"{ben.id}:photo_ok:True", f"{ben.id}:photo_shirt:L"]
    # The same address again is no new RSVP, and its answers are not stored twice.
    assert rsvp(app.test_client(), event, "Ben", "ben@example.org", photo_ok="y",
                photo_shirt="S").status_code == 409
    assert len(_notes(event)) == 2

    guests = host.get(f"/events/{event.id}/guests").get_data(as_text=True)
    assert '<th scope="col">Photos</th>' in guests and '<th scope="col">T-shirt size</th>' in guests
    assert "<td>yes</td>" in guests and "<td>L</td>" in guests
    rows = list(csv.reader(io.StringIO(host.get(f"/events/{event.id}/guests.csv")
                                       .get_data(as_text=True))))
    assert rows[0][-2:] == ["Photos", "T-shirt size"] and rows[1][-2:] == ["yes", "L"]


def test_control_without_the_plugin_the_form_has_no_such_question(app, host_client):
    event = make_event(host_client, capacity="5")
    page = app.test_client().get(f"/e/{event.slug}").get_data(as_text=True)
    assert "photo_ok" not in page
    assert rsvp(app.test_client(), event, "Ben", "ben@example.org").status_code == 201
