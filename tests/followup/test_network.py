"""Each person's network across events: exactly who they met, only what others share,
nobody who hid; notes and follow-up states; the calendar feed; the links that open it."""
from __future__ import annotations

import re
from datetime import timedelta

from icalendar import Calendar
from sqlalchemy import select

from organizer.db import db
from organizer.models import utcnow

from ..community import seed
from ..conftest import body_text, csrf_token, outbox, post

LINK_RE = re.compile(r"http://organizer\.test(/network/[^\s\"<>]+)")
NAME_RE = re.compile(r"\bP\d{3}\b")


def network_link(app, email: str) -> str:
    """Ask for the link by address, as a person would, and take it from the mail."""
    before = len(outbox(app))
    response = post(app.test_client(), "/network", {"email": email}, page="/network")
    assert response.status_code == 200
    assert "a link to your network is on its way" in response.text
    mails = outbox(app)[before:]
    assert [m["To"] for m in mails] == [email]
    return LINK_RE.search(body_text(mails[0])).group(1)


def names_on(html: str) -> set[str]:
    """The people the page lists: each person's card heading."""
    return set(re.findall(r'<h2 id="person-\d+-name">(P\d{3})', html))


def test_the_network_lists_exactly_who_they_met_across_dates_and_what_each_shares(app):
    community = seed()
    me = community.regular()
    expected = community.met(me)
    assert len(expected) >= 8  # a regular has met many people over twenty dates
    page = app.test_client().get(network_link(app, community.email(me)))
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "private, no-store"
    assert names_on(page.text) == {community.name(n).split()[0] for n in expected}

    # What each shares: as they agreed at the latest date the two met.
    for other in expected:
        latest = next(e for e in reversed(community.dates)
                      if me in community.came[e] and other in community.came[e]
                      and _together(community, e, me, other))
        shared = community.shares[latest][other]
        assert (community.email(other) in page.text) == ("email" in shared), other
    # Someone met but never shown their address never appears with it.
    assert community.email(me) not in page.text.replace(f"value=\"{community.email(me)}\"", "")


def _together(community, event_id, a, b) -> bool:
    pairs = list(community.pairs[event_id]) + [
        (x, y) for x, y, status in community.intros[event_id] if status == "accepted"]
    return any({a, b} == {x, y} for x, y in pairs)


def test_someone_who_hides_leaves_every_network_at_once_and_can_come_back(app):
    community = seed(dates=6, people=60, regulars=20)
    me = community.regular()
    other = sorted(community.met(me))[0]
    mine = network_link(app, community.email(me))
    theirs = network_link(app, community.email(other))
    client = app.test_client()
    assert community.name(other).split()[0] in names_on(client.get(mine).text)

    response = post(client, theirs + "/settings", {"hidden": "y"}, page=theirs)
    assert response.status_code == 302
    assert "Nobody else sees you" in client.get(theirs).text
    assert community.name(other).split()[0] not in names_on(client.get(mine).text)
    # Their own network still works, with everyone they met.
    assert names_on(client.get(theirs).text) == {
        community.name(n).split()[0] for n in community.met(other)}

    post(client, theirs + "/settings", {}, page=theirs)
    assert community.name(other).split()[0] in names_on(client.get(mine).text)


def test_asking_for_the_link_says_the_same_for_unknown_addresses_and_explains_bad_input(app):
    community = seed(dates=2, people=20, regulars=10)
    client = app.test_client()
    before = len(outbox(app))
    unknown = post(client, "/network", {"email": "nobody@example.net"}, page="/network")
    assert unknown.status_code == 200
    assert "If nobody@example.net came to an event here, a link" in unknown.text
    assert len(outbox(app)) == before
    bad = post(client, "/network", {"email": "not an address"}, page="/network")
    assert bad.status_code == 422 and "Enter a valid e-mail address." in bad.text
    empty = post(client, "/network", {"email": ""}, page="/network")
    assert empty.status_code == 422 and "Enter the address you signed up" in empty.text

    link = network_link(app, community.email(community.regular()))
    cut = client.get(link[:-6])
    assert cut.status_code == 404 and "cut short" in cut.text
    assert client.get("/network/nothing-at-all").status_code == 404


def test_a_network_link_expires_after_a_week(app, monkeypatch):
    community = seed(dates=2, people=20, regulars=10)
    link = network_link(app, community.email(community.regular()))
    import time
    later = time.time() + 8 * 86400
    monkeypatch.setattr(time, "time", lambda: later)
    response = app.test_client().get(link)
    assert response.status_code == 404
    assert "expired" in response.text and "Ask for a new one" in response.text


