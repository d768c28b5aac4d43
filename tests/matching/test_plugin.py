"""The matching plugin as people use it: profiles with consent, the host's draft, publishing,
introductions by mail, and connector requests."""
from __future__ import annotations

import re

from icalendar import Calendar
from sqlalchemy import select

from organizer.db import db

from ..conftest import body_text, outbox, post, signup
from ..rsvp.helpers import calendar_of, make_event, person, rsvp


def _join(app, event, name, email, organisation="", **profile):
    """RSVP, then fill in the networking profile (ticking what is shared)."""
    assert rsvp(app.test_client(), event, name, email, organisation=organisation).status_code \
        == 201
    someone = person(event, email)
    if profile:
        data = {k: v for k, v in profile.items() if k != "share"}
        data.update({f"share_{key}": "1" for key in profile.get("share", [])})
        response = post(app.test_client(), f"/rsvp/{someone.token}/profile", data,
                        page=f"/rsvp/{someone.token}/profile")
        assert response.status_code == 302, response.text
    return someone


def _run(host_client, event, expect=302, **setup):
    if setup:
        data = {"mode": "pairs", "group_size": "4", "rounds": "1", "slot_minutes": "20",
                "same_org": "avoid", **setup}
        assert post(host_client, f"/events/{event.id}/matching/setup", data,
                    page=f"/events/{event.id}/matching").status_code == 302
    response = post(host_client, f"/events/{event.id}/matching/run",
                    page=f"/events/{event.id}/matching")
    assert response.status_code == expect, response.text
    return response


def _draft(event):
    from organizer_plugins.matching.models import Run
    db.session.expire_all()
    return db.session.scalars(select(Run).where(Run.event_id == event.id, Run.status == "draft")
                              .order_by(Run.id.desc())).first()


def _groups(event) -> list[set[int]]:
    return [set(g["members"]) for g in _draft(event).rounds[0]]


def test_the_best_pairs_come_out_with_their_reasons(app, host_client):
    event = make_event(host_client, capacity="20")
    ana = _join(app, event, "Ana", "ana@example.org", offers="fundraising", seeks="hiring")
    ben = _join(app, event, "Ben", "ben@example.org", offers="hiring", seeks="fundraising")
    cara = _join(app, event, "Cara", "cara@example.org", offers="design", seeks="python",
                 interests="climbing")
    dev = _join(app, event, "Dev", "dev@example.org", offers="python", seeks="design",
                interests="climbing")
    _run(host_client, event)
    assert sorted(map(sorted, _groups(event))) == sorted([sorted((ana.id, ben.id)),
                                                           sorted((cara.id, dev.id))])
    page = host_client.get(f"/events/{event.id}/matching").text
    assert "Ana can help Ben with fundraising" in page and "both into climbing" in page


def test_an_odd_count_makes_one_trio_and_leaves_nobody_out(app, host_client):
    event = make_event(host_client, capacity="20")
    people = [_join(app, event, f"P{n}", f"p{n}@example.org", interests=f"topic{n % 2}")
              for n in range(7)]
    _run(host_client, event)
    groups = _groups(event)
    assert sorted(len(g) for g in groups) == [2, 2, 3]
    assert set().union(*groups) == {p.id for p in people}


