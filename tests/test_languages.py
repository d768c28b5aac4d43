"""Pages speak the visitor's language; an event's mails, calendar text and PDFs speak the
event's, in every shipped language."""
from __future__ import annotations

import io

import pytest
from icalendar import Calendar
from pypdf import PdfReader

from organizer.db import db
from organizer.i18n import format_day, gettext, in_language
from organizer.models import Attendee, Event

from organizer.testing import plugin_defaults

from .conftest import body_text, create_event, csrf_token, event_form, outbox, post

OTHERS = ["de", "fr", "es"]


def words(app, language: str, text: str, **values) -> str:
    """``text`` as the shipped catalogue of ``language`` says it."""
    with app.test_request_context(), in_language(language):
        return gettext(text, **values)


def translated(app, language: str, text: str, **values) -> str:
    """Like :func:`words`, and it must really differ from the English (else the test
    would pass on an untranslated page)."""
    said = words(app, language, text, **values)
    assert said != words(app, "en", text, **values), (language, text)
    return said


def day_of(app, language: str, event: Event) -> str:
    with app.test_request_context(), in_language(language):
        return format_day(event.local_start)


def _event(app, host_client, **fields) -> Event:
    event_id = create_event(host_client, **{**plugin_defaults(app), **fields})
    return db.session.get(Event, event_id)


@pytest.mark.parametrize("language", OTHERS)
def test_pages_and_form_messages_speak_the_browsers_language(app, host_client, language):
    event = _event(app, host_client)
    guest = app.test_client()
    page = guest.get(f"/e/{event.slug}", headers={"Accept-Language": f"{language};q=1, en;q=0.5"})
    assert f'<html lang="{language}">' in page.text
    assert translated(app, language, "Add to calendar") in page.text
    assert day_of(app, language, event) in page.text
    assert "Add to calendar" not in page.text
    # A form's message: the host's browser asks for the language too.
    host_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    response = post(host_client, "/events/new", event_form(title=""), page="/events/new")
    assert response.status_code == 422
    assert translated(app, language, "Give the event a title.") in response.text
    # Control: English stays English.
    english = guest.get(f"/e/{event.slug}", headers={"Accept-Language": "en"})
    assert '<html lang="en">' in english.text and "Add to calendar" in english.text


def test_a_browser_language_we_do_not_ship_gets_the_events_language(app, host_client):
    event = _event(app, host_client, language="fr")
    page = app.test_client().get(f"/e/{event.slug}", headers={"Accept-Language": "ja, pt;q=0.8"})
    assert '<html lang="fr">' in page.text
    assert translated(app, "fr", "Add to calendar") in page.text


def test_the_switcher_remembers_the_choice_over_the_browsers(app, event):
    guest = app.test_client()
    guest.get(f"/e/{event.slug}")
    token = csrf_token(guest, f"/e/{event.slug}")
    response = guest.post("/language", data={"csrf_token": token, "lang": "es",
                                             "next": f"/e/{event.slug}"})
    assert response.status_code == 303 and response.location.endswith(f"/e/{event.slug}")
    cookie = guest.get_cookie("lang")
    assert cookie.value == "es" and cookie.http_only and cookie.max_age >= 300 * 24 * 3600
    page = guest.get(f"/e/{event.slug}", headers={"Accept-Language": "de"})
    assert '<html lang="es">' in page.text
    assert translated(app, "es", "Add to calendar") in page.text
    # The switcher marks the language in use.
    assert 'value="es" lang="es" class="link"\n                aria-describedby="language-label" aria-current="true"' \
        in page.text


@pytest.mark.parametrize("data, status", [
    ({"lang": "xx", "next": "/"}, 400),
    ({"lang": "de", "next": "//evil.example/"}, 303),
    ({"lang": "de", "next": "https://evil.example/"}, 303),
])
def test_the_switcher_refuses_unknown_languages_and_leaves_nothing_open(app, data, status):
    guest = app.test_client()
    response = guest.post("/language", data={"csrf_token": csrf_token(guest, "/"), **data})
    assert response.status_code == status
    if status == 303:
        assert response.location in ("/", "http://localhost/")
    else:
        assert "Pick one of the languages offered." in response.text
        assert guest.get_cookie("lang") is None


def test_the_switcher_needs_the_form_token(app):
    guest = app.test_client()
    assert guest.post("/language", data={"lang": "de", "next": "/"}).status_code == 400
    assert guest.get_cookie("lang") is None


def _calendar_texts(data: bytes) -> list[str]:
    texts = []
    for component in Calendar.from_ical(data).walk():
        for name in ("SUMMARY", "DESCRIPTION"):
            if name in component:
                texts.append(str(component[name]))
    return texts


def _pdf_text(data: bytes) -> str:
    return " ".join(" ".join((page.extract_text() or "").split())
                    for page in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.parametrize("language", [*OTHERS, "en"])
def test_an_events_mail_calendar_and_pdfs_speak_the_events_language(app, host_client, language):
    """The host's pages and the guest's browser speak English; what is sent and printed
    for the event speaks the event's language."""
    event = _event(app, host_client, language=language, title="Kaffee & Code")
    guest = app.test_client()
    token = csrf_token(guest, f"/e/{event.slug}")
    response = guest.post(f"/e/{event.slug}/rsvp", data={
        "csrf_token": token, "name": "Ben Guest", "email": "ben@example.org"},
        headers={"Accept-Language": "en"})
    assert response.status_code == 201
    sure = translated if language != "en" else words

    # The mail: subject, body and date.
    mail = [m for m in outbox(app) if m["To"] == "ben@example.org"][-1]
    subject = sure(app, language, "You're going: %(title)s", title=event.title)
    assert mail["Subject"].split() == subject.split()  # (a subject's spaces are plain ones)
    assert day_of(app, language, event) in body_text(mail)

    # Its invite and the event's calendar file.
    invite = next(part.get_content().encode() for part in mail.walk()
                  if part.get_content_type() == "text/calendar")
    page_line = sure(app, language, "Event page: %(url)s", url="").strip()
    reminder = sure(app, language, "Reminder: %(title)s", title=event.title)
    for data in (invite, app.test_client().get(f"/e/{event.slug}.ics").data):
        texts = _calendar_texts(data)
        assert any(page_line in text for text in texts), texts
        assert reminder in texts

    # The guest's follow-up PDF, as the host previews it.
    person = db.session.scalar(db.select(Attendee).where(Attendee.event_id == event.id))
    preview = host_client.get(f"/events/{event.id}/followup/preview/{person.id}.pdf")
    assert preview.status_code == 200
    text = _pdf_text(preview.data)
    assert sure(app, language, "Your follow-up plan") in text
    assert day_of(app, language, event) in text

    # The host's own pages keep the host's language.
    assert "Dashboard" in host_client.get("/dashboard").text


@pytest.mark.parametrize("header, language", [
    ("de-AT,en;q=0.5", "de"), ("fr-CA,en-US;q=0.7,en;q=0.3", "fr"), ("ja,es-MX;q=0.9,en;q=0.8", "es"),
    ("en-GB,de;q=0.9", "en")])
def test_regional_tags_count_as_their_language_in_the_browsers_order(app, header, language):
    page = app.test_client().get("/signin", headers={"Accept-Language": header})
    assert f'<html lang="{language}">' in page.text
