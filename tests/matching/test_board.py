"""The event's board: asks and offers before the event, seen only by the people taking part
in matching; an answer is a request to meet that the author accepts or not (double opt-in)."""
from __future__ import annotations

from sqlalchemy import select

from organizer.db import db

from ..conftest import body_text, outbox, post
from ..rsvp.helpers import make_event, person, rsvp
from .test_plugin import _join

ASK = "Looking for a designer for our <b>climate</b> app"


def _page(app, someone) -> str:
    return app.test_client().get(f"/rsvp/{someone.token}").text


def test_an_answer_on_the_board_becomes_an_introduction_both_accept(app, host_client):
    event = make_event(host_client, capacity="20")
    ana = _join(app, event, "Ana Souza", "ana@example.org", offers="x", share=["email"])
    ben = _join(app, event, "Ben Quiet", "ben@example.org", seeks="x", share=["email"])
    page = f"/rsvp/{ana.token}"
    response = post(app.test_client(), f"{page}/board", {"kind": "ask", "text": ASK}, page=page)
    assert response.status_code == 302
    bens = _page(app, ben)
    assert "Looking for a designer for our &lt;b&gt;climate&lt;/b&gt; app" in bens  # escaped
    assert "I can help" in bens and "Me too" in bens

    from organizer_plugins.matching.models import BoardPost, IntroRequest
    post_id = db.session.scalar(select(BoardPost.id))
    answered = post(app.test_client(), f"/rsvp/{ben.token}/board/{post_id}/answer",
                    {"how": "help"}, page=f"/rsvp/{ben.token}")
    assert answered.status_code == 302
    [ask] = [m for m in outbox(app) if m["To"] == "ana@example.org"
             and "would like to meet" in m["Subject"]]
    assert "I can help with your ask" in body_text(ask) and "designer" in body_text(ask)
    assert "ben@example.org" not in body_text(ask)  # nothing shared before she accepts
    assert "You've answered" in _page(app, ben)
    browser = app.test_client()
    again = post(browser, f"/rsvp/{ben.token}/board/{post_id}/answer",
                 {"how": "too"}, page=f"/rsvp/{ben.token}")
    assert "already asked" in browser.get(again.headers["Location"]).text

    request = db.session.scalar(select(IntroRequest))
    post(app.test_client(), f"/rsvp/{ana.token}/introductions/{request.id}",
         {"answer": "accept"}, page=page)
    intros = {m["To"] for m in outbox(app) if m["Subject"].startswith("Introduction")}
    assert intros == {"ana@example.org", "ben@example.org"}


def test_only_people_taking_part_see_and_answer_the_board(app, host_client):
    event = make_event(host_client, capacity="20")
    ana = _join(app, event, "Ana", "ana@example.org", offers="x")
    assert rsvp(app.test_client(), event, "Cara", "cara@example.org").status_code == 201
    cara = person(event, "cara@example.org")  # going, no profile
    dan = _join(app, event, "Dan", "dan@example.org", offers="y")
    post(app.test_client(), f"/rsvp/{ana.token}/board", {"kind": "offer",
         "text": "Happy to review pitch decks"}, page=f"/rsvp/{ana.token}")
    assert "pitch decks" not in _page(app, cara)
    assert "Fill in your profile" in _page(app, cara)
    from organizer_plugins.matching.models import BoardPost
    post_id = db.session.scalar(select(BoardPost.id))
    browser = app.test_client()
    refused = post(browser, f"/rsvp/{cara.token}/board/{post_id}/answer",
                   {"how": "interested"}, page=f"/rsvp/{cara.token}")
    assert "Fill in your profile first" in browser.get(refused.headers["Location"]).text
    assert "pitch decks" in _page(app, dan)
    # Ana opts out of matching: her post leaves the board with her.
    post(app.test_client(), f"/rsvp/{ana.token}/profile", {"opted_out": "1"},
         page=f"/rsvp/{ana.token}/profile")
    assert "pitch decks" not in _page(app, dan)


def test_posts_are_checked_and_explained_and_can_be_taken_down(app, host_client):
    event = make_event(host_client, capacity="20")
    ana = _join(app, event, "Ana", "ana@example.org", offers="x")
    page = f"/rsvp/{ana.token}"
    client = app.test_client()
    empty = post(client, f"{page}/board", {"kind": "ask", "text": "  "}, page=page)
    assert empty.status_code == 422 and "Write a few words" in empty.text
    long = post(client, f"{page}/board", {"kind": "ask", "text": "y" * 281}, page=page)
    assert long.status_code == 422 and "under 280 characters (281 now)" in long.text
    assert 'value="ask" checked' in long.text and "y" * 281 in long.text  # kept as typed
    odd = post(client, f"{page}/board", {"kind": "brag", "text": "Hello all"}, page=page)
    assert odd.status_code == 422 and "ask or an offer" in odd.text
    for n in range(3):
        assert post(client, f"{page}/board", {"kind": "offer", "text": f"Offer {n}"},
                    page=page).status_code == 302
    fourth = post(client, f"{page}/board", {"kind": "offer", "text": "One more"}, page=page)
    assert fourth.status_code == 422 and "3 posts on the board already" in fourth.text
    from organizer_plugins.matching.models import BoardPost
    first = db.session.scalar(select(BoardPost).order_by(BoardPost.id))
    own = post(client, f"{page}/board/{first.id}/answer", {"how": "interested"}, page=page)
    assert "your own post" in client.get(own.headers["Location"]).text
    post(client, f"{page}/board/{first.id}/withdraw", page=page)
    assert "Offer 0" not in client.get(page).text and "Offer 1" in client.get(page).text