def test_rules_hold_and_locked_groups_survive_a_new_run(app, host_client):
    event = make_event(host_client, capacity="20")
    ana = _join(app, event, "Ana", "ana@example.org", offers="fundraising", seeks="hiring")
    ben = _join(app, event, "Ben", "ben@example.org", offers="hiring", seeks="fundraising")
    cara = _join(app, event, "Cara", "cara@example.org", offers="design")
    _join(app, event, "Dev", "dev@example.org", seeks="design")
    # Ana and Ben are the obvious pair; the host forbids it.
    assert post(host_client, f"/events/{event.id}/matching/rules",
                {"first": ana.id, "second": ben.id, "kind": "never"},
                page=f"/events/{event.id}/matching").status_code == 302
    _run(host_client, event)
    assert all(not {ana.id, ben.id} <= g for g in _groups(event))
    # The opposite rule for the same pair is refused with a sentence.
    response = post(host_client, f"/events/{event.id}/matching/rules",
                    {"first": ben.id, "second": ana.id, "kind": "must"},
                    page=f"/events/{event.id}/matching")
    assert "opposite rule" in host_client.get(response.headers["Location"]).text
    # Lock the group with Cara, then run again: it stays as it is.
    index = next(i for i, g in enumerate(_groups(event)) if cara.id in g)
    locked = _groups(event)[index]
    post(host_client, f"/events/{event.id}/matching/lock", {"round": "0", "group": str(index)},
         page=f"/events/{event.id}/matching")
    _run(host_client, event)
    assert locked in _groups(event)
    run = _draft(event)
    assert [g["locked"] for g in run.rounds[0] if set(g["members"]) == locked] == [True]
    # A swap that would seat Ana with Ben is refused; the draft is unchanged.
    before = _groups(event)
    post(host_client, f"/events/{event.id}/matching/lock", {"round": "0", "group": str(
        next(i for i, g in enumerate(before) if g == locked))}, page=f"/events/{event.id}/matching")
    partner_of_ana = next(iter(next(g for g in before if ana.id in g) - {ana.id}))
    response = post(host_client, f"/events/{event.id}/matching/swap",
                    {"round": "0", "first": str(partner_of_ana), "second": str(ben.id)},
                    page=f"/events/{event.id}/matching")
    assert "must not meet" in host_client.get(response.headers["Location"]).text
    assert _groups(event) == before


def test_bad_set_ups_get_a_clear_message(app, host_client):
    event = make_event(host_client, capacity="20")
    _join(app, event, "Ana", "ana@example.org", offers="x")
    response = _run(host_client, event, expect=400)
    assert "at least two people" in response.text
    _join(app, event, "Ben", "ben@example.org", seeks="x")
    response = _run(host_client, event, expect=400, mode="groups", group_size="5")
    assert "larger than the 2 people" in response.text
    response = post(host_client, f"/events/{event.id}/matching/setup",
                    {"mode": "pairs", "group_size": "4", "rounds": "0", "slot_minutes": "20",
                     "same_org": "avoid"}, page=f"/events/{event.id}/matching")
    assert response.status_code == 400 and "Rounds: a whole number from 1 to 12." in response.text


def test_only_what_someone_agreed_to_share_reaches_their_matches(app, host_client):
    event = make_event(host_client, capacity="20")
    # Ana shares nothing but her name; Ben shares his address and what he offers.
    _join(app, event, "Ana Private", "ana-private@example.org", organisation="Secret Labs",
                offers="fundraising", seeks="hiring", links="https://ana.example/hidden",
                field="finance")
    ben = _join(app, event, "Ben Open", "ben-open@example.org", organisation="Open Co",
                offers="hiring", seeks="fundraising", field="software",
                share=["email", "offers", "organisation"])
    _run(host_client, event)
    response = post(host_client, f"/events/{event.id}/matching/publish",
                    page=f"/events/{event.id}/matching")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/events/{event.id}/mail")
    mails = {m["To"]: m for m in outbox(app) if m["Subject"].startswith("Who to meet")}
    to_ben, to_ana = body_text(mails["ben-open@example.org"]), body_text(mails["ana-private@example.org"])
    private = ("ana-private@example.org", "Secret Labs", "ana.example", "finance",
               "Ana Private can help you")
    html_to_ben, html_to_ana = (mails[address].get_body(preferencelist=("html",)).get_content()
                                for address in ("ben-open@example.org", "ana-private@example.org"))
    for text in (to_ben, html_to_ben, app.test_client().get(f"/rsvp/{ben.token}").text):
        assert "Ana Private" in text
        assert not any(secret in text for secret in private), text
    # Ben agreed: Ana hears who he is, how to reach him and what he can do for her.
    for text in (to_ana, html_to_ana):
        assert "ben-open@example.org" in text and "Open Co" in text
        assert "Ben Open can help you with hiring" in text
    # A 1:1 comes with an invite for its slot that holds only the recipient's address.
    invite = calendar_of(mails["ana-private@example.org"])
    assert b"METHOD:REQUEST" in invite and b"ana-private@example.org" in invite
    assert b"ben-open@example.org" not in invite
    [vevent] = Calendar.from_ical(invite).walk("VEVENT")
    assert vevent.decoded("dtstart") == event.starts_at
    # Publishing again sends nothing more.
    again = post(host_client, f"/events/{event.id}/matching/publish",
                 page=f"/events/{event.id}/matching")
    assert again.status_code == 404
    assert len([m for m in outbox(app) if m["Subject"].startswith("Who to meet")]) == 2


