"""Follow-through: the one-click links in follow-up mails work once and only for their
person; gentle nudges go once at a week and once at a month, never after "not now";
"remind me" mails on its day. Driven by the due-work command with a moved clock."""
from __future__ import annotations

import re
from datetime import timedelta

from organizer import tick
from organizer.models import utcnow

from ..conftest import body_text, outbox, post
from .test_followup import _meetup

URL = r"http://organizer\.test(/network/do/\S+)"


def _mail_to(app, address: str, subject: str):
    found = [m for m in outbox(app) if m["To"] == address and m["Subject"].startswith(subject)]
    return found


def _link(text: str, name: str, label: str) -> str:
    block = text[text.index(name):]
    return re.search(label + r": " + URL, block).group(1)


def _network(text: str) -> str:
    return re.search(r"http://organizer\.test(/network/[^\s/]+)\n", text).group(1)


def _followups_sent(app, host_client):
    event, ana, ben, cara, dan = _meetup(app, host_client)
    post(host_client, f"/events/{event.id}/followup/send", page=f"/events/{event.id}/followup")
    return event, ana, ben, cara, dan


def _click(app, path: str):
    """Open a link from a mail and press its one button, as the person would."""
    client = app.test_client()
    page = client.get(path)
    assert page.status_code == 200, page.text
    return post(client, path, page=path)


def test_a_follow_up_link_works_once_and_only_for_its_person(app, host_client):
    event, ana, ben, cara, dan = _followups_sent(app, host_client)
    mail = body_text(_mail_to(app, "ana@example.org", "Your follow-up")[0])
    reached_ben = _link(mail, "Ben Quiet", "I reached out")

    # Opening the link (as a mail scanner would) changes nothing: the page asks first.
    page = app.test_client().get(reached_ben)
    assert "You reached out to Ben Quiet?" in page.text
    network = _network(mail)
    assert "Not yet" in _card(app.test_client().get(network).text, "Ben Quiet")

    done = _click(app, reached_ben)
    assert done.status_code == 200 and "You reached out to Ben Quiet" in done.text
    again = post(app.test_client(), reached_ben, page=reached_ben)
    assert again.status_code == 409 and "each link works once" in again.text
    assert "Reached out" in _card(app.test_client().get(network).text, "Ben Quiet")
    assert "Not yet" in _card(app.test_client().get(network).text, "Cara Lima")

    # Ana's link changed Ana's network only: Ben's still shows Ana as not yet followed up.
    bens = _network(body_text(_mail_to(app, "ben-private@example.org", "Your follow-up")[0]))
    assert "Not yet" in _card(app.test_client().get(bens).text, "Ana Souza")
    # A link altered by one character is no link at all.
    forged = reached_ben[:-3] + ("a" if reached_ben[-3] != "a" else "b") + reached_ben[-2:]
    refused = post(app.test_client(), forged, page=reached_ben)
    assert refused.status_code == 404 and "does not work" in refused.text


def _card(html: str, name: str) -> str:
    start = html.index(f">{name}")
    end = html.find('<section class="card', start)
    return html[start:end if end > 0 else None]


def _nudges(app) -> list:
    return [m for m in outbox(app) if m["Subject"].startswith("Following up after")]


def test_nudges_go_once_at_a_week_and_once_at_a_month_and_never_after_not_now(app, host_client):
    event, ana, ben, cara, dan = _followups_sent(app, host_client)
    to_ana = body_text(_mail_to(app, "ana@example.org", "Your follow-up")[0])
    assert "nudge" in _click(app, re.search(r"haven't written to\? " + URL, to_ana)
                             .group(1)).text
    # Cara wants nudges too, but has followed up with the only person she met.
    to_cara = body_text(_mail_to(app, "cara@example.org", "Your follow-up")[0])
    _click(app, re.search(r"haven't written to\? " + URL, to_cara).group(1))
    _click(app, _link(to_cara, "Ana Souza", "I reached out"))
    end = event.ends_at

    tick.run(end + timedelta(days=6))
    assert _nudges(app) == []  # not a week yet
    tick.run(end + timedelta(days=7, hours=1))
    tick.run(end + timedelta(days=7, hours=2))  # a second run sends nothing more
    nudges = _nudges(app)
    assert [m["To"] for m in nudges] == ["ana@example.org"]  # Ben never asked; Cara is done
    week = body_text(nudges[0])
    assert "a week since" in week and "Ben Quiet" in week and "Cara Lima" in week

    _click(app, _link(week, "Ben Quiet", "Not now"))
    tick.run(end + timedelta(days=20))
    assert len(_nudges(app)) == 1
    tick.run(end + timedelta(days=30, hours=1))
    tick.run(end + timedelta(days=31))
    nudges = _nudges(app)
    assert [m["To"] for m in nudges] == ["ana@example.org"] * 2
    month = body_text(nudges[1])
    assert "a month since" in month and "Cara Lima" in month and "Ben Quiet" not in month
    tick.run(end + timedelta(days=60))
    assert len(_nudges(app)) == 2  # never more


def test_a_nudge_with_nobody_left_open_is_not_sent(app, host_client):
    event, ana, ben, cara, dan = _followups_sent(app, host_client)
    to_ana = body_text(_mail_to(app, "ana@example.org", "Your follow-up")[0])
    _click(app, re.search(r"haven't written to\? " + URL, to_ana).group(1))
    _click(app, _link(to_ana, "Ben Quiet", "I reached out"))
    _click(app, _link(to_ana, "Cara Lima", "I reached out"))
    tick.run(event.ends_at + timedelta(days=7, hours=1))
    tick.run(event.ends_at + timedelta(days=30, hours=1))
    assert _nudges(app) == []


def test_remind_me_in_two_weeks_mails_once_on_the_day(app, host_client):
    event, ana, ben, cara, dan = _followups_sent(app, host_client)
    to_ana = body_text(_mail_to(app, "ana@example.org", "Your follow-up")[0])
    done = _click(app, _link(to_ana, "Cara Lima", "Remind me in two weeks"))
    day = utcnow().date() + timedelta(days=14)
    assert day.strftime("%-d %B %Y") in done.text

    tick.run(utcnow() + timedelta(days=13))
    assert _mail_to(app, "ana@example.org", "A reminder") == []
    tick.run(utcnow() + timedelta(days=14, hours=1))
    tick.run(utcnow() + timedelta(days=14, hours=2))
    reminders = _mail_to(app, "ana@example.org", "A reminder")
    assert len(reminders) == 1 and "follow up with Cara Lima" in body_text(reminders[0])
