"""The event's board: short asks and offers before the event, answered with "I can help" or
"me too", which asks for an introduction through connector mode (the author accepts or not:
double opt-in).

Who may post and who sees the board follow the profile's consent: only
people going who take part in matching (a profile, not opted out), as for
introductions.
"""
from __future__ import annotations

from sqlalchemy import func, select

from organizer.plugin_api import (Attendee, AttendeeStatus, commit, db, gettext as _, in_language,
                                  lazy_gettext as _l, ngettext, utcnow)

from . import intros
from .models import BoardPost, Profile

MAX_TEXT = 280
MAX_POSTS = 3
KINDS = {"ask": _l("Ask"), "offer": _l("Offer")}
# What answering a post says, as the first line of the introduction request: written in
# the event's language, for the post's author.
ANSWERS = {"help": _l("I can help with your ask: “%(post)s”"), "too": _l("Me too: “%(post)s”"),
           "interested": _l("I'd like your offer: “%(post)s”")}


class BoardError(ValueError):
    """A post or answer that cannot be made, with a sentence for the attendee."""


def open_for(person: Attendee) -> bool:
    """The board takes posts and answers until the event ends, from people taking part."""
    return intros.may_ask(person) and person.event.ends_at > utcnow()


def posts(event_id: int) -> list[BoardPost]:
    """The board as others see it: posts of people still going and taking part, newest first."""
    return list(db.session.scalars(
        select(BoardPost).join(Attendee, Attendee.id == BoardPost.attendee_id)
        .join(Profile, Profile.attendee_id == Attendee.id)
        .where(BoardPost.event_id == event_id, BoardPost.withdrawn_at.is_(None),
               Attendee.status == AttendeeStatus.GOING, Profile.opted_out.is_(False))
        .order_by(BoardPost.created_at.desc(), BoardPost.id.desc())))


def post(person: Attendee, kind: str, text: str) -> BoardPost:
    """``person`` puts an ask or an offer on their event's board."""
    if not open_for(person):
        raise BoardError(_("Fill in your profile first: the board is for people going to the "
                           "event who take part in matching."))
    text = " ".join((text or "").split())
    if kind not in KINDS:
        raise BoardError(_("Choose whether this is an ask or an offer."))
    if len(text) < 3:
        raise BoardError(_("Write a few words: what you're looking for, or what you can offer."))
    if len(text) > MAX_TEXT:
        raise BoardError(_("Keep it under %(most)d characters (%(now)d now).", most=MAX_TEXT,
                           now=len(text)))
    mine = db.session.scalar(select(func.count()).select_from(BoardPost).where(
        BoardPost.attendee_id == person.id, BoardPost.withdrawn_at.is_(None)))
    if mine >= MAX_POSTS:
        raise BoardError(ngettext("You have %(num)d post on the board already: take it down "
                                  "first.",
                                  "You have %(num)d posts on the board already: take one down "
                                  "first.", MAX_POSTS))
    made = BoardPost(event_id=person.event_id, attendee_id=person.id, kind=kind, text=text)
    db.session.add(made)
    commit()
    return made


def withdraw(person: Attendee, post_id: int) -> None:
    found = db.session.get(BoardPost, post_id)
    if found is None or found.attendee_id != person.id or found.withdrawn_at is not None:
        raise BoardError(_("That post is not yours, or is already down."))
    found.withdrawn_at = utcnow()
    commit()


def answer(person: Attendee, post_id: int, how: str):
    """``person`` answers a post: an introduction request to its author, who accepts or not."""
    found = db.session.get(BoardPost, post_id)
    if found is None or found.event_id != person.event_id or found.withdrawn_at is not None:
        raise BoardError(_("That post is no longer on the board."))
    if found.attendee_id == person.id:
        raise BoardError(_("That is your own post."))
    allowed = ("help", "too") if found.kind == "ask" else ("interested",)
    if how not in allowed:
        raise BoardError(_("Choose one of the answers under the post."))
    if not open_for(person):
        raise BoardError(_("Fill in your profile first: the board is for people going to the "
                           "event who take part in matching."))
    with in_language(person.event.language):
        message = (str(ANSWERS[how]) % {"post": found.text})[:intros.MAX_MESSAGE]
    try:
        return intros.ask(person, found.attendee_id, message)
    except intros.IntroError as exc:
        raise BoardError(str(exc)) from None