def test_connector_requests_share_details_only_on_acceptance(app, host_client):
    event = make_event(host_client, capacity="20")
    ana = _join(app, event, "Ana", "ana@example.org", offers="x", share=["email"])
    ben = _join(app, event, "Ben", "ben@example.org", seeks="x", share=["email"])
    cara = _join(app, event, "Cara", "cara@example.org", offers="y", share=["email"])
    page = app.test_client().get(f"/rsvp/{ana.token}").text
    assert "Ask for an introduction" in page and "Ben" in page
    post(app.test_client(), f"/rsvp/{ana.token}/introductions",
         {"attendee_id": str(ben.id), "message": "Loved your talk"}, page=f"/rsvp/{ana.token}")
    [ask] = [m for m in outbox(app) if m["To"] == "ben@example.org"
             and "would like to meet" in m["Subject"]]
    ask_html = ask.get_body(preferencelist=("html",)).get_content()
    assert "Ana would like to meet you" in ask["Subject"] and "Loved your talk" in body_text(ask)
    assert "Loved your talk" in ask_html and "Accept or decline" in ask_html
    assert "ana@example.org" not in body_text(ask) + ask_html
    assert "ben@example.org" not in app.test_client().get(f"/rsvp/{ana.token}").text
    # Asking twice, asking yourself, or someone from elsewhere gets a sentence, not a request.
    browser = app.test_client()
    for target, sentence in ((ben.id, "already asked"), (ana.id, "Choose someone"),
                             (999999, "Choose someone")):
        response = post(browser, f"/rsvp/{ana.token}/introductions",
                        {"attendee_id": str(target)}, page=f"/rsvp/{ana.token}")
        assert sentence in browser.get(response.headers["Location"]).text
    from organizer_plugins.matching.models import IntroRequest
    assert db.session.scalar(select(db.func.count()).select_from(IntroRequest)) == 1
    [request] = db.session.scalars(select(IntroRequest)).all()
    # Cara cannot answer a request meant for Ben.
    post(app.test_client(), f"/rsvp/{cara.token}/introductions/{request.id}",
         {"answer": "accept"}, page=f"/rsvp/{cara.token}")
    db.session.refresh(request)
    assert request.status == "pending"
    post(app.test_client(), f"/rsvp/{ben.token}/introductions/{request.id}",
         {"answer": "accept"}, page=f"/rsvp/{ben.token}")
    intros = {m["To"]: body_text(m) + m.get_body(preferencelist=("html",)).get_content()
              for m in outbox(app) if m["Subject"].startswith("Introduction")}
    assert "ben@example.org" in intros["ana@example.org"]
    assert "ana@example.org" in intros["ben@example.org"]
    assert "ben@example.org" in app.test_client().get(f"/rsvp/{ana.token}").text


def test_the_profile_form_explains_mistakes_and_keeps_nothing_half_saved(app, host_client):
    event = make_event(host_client, capacity="20")
    assert rsvp(app.test_client(), event, "Ana", "ana@example.org").status_code == 201
    ana = person(event, "ana@example.org")
    page = app.test_client().get(f"/rsvp/{ana.token}/profile")
    assert page.status_code == 200 and "Share with my matches" in page.text
    response = post(app.test_client(), f"/rsvp/{ana.token}/profile",
                    {"offers": "fundraising", "links": "javascript:alert(1)",
                     "interests": ", ".join(f"tag{n}" for n in range(20))},
                    page=f"/rsvp/{ana.token}/profile")
    assert response.status_code == 422
    assert "is not a web address" in response.text and "at most 12 entries" in response.text
    from organizer_plugins.matching.models import Profile
    assert db.session.get(Profile, ana.id) is None
    assert app.test_client().get("/rsvp/nope/profile").status_code == 404


def test_only_the_host_reaches_matching(app, host_client):
    event = make_event(host_client, capacity="20")
    signup(other := app.test_client(), name="Mallory", email="mallory@example.org")
    assert other.get(f"/events/{event.id}/matching").status_code in (403, 404)
    response = post(other, f"/events/{event.id}/matching/run", page="/dashboard")
    assert response.status_code in (403, 404)
    assert re.search("Matching", host_client.get(f"/events/{event.id}").text)


