"""Changing where a follow-up stands: notes, "reached out", "remind me", "not now", hiding,
nudges; and the one-click links from mails, each used once."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from organizer.plugin_api import db, utcnow

from . import people
from .models import Contact, LinkUse, Person

MAX_NOTE = 2000


def contact(person: Person, other: Person) -> Contact:
    """``person``'s row about ``other``, made now if new (in the caller's transaction)."""
    found = db.session.scalar(select(Contact).where(Contact.person_id == person.id,
                                                    Contact.other_id == other.id))
    if found is not None:
        return found
    made = Contact(person_id=person.id, other_id=other.id, note="", state="")
    try:
        with db.session.begin_nested():
            db.session.add(made)
    except IntegrityError:  # the same person saved twice at once
        return db.session.scalar(select(Contact).where(Contact.person_id == person.id,
                                                       Contact.other_id == other.id))
    return made


def set_state(found: Contact, state: str, remind_on: date | None = None) -> None:
    """Record where the follow-up stands; a new reminder date gets its own reminder mail."""
    if state == "remind":
        if remind_on is None:
            raise ValueError("a reminder needs its date")
        if found.remind_on != remind_on or found.state != "remind":
            found.reminded_at = None
        found.remind_on = remind_on
    else:
        found.remind_on = None
    if found.state != state:
        found.state_at = utcnow()
    found.state = state
    found.updated_at = utcnow()


def save(person: Person, other_email: str, state: str, remind_on: date | None,
         note: str) -> Contact:
    """Save what ``person`` keeps about the person with ``other_email`` and commit."""
    found = contact(person, people.ensure(other_email))
    set_state(found, state, remind_on)
    found.note = note
    db.session.commit()
    return found


class Used(Exception):
    """A one-click link that was used before, and when."""

    def __init__(self, when):
        super().__init__(when)
        self.when = when


def apply(action: people.Action, today: date | None = None) -> Contact | None:
    """Do what a one-click link says, once: :class:`Used` if it was used before."""
    today = today or utcnow().date()
    person = people.ensure(action.guest.email)
    db.session.flush()  # the person's row first: the use below points at it
    db.session.add(LinkUse(nonce=action.nonce, person_id=person.id))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        used = db.session.get(LinkUse, action.nonce)
        raise Used(used.used_at if used else None) from None
    found = None
    if action.action == "nudges":
        person.nudges = True
    else:
        found = contact(person, people.ensure(action.other.email))
        if action.action == "remind14":
            set_state(found, "remind", today + timedelta(days=14))
        else:
            set_state(found, action.action)
    db.session.commit()
    return found


def set_visibility(person: Person, hidden: bool, nudges: bool) -> None:
    """Whether ``person`` shows in other people's networks, and wants nudges; commit."""
    person.hidden, person.nudges = hidden, nudges
    db.session.commit()
