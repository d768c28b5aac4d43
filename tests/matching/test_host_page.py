"""The host's matching page: the draft first, match strength in words, who has no profile
yet (asked once each), and locks that hold for tables as for pairs."""
from __future__ import annotations

import re

from ..conftest import outbox, post
from ..rsvp.helpers import make_event, rsvp
from .test_plugin import _draft, _join, _run


def test_the_draft_comes_first_with_its_strength_in_words(app, host_client):
    event = make_event(host_client, capacity="20")
    _join(app, event, "Ana", "ana@example.org", offers="fundraising", seeks="hiring")
    _join(app, event, "Ben", "ben@example.org", offers="hiring", seeks="fundraising")
    _join(app, event, "Cy", "cy@example.org", interests="climbing")
    _join(app, event, "Di", "di@example.org", interests="chess")
    _run(host_client, event)
    page = host_client.get(f"/events/{event.id}/matching").text
    assert page.index('id="draft"') < page.index("<h2>Set-up</h2>")
    assert "score" not in page.split('id="draft"')[1].split("</section>")[0]
    assert "strong match: they can help each other" in page  # Ana and Ben
    assert "no common ground known yet" in page  # Cy and Di


def test_people_without_a_profile_are_listed_and_asked_once(app, host_client):
    event = make_event(host_client, capacity="20")
    _join(app, event, "Ana", "ana@example.org", offers="fundraising")
    for name in ("Ben", "Cy"):
        assert rsvp(app.test_client(), event, name, f"{name.lower()}@example.org").status_code == 201
    page = host_client.get(f"/events/{event.id}/matching").text
    assert "2 of 3 taking part have no profile yet" in page
    assert "Ask 2 people to fill one in" in page
    post(host_client, f"/events/{event.id}/matching/nudge", page=f"/events/{event.id}/matching")
    asked = [m for m in outbox(app) if m["Subject"].startswith("Who should you meet")]
    assert sorted(m["To"] for m in asked) == ["ben@example.org", "cy@example.org"]
    link = re.search(r"https?://\S+/rsvp/\S+/profile", asked[0].get_body(("plain",)).get_content())
    assert link
    again = post(host_client, f"/events/{event.id}/matching/nudge",
                 page=f"/events/{event.id}/matching", follow_redirects=True)
    assert "asked already" in again.text
    assert len([m for m in outbox(app) if m["Subject"].startswith("Who should you meet")]) == 2
    assert "Everyone without a profile has been asked once" in again.text


def test_a_locked_table_stays_when_tables_are_drawn_again(app, host_client):
    event = make_event(host_client, capacity="20")
    people = [_join(app, event, f"P{n}", f"p{n}@example.org", interests=f"topic{n % 3}")
              for n in range(9)]
    _run(host_client, event, mode="groups", group_size="3", rounds="2")
    first = [set(g["members"]) for g in _draft(event).rounds[0]]
    post(host_client, f"/events/{event.id}/matching/lock", {"round": "0", "group": "1"},
         page=f"/events/{event.id}/matching")
    for _ in range(3):
        _run(host_client, event)
        run = _draft(event)
        assert first[1] in [set(g["members"]) for g in run.rounds[0]]
        assert [g["locked"] for g in run.rounds[0] if set(g["members"]) == first[1]] == [True]
        seated = sorted(m for g in run.rounds[0] for m in g["members"])
        assert seated == sorted(p.id for p in people)  # everyone has one seat
        # The second round does not put the locked table's people together again.
        for table in run.rounds[1]:
            assert len(set(table["members"]) & first[1]) <= 1