def _pairs_by_email(event) -> set[frozenset[str]]:
    from organizer.models import Attendee
    email = {a.id: a.email for a in db.session.scalars(
        select(Attendee).where(Attendee.event_id == event.id))}
    return {frozenset(email[m] for m in group) for group in _groups(event)}


def test_people_who_met_at_an_earlier_date_of_the_series_are_not_paired_again(app, host_client):
    from organizer import attendees

    from ..test_series import create_series
    series = create_series(host_client)
    first, second = series.events[0], series.events[1]
    alone = make_event(host_client, capacity="20")  # the control: no history
    emails = [f"p{n}@example.org" for n in range(4)]
    for event in (first, second, alone):
        for n, email in enumerate(emails):
            attendees.add(event, f"Person {n}", email)
    _run(host_client, first)
    earlier = _pairs_by_email(first)
    post(host_client, f"/events/{first.id}/matching/publish", page=f"/events/{first.id}/matching")
    _run(host_client, second)
    _run(host_client, alone)
    # Without memory the same people (and equal scores) pair up as before...
    assert _pairs_by_email(alone) == earlier
    # ...at the next date of the series, nobody meets the same person again.
    assert _pairs_by_email(second).isdisjoint(earlier)


def test_suggestions_never_give_away_what_someone_keeps_private(app, host_client):
    event = make_event(host_client, capacity="20")
    _join(app, event, "Ana", "ana@example.org", offers="stealth acquisition talks",
          interests="fertility treatment")
    for n in range(3):
        _join(app, event, f"Open {n}", f"open{n}@example.org", interests="urban gardening",
              share=["interests"])
    ben = _join(app, event, "Ben", "ben@example.org")
    page = app.test_client().get(f"/rsvp/{ben.token}/profile").text
    assert "stealth acquisition" not in page and "fertility" not in page
    assert "urban gardening" in page  # used and shared by three people


def test_a_draft_that_no_longer_fits_is_not_published(app, host_client):
    event = make_event(host_client, capacity="20")
    people = [_join(app, event, f"P{n}", f"p{n}@example.org", offers="x", seeks="x")
              for n in range(4)]
    _run(host_client, event)
    # Someone cancels after the draft was made: publishing is refused with a sentence.
    post(app.test_client(), f"/rsvp/{people[0].token}/cancel", page=f"/rsvp/{people[0].token}")
    response = post(host_client, f"/events/{event.id}/matching/publish",
                    page=f"/events/{event.id}/matching")
    assert "P0 no longer takes part" in host_client.get(response.headers["Location"]).text
    assert not [m for m in outbox(app) if m["Subject"].startswith("Who to meet")]
    # Run again; then a rule added afterwards forbids a group of the draft.
    _run(host_client, event)
    group = sorted(_groups(event)[0])
    post(host_client, f"/events/{event.id}/matching/rules",
         {"first": str(group[0]), "second": str(group[1]), "kind": "never"},
         page=f"/events/{event.id}/matching")
    response = post(host_client, f"/events/{event.id}/matching/publish",
                    page=f"/events/{event.id}/matching")
    assert "must not meet" in host_client.get(response.headers["Location"]).text
    assert not [m for m in outbox(app) if m["Subject"].startswith("Who to meet")]
    # A swap in such a draft is refused with a sentence too, never a 500.
    response = post(host_client, f"/events/{event.id}/matching/swap",
                    {"round": "0", "first": str(group[0]), "second": str(group[1])},
                    page=f"/events/{event.id}/matching")
    assert response.status_code == 302


