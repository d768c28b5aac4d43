"""Follow-ups: each person's PDF holds exactly who they met and what those people share;
mails go once; the host gets a report, a CSV and a ZIP; nothing is fetched."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import timedelta

from icalendar import Calendar
from pypdf import PdfReader
from sqlalchemy import select

from organizer import attendees
from organizer.db import db
from organizer.models import Job

from ..conftest import body_text, outbox, post, signup
from ..matching.test_plugin import _join, _run
from ..rsvp.helpers import make_event


def _text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
                    .split())


def _meetup(app, host_client):
    """Ana and Ben matched, Cara and Dan matched, Ana introduced to Cara; Dan never came."""
    event = make_event(host_client, capacity="20")
    ana = _join(app, event, "Ana Souza", "ana@example.org", organisation="Fund Co",
                offers="fundraising", seeks="design", share=["email", "offers", "organisation"])
    ben = _join(app, event, "Ben Quiet", "ben-private@example.org", organisation="Hidden Inc",
                seeks="fundraising", interests="climbing")
    cara = _join(app, event, "Cara Lima", "cara@example.org", offers="design",
                 share=["email"])
    dan = _join(app, event, "Dan Absent", "dan@example.org", seeks="design", share=["email"])
    _run(host_client, event)
    post(host_client, f"/events/{event.id}/matching/publish", page=f"/events/{event.id}/matching")
    post(app.test_client(), f"/rsvp/{ana.token}/introductions", {"attendee_id": str(cara.id)},
         page=f"/rsvp/{ana.token}")
    from organizer_plugins.matching.models import IntroRequest
    request = db.session.scalars(select(IntroRequest)).one()
    post(app.test_client(), f"/rsvp/{cara.token}/introductions/{request.id}",
         {"answer": "accept"}, page=f"/rsvp/{cara.token}")
    for someone in (ana, ben, cara):
        assert attendees.check_in(someone)
    _under_way(event)
    return event, ana, ben, cara, dan


def _under_way(event):
    """The event started an hour ago and ends in an hour."""
    from organizer.models import Event, utcnow
    now = utcnow()
    db.session.execute(db.update(Event).where(Event.id == event.id).values(
        starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1)))
    db.session.commit()
    db.session.refresh(event)


def _pdf_of(app, someone) -> str:
    response = app.test_client().get(f"/rsvp/{someone.token}/followup.pdf")
    assert response.status_code == 200, response.status_code
    return _text(response.data)


def test_each_pdf_holds_exactly_the_people_met_and_what_they_share(app, host_client):
    event, ana, ben, cara, dan = _meetup(app, host_client)
    post(host_client, f"/events/{event.id}/followup", {
        "recipients": "checked_in", "message": "Thank you all!",
        "resources": "Slides https://example.org/slides"}, page=f"/events/{event.id}/followup")
    # Before the event is over there is nothing to download.
    assert app.test_client().get(f"/rsvp/{ana.token}/followup.pdf").status_code == 404
    post(host_client, f"/events/{event.id}/followup/send", page=f"/events/{event.id}/followup")

    for_ana = _pdf_of(app, ana)
    assert "Ben Quiet" in for_ana and "Cara Lima" in for_ana and "Dan Absent" not in for_ana
    assert "cara@example.org" in for_ana  # Cara shares her address
    assert "ben-private@example.org" not in for_ana and "Hidden Inc" not in for_ana
    assert "chose not to share contact details" in for_ana
    assert "Thank you all!" in for_ana and "https://example.org/slides" in for_ana
    assert "Suggested first line" in for_ana and "Reach out to Ben Quiet" in for_ana

    for_ben = _pdf_of(app, ben)
    assert "Ana Souza" in for_ben and "ana@example.org" in for_ben and "Fund Co" in for_ben
    assert "Ana Souza can help you with fundraising" in for_ben
    assert "Cara" not in for_ben

    for_cara = _pdf_of(app, cara)
    # Dan was Cara's match but did not come: he is in nobody's follow-up.
    assert "Ana Souza" in for_cara and "Dan Absent" not in for_cara
    assert app.test_client().get(f"/rsvp/{dan.token}/followup.pdf").status_code == 404


def test_follow_ups_are_mailed_once_with_the_pdf_and_a_plan(app, host_client):
    event, ana, ben, cara, dan = _meetup(app, host_client)
    post(app.test_client(), f"/rsvp/{cara.token}/followup/mail", {"wanted": "0"},
         page=f"/rsvp/{cara.token}")
    response = post(host_client, f"/events/{event.id}/followup/send",
                    page=f"/events/{event.id}/followup")
    assert response.headers["Location"].endswith(f"/events/{event.id}/mail")
    mails = [m for m in outbox(app) if m["Subject"].startswith("Your follow-up")]
    assert sorted(m["To"] for m in mails) == ["ana@example.org", "ben-private@example.org"]
    to_ana = next(m for m in mails if m["To"] == "ana@example.org")
    files = {part.get_filename(): part.get_content() for part in to_ana.iter_attachments()}
    assert "Ben Quiet" in _text(files["followup.pdf"])
    plan = Calendar.from_ical(files["followup-plan.ics"])
    nudges = {str(e["summary"]): e.decoded("dtstart") for e in plan.walk("VEVENT")}
    first = nudges["Reach out to Ben Quiet"]
    assert first.date() == (event.local_end + timedelta(days=7)).date()
    assert (first.hour, first.minute) == (9, 30)
    assert any(s.startswith("Second nudge") and d.date() == (event.local_end
               + timedelta(days=30)).date() for s, d in nudges.items())
    assert all(e.walk("VALARM") for e in plan.walk("VEVENT"))
    html = to_ana.get_body(preferencelist=("html",)).get_content()
    assert "ben-private@example.org" not in body_text(to_ana) + html
    assert "Ben Quiet" in html and "Open my page" in html
    # Sending again (or the event's end arriving) mails nobody twice.
    post(host_client, f"/events/{event.id}/followup/send", page=f"/events/{event.id}/followup")
    from organizer import tick
    db.session.execute(db.update(type(event)).where(type(event).id == event.id)
                       .values(ends_at=event.starts_at + timedelta(minutes=1),
                               starts_at=event.starts_at - timedelta(days=30)))
    db.session.commit()
    tick.run(now=event.ends_at + timedelta(days=40))
    assert len([m for m in outbox(app) if m["Subject"].startswith("Your follow-up")]) == 2


def test_the_due_work_command_sends_follow_ups_when_the_event_ends(app, host_client):
    event, ana, ben, cara, dan = _meetup(app, host_client)
    from organizer import tick
    tick.run(now=event.ends_at + timedelta(minutes=5))
    mails = [m for m in outbox(app) if m["Subject"].startswith("Your follow-up")]
    assert sorted(m["To"] for m in mails) == ["ana@example.org", "ben-private@example.org",
                                              "cara@example.org"]


def test_the_host_report_csv_and_zip(app, host_client, monkeypatch):
    event, ana, ben, cara, dan = _meetup(app, host_client)
    attendees.add(event, "=HYPERLINK(\"http://x\")", "formula@example.org")
    report = host_client.get(f"/events/{event.id}/followup/report.pdf")
    assert report.status_code == 200
    text = _text(report.data)
    for expected in ("5 going", "3 checked in", "40 %", "Waiting list", "Connections",
                     "Introductions accepted 1", "Ana Souza", "Dan Absent", "Fund Co"):
        assert expected in text, expected
    csv_text = host_client.get(f"/events/{event.id}/followup/attendees.csv").text
    assert "'=HYPERLINK" in csv_text and "\n=HYPERLINK" not in csv_text
    # The ZIP goes on when one PDF fails, and says which.
    from organizer_plugins.followup import documents
    real = documents.personal_pdf

    def flaky(followup):
        if followup.attendee.name == "Ben Quiet":
            raise RuntimeError("the printer caught fire")
        return real(followup)

    monkeypatch.setattr(documents, "personal_pdf", flaky)
    response = post(host_client, f"/events/{event.id}/followup/zip",
                    page=f"/events/{event.id}/followup")
    job = db.session.scalars(select(Job).order_by(Job.id.desc())).first()
    state = host_client.get(f"/jobs/{job.id}.json").get_json()
    assert response.status_code == 302 and state["status"] == "done"
    assert "1 failed" in state["message"]
    download = host_client.get(state["download"])
    archive = zipfile.ZipFile(io.BytesIO(download.data))
    download.close()
    names = archive.namelist()
    assert len([n for n in names if n.endswith(".pdf")]) == 2 and "FAILED.txt" in names
    failed = archive.read("FAILED.txt").decode()
    assert "Ben Quiet: something went wrong" in failed and "printer" not in failed
    # Other hosts reach none of it.
    signup(other := app.test_client(), name="Mallory", email="mallory@example.org")
    for url in (f"/events/{event.id}/followup", f"/events/{event.id}/followup/report.pdf",
                f"/events/{event.id}/followup/attendees.csv",
                f"/events/{event.id}/followup/preview/{ana.id}.pdf"):
        assert other.get(url).status_code in (403, 404), url


def test_any_script_renders_long_text_wraps_and_nothing_is_fetched(app, host_client, listener):
    base, seen = listener
    event = make_event(host_client, capacity="20")
    long_word = "Supercalifragilistic" * 12
    names = ["山田 太郎", "محمد عبد الله", "דוד לוי", "Zoë Ångström-Ó Briain"]
    people = [_join(app, event, name, f"p{n}@example.org", interests="ai", share=["email"])
              for n, name in enumerate(names)]
    for someone in people:
        attendees.check_in(someone)
    _run(host_client, event)
    post(host_client, f"/events/{event.id}/matching/publish", page=f"/events/{event.id}/matching")
    message = (f"{long_word}\n\n<img src=\"{base}/tracker.png\"> ![x]({base}/image.png) "
               f"<link rel=stylesheet href=\"{base}/x.css\"> [notes](file:///etc/passwd)")
    post(host_client, f"/events/{event.id}/followup", {"recipients": "going", "message": message,
                                                       "resources": ""},
         page=f"/events/{event.id}/followup")
    preview = host_client.get(f"/events/{event.id}/followup/preview/{people[0].id}.pdf")
    assert preview.status_code == 200
    text = _text(preview.data)
    assert "山田 太郎" in text
    partner = next(n for n in names[1:] if n in text)  # the match, in its own script
    assert partner
    assert long_word in text.replace(" ", "")  # wrapped across lines, never cut
    assert seen == []


def test_nobody_who_stayed_away_appears_even_when_everyone_going_gets_one(app, host_client):
    event, ana, ben, cara, dan = _meetup(app, host_client)
    post(host_client, f"/events/{event.id}/followup", {"recipients": "going", "message": "",
                                                       "resources": ""},
         page=f"/events/{event.id}/followup")
    from organizer import tick
    tick.run(now=event.ends_at + timedelta(minutes=5))
    for_cara = _pdf_of(app, cara)
    assert "Dan Absent" not in for_cara and "dan@example.org" not in for_cara
    assert "Cara Lima" in _pdf_of(app, dan)  # Dan still gets his own, with his match
    # The first line speaks of what they share, in a sentence.
    assert "continue our conversation about fundraising" in _pdf_of(app, ben)


def test_early_sends_and_odd_inputs_get_clear_answers(app, host_client):
    event = make_event(host_client, capacity="20")
    before = host_client.get(f"/events/{event.id}/followup").text
    assert "Close event and send follow-ups" not in before
    assert "Sending opens once the event has started" in before
    response = post(host_client, f"/events/{event.id}/followup/send",
                    page=f"/events/{event.id}/followup")
    assert "has not started yet" in host_client.get(response.headers["Location"]).text
    response = post(host_client, f"/events/{event.id}/followup",
                    {"recipients": "going", "message": "", "resources": "Slides https://[::1"},
                    page=f"/events/{event.id}/followup")
    assert response.status_code == 400 and "has no web address" in response.text
    someone = _join(app, event, "Ana", "ana@example.org", offers="x")
    response = post(app.test_client(), f"/rsvp/{someone.token}/followup/mail", {"wanted": "yes"},
                    page=f"/rsvp/{someone.token}")
    assert response.status_code == 400


def test_a_follow_up_the_mail_server_refuses_is_shown_to_the_host_with_the_reason(
        app_factory):
    from organizer import tick

    from ..smtp_server import SMTPServer
    with SMTPServer() as server:
        server.refuse["ana@example.org"] = "550 5.1.1 Mailbox does not exist"
        app = app_factory(SMTP_URL=server.url)
        with app.app_context():
            host_client = app.test_client()
            signup(host_client)
            event, ana, ben, cara, dan = _meetup(app, host_client)
            tick.run(now=event.ends_at + timedelta(minutes=5))
            got = sorted(to for to, subject in server.subjects_to()
                         if subject.startswith("Your follow-up"))
            assert got == ["ben-private@example.org", "cara@example.org"]
            page = host_client.get(f"/events/{event.id}/followup").text
            assert "not delivered</strong>: The receiving mail server refused ana@example.org" \
                in page
            mail_page = host_client.get(f"/events/{event.id}/mail").text
            assert "Mailbox does not exist" in mail_page and "Correct the address" in mail_page
            # Every mail to Ana was refused (her RSVP's too): the event's page says so.
            manage = host_client.get(f"/events/{event.id}").text
            assert re.search(r"\d+ mails have not arrived yet", manage)


def test_someone_who_opts_out_before_their_follow_up_goes_out_gets_none(app_factory):
    from organizer import delivery, tick
    from organizer.models import OutboxMessage
    app = app_factory(DELIVERY="worker")
    with app.app_context():
        host_client = app.test_client()
        signup(host_client)
        event, ana, ben, cara, dan = _meetup(app, host_client)
        tick.run(now=event.ends_at + timedelta(minutes=5), deliver=False)
        # Cara says "no follow-up" on her page while hers waits to go out.
        post(app.test_client(), f"/rsvp/{cara.token}/followup/mail", {"wanted": "0"},
             page=f"/rsvp/{cara.token}")
        delivery.drain()
        mails = [m for m in outbox(app) if m["Subject"].startswith("Your follow-up")]
        assert sorted(m["To"] for m in mails) == ["ana@example.org", "ben-private@example.org"]
        dropped = db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.status == "dropped")).all()
        assert [(m.recipient, m.last_error) for m in dropped] == [
            ("cara@example.org", "They asked for no follow-up mail.")]


def test_two_first_saves_of_the_settings_at_once_both_succeed(app, host_client, monkeypatch):
    event = make_event(host_client)
    from flask import request

    from organizer_plugins.followup import content
    from organizer_plugins.followup.models import Settings
    defaults = content.settings_of

    def read_then_a_cohost_saves_first(event):
        found = defaults(event)  # nothing stored yet: the defaults
        if request.method != "POST":
            return found
        monkeypatch.setattr(content, "settings_of", defaults)  # the race happens once
        # The co-host's save lands between our read and our write (their
        # session, not ours: this one does not hold their row).
        theirs = Settings(event_id=event.id, recipients="going", message="Theirs",
                          resources="")
        db.session.add(theirs)
        db.session.commit()
        db.session.expunge(theirs)
        return found

    monkeypatch.setattr(content, "settings_of", read_then_a_cohost_saves_first)
    response = post(host_client, f"/events/{event.id}/followup",
                    {"recipients": "checked_in", "message": "Ours", "resources": ""},
                    page=f"/events/{event.id}/followup")
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(Settings, event.id)
    assert (stored.recipients, stored.message) == ("checked_in", "Ours")


def test_someone_who_never_filled_in_a_profile_is_said_to_have_none(app, host_client):
    event = make_event(host_client, capacity="20")
    ana = _join(app, event, "Ana Souza", "ana@example.org", offers="fundraising", share=["email"])
    eve = _join(app, event, "Eve Newcomer", "eve@example.org")  # an RSVP, no profile
    _run(host_client, event)
    post(host_client, f"/events/{event.id}/matching/publish", page=f"/events/{event.id}/matching")
    for someone in (ana, eve):
        assert attendees.check_in(someone)
    _under_way(event)
    post(host_client, f"/events/{event.id}/followup/send", page=f"/events/{event.id}/followup")
    for_ana = _pdf_of(app, ana)
    assert "Eve Newcomer" in for_ana and "Eve has no profile yet" in for_ana
    assert "chose not to share" not in for_ana
    assert "ana@example.org" in _pdf_of(app, eve)