def test_notes_and_follow_up_states_are_kept_checked_and_in_the_calendar_feed(app):
    community = seed(dates=4, people=40, regulars=16)
    me = community.regular()
    other = sorted(community.met(me))[0]
    link = network_link(app, community.email(me))
    client = app.test_client()
    page = client.get(link).text
    attendee_id = re.search(rf'id="person-(\d+)-name">{community.name(other).split()[0]}',
                            page).group(1)
    url = f"{link}/people/{attendee_id}"

    form_page = client.get(url)
    assert form_page.status_code == 200 and 'name="remind_on"' in form_page.text
    missing = post(client, url, {"state": "remind", "remind_on": "", "note": "x"}, page=link)
    assert missing.status_code == 422 and "Choose the day to be reminded." in missing.text
    assert 'value="remind" checked' in missing.text and ">x</textarea>" in missing.text
    past = (utcnow().date() - timedelta(days=1)).isoformat()
    late = post(client, url, {"state": "remind", "remind_on": past, "note": ""}, page=link)
    assert late.status_code == 422 and "today or a day to come" in late.text
    odd = post(client, url, {"state": "maybe", "note": ""}, page=link)
    assert odd.status_code == 422 and "Choose where this follow-up stands." in odd.text
    long = post(client, url, {"state": "", "note": "x" * 2001}, page=link)
    assert long.status_code == 422 and "under 2000 characters" in long.text

    day = utcnow().date() + timedelta(days=10)
    saved = post(client, url, {"state": "remind", "remind_on": day.isoformat(),
                               "note": "Ask about <the> pricing talk"}, page=link)
    assert saved.status_code == 302
    page = client.get(link).text
    assert "Remind me · " + day.strftime("%-d %b %Y") in page
    assert "Ask about &lt;the&gt; pricing talk" in page  # escaped, never markup

    feed_url = re.search(r'value="webcal://organizer\.test(/network/feed/[^"]+)"', page).group(1)
    feed = app.test_client().get(feed_url)
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    events = {str(e["summary"]): e for e in Calendar.from_ical(feed.data).walk("VEVENT")}
    reminder = events[f"Follow up with {community.name(other)}"]
    assert reminder.decoded("dtstart").date() == day
    assert reminder.walk("VALARM")
    # The next dates of the series they come to are in it too.
    assert sum(1 for e in Calendar.from_ical(feed.data).walk("VEVENT")
               if str(e["summary"]) == "Fortnightly coffee") == len(community.upcoming)
    assert app.test_client().get("/network/feed/not-a-feed.ics").status_code == 404

    # The note and state are this person's own: the other sees nothing of them.
    theirs = client.get(network_link(app, community.email(other))).text
    assert "pricing talk" not in theirs


def test_the_page_works_on_a_phone_sized_layout_with_labels(app):
    community = seed(dates=2, people=20, regulars=10)
    page = app.test_client().get(network_link(app, community.email(community.regular()))).text
    assert '<meta name="viewport"' in page
    # Every field a person types in has its label (checkboxes and radios sit inside theirs).
    for tag in re.findall(r"<(?:input|textarea)\b[^>]*>", page):
        if 'type="hidden"' in tag or 'type="radio"' in tag or 'type="checkbox"' in tag:
            continue
        field = re.search(r'id="([^"]+)"', tag)
        assert 'aria-label="' in tag or (field and f'for="{field.group(1)}"' in page), tag
    assert csrf_token(app.test_client(), "/network")


def test_network_people_are_only_those_of_the_link(app):
    """A posted note for someone outside the network is refused, whoever they are."""
    community = seed(dates=3, people=30, regulars=12)
    me = community.regular()
    link = network_link(app, community.email(me))
    stranger = next(n for n in community.people if n not in community.met(me) | {me}
                    and any(n in g for g in community.going.values()))
    stranger_id = next(g[stranger] for g in community.going.values() if stranger in g)
    response = post(app.test_client(), f"{link}/people/{stranger_id}", {"state": "reached"},
                    page=link)
    assert response.status_code == 404
    assert app.test_client().get(f"{link}/people/{stranger_id}").status_code == 404
    from organizer_plugins.followup.models import Contact
    assert db.session.scalars(select(Contact)).all() == []