def test_introductions_that_failed_to_send_are_sent_later_and_nobody_twice(app_factory):
    from organizer import delivery

    from ..smtp_server import SMTPServer
    with SMTPServer() as server:
        server.refuse["p1@example.org"] = "451 4.2.0 Mailbox temporarily full"
        app = app_factory(SMTP_URL=server.url)
        with app.app_context():
            host_client = app.test_client()
            signup(host_client)
            event = make_event(host_client, capacity="20")
            for n in range(4):
                _join(app, event, f"P{n}", f"p{n}@example.org", offers="x", seeks="x")
            _run(host_client, event)
            post(host_client, f"/events/{event.id}/matching/publish",
                 page=f"/events/{event.id}/matching")
            intros = [to for to, subject in server.subjects_to() if subject.startswith("Who")]
            assert sorted(intros) == ["p0@example.org", "p2@example.org", "p3@example.org"]
            # The host sees who is still waiting for theirs, and why.
            page = host_client.get(f"/events/{event.id}/mail").text
            assert "p1@example.org" in page and "Mailbox temporarily full" in page
            del server.refuse["p1@example.org"]
            post(host_client, f"/events/{event.id}/mail/retry", page=f"/events/{event.id}/mail")
            delivery.drain()
            intros = [to for to, subject in server.subjects_to() if subject.startswith("Who")]
            assert sorted(intros) == [f"p{n}@example.org" for n in range(4)]
            assert len(set(server.message_ids())) == len(server.message_ids())
            # Publishing again is refused: nobody is introduced twice.
            post(host_client, f"/events/{event.id}/matching/publish",
                 page=f"/events/{event.id}/matching")
            assert len([1 for _, subject in server.subjects_to()
                        if subject.startswith("Who")]) == 4


def test_odd_inputs_and_other_events_people_get_clear_answers(app, host_client):
    event = make_event(host_client, capacity="20")
    for n in range(4):
        _join(app, event, f"P{n}", f"p{n}@example.org", offers="x")
    other = make_event(host_client, capacity="5")
    stranger = _join(app, other, "Victim Secretname", "victim@example.org")
    page = f"/events/{event.id}/matching"
    response = post(host_client, f"{page}/remove", {"attendee_id": str(stranger.id)}, page=page)
    assert response.status_code == 404
    assert "Secretname" not in host_client.get(page).text
    response = post(host_client, f"{page}/setup", {"mode": "pairs", "group_size": "4",
                                                   "rounds": "²", "slot_minutes": "20",
                                                   "same_org": "avoid"}, page=page)
    assert response.status_code == 400
    _run(host_client, event, mode="groups", group_size="2", rounds="2")
    for data in ({"round": "²", "group": "0"}, {"round": "1", "group": "0"}):  # first round only
        assert post(host_client, f"{page}/lock", data, page=page).status_code == 400
    response = post(host_client, f"/events/{event.id}/badges",
                    {"layout": "a4-2x4", "who": "going", "blanks": "²"},
                    page=f"/events/{event.id}/badges")
    assert response.status_code == 400


def test_people_not_confirmed_see_nobody_to_ask(app, host_client):
    event = make_event(host_client, capacity="1")
    _join(app, event, "Ana", "ana@example.org", offers="x")
    wes = _join(app, event, "Wes Waiting", "wes@example.org", seeks="x")
    assert person(event, "wes@example.org").status == "waiting"
    page = app.test_client().get(f"/rsvp/{wes.token}").text
    assert "Ask for an introduction" not in page and "Ana" not in page


def test_a_swap_or_lock_that_meets_a_publish_leaves_the_published_matches_alone(
        app, host_client):
    import pytest

    from organizer_plugins.matching import runs
    from organizer_plugins.matching.errors import MatchingError
    from organizer_plugins.matching.models import Match, Run
    event = make_event(host_client, capacity="20")
    people = [_join(app, event, name, f"{name.lower()}@example.org", offers="x", seeks="x")
              for name in ("Ana", "Ben", "Cara", "Dev")]
    _run(host_client, event)
    stale = _draft(event)  # the draft as a swap request has just read it...
    first, second = stale.rounds[0][0]["members"][0], stale.rounds[0][1]["members"][0]
    # ...when a co-host publishes it.
    post(host_client, f"/events/{event.id}/matching/publish",
         page=f"/events/{event.id}/matching")
    with pytest.raises(MatchingError, match="just been published"):
        runs.swap(stale, event, runs.setup_of(event), 0, first, second)
    with pytest.raises(MatchingError, match="just been published"):
        runs.toggle_lock(stale, 0, 0)
    db.session.expire_all()
    published = db.session.get(Run, stale.id)
    assert published.status == "published"
    stored = {(m.group_no, m.attendee_id) for m in db.session.scalars(
        select(Match).where(Match.run_id == published.id, Match.round == 1))}
    shown = {(number, member) for number, group in enumerate(published.rounds[0], start=1)
             for member in group["members"]}
    assert shown == stored and len(stored) == len(people)
    assert not any(group.get("locked") for group in published.rounds[0])
