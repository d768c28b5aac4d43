"""Who a person is across events (their address), and the signed links that act for them.

Nobody has an account: a person is their address. They reach their network
by a link mailed on request (or from their own attendee page), signed with
the app's secret key and expiring. Links in follow-up mails ("I reached out
to Ana", "remind me in two weeks") are signed too, name one person, one
other person and one action, and work once.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from organizer.plugin_api import (Attendee, db, erased, external_url, gettext as _, ngettext,
                                  normalise_email)

from .models import Person

# A mailed link to one's network opens it for a week; links in a follow-up mail
# are read later, so they keep working for three months.
NETWORK_DAYS = 7
ACTION_DAYS = 90
ACTIONS = ("reached", "remind14", "not_now", "nudges")


class BadLink(ValueError):
    """A link that is not ours, was altered, or has expired: the sentence says which, in
    the language being spoken (the visitor's: it is shown on the page they opened)."""


def _signer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=f"organizer.followup.{purpose}")


def find(email: str) -> Person | None:
    """The person with this address, if they ever opened their network or were noted."""
    return db.session.scalar(select(Person).where(Person.email == normalise_email(email)))


def ensure(email: str) -> Person:
    """The person with this address, made now if new (in the caller's transaction)."""
    email = normalise_email(email)
    found = find(email)
    if found is not None:
        return found
    person = Person(email=email)
    try:
        with db.session.begin_nested():
            db.session.add(person)
    except IntegrityError:  # made by a request at the same moment
        return find(email)
    return person


def network_url(attendee: Attendee) -> str:
    """A link to the network of the person ``attendee`` is (by their address), good for a
    week. It carries the guest's id, not the address: a link is not a secret to its
    holder, and ids say nothing about anyone."""
    token = _signer("network").dumps({"a": attendee.id})
    return external_url("followup_network.page", token=token)


def _attendee(attendee_id) -> Attendee | None:
    """The guest a link was made for, unless they are gone or erased their data."""
    found = db.session.get(Attendee, attendee_id) if isinstance(attendee_id, int) else None
    return None if found is None or erased(found) else found


def from_network_token(token: str) -> Person:
    """The person a network link belongs to (made now if new, and committed);
    :class:`BadLink` when the link does not work."""
    try:
        data = _signer("network").loads(token, max_age=NETWORK_DAYS * 86400)
    except SignatureExpired:
        raise BadLink(ngettext(
            "This link to your network has expired: links work for %(num)d day. Ask for a "
            "new one below.",
            "This link to your network has expired: links work for %(num)d days. Ask for a "
            "new one below.", NETWORK_DAYS)) from None
    except BadSignature:
        raise BadLink(_("This link does not work: it may have been cut short when it was "
                        "copied. Ask for a new one below.")) from None
    guest = _attendee(data.get("a")) if isinstance(data, dict) else None
    if guest is None:
        raise BadLink(_("This link does not work any more. Ask for a new one below."))
    person = find(guest.email)
    if person is None:  # their first visit: made once, so a page view writes nothing after
        person = ensure(guest.email)
        db.session.commit()
    return person


@dataclass(frozen=True)
class Action:
    """What a one-click link in a mail asks for: the person the link's ``guest`` is does
    ``action`` about the guest ``other`` (None for "nudges")."""

    guest: Attendee
    other: Attendee | None
    action: str
    nonce: str


def action_url(attendee: Attendee, action: str, other: Attendee | None = None) -> str:
    """A one-click link for the person ``attendee`` is, alone: ``action`` about ``other``
    (one of :data:`ACTIONS`; "nudges" turns the gentle nudges on and names nobody)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    token = _signer("action").dumps({"a": attendee.id, "o": other.id if other else None,
                                     "x": action, "n": secrets.token_hex(16)})
    return external_url("followup_network.act", token=token)


def from_action_token(token: str) -> Action:
    """What a one-click link asks for; :class:`BadLink` when it does not work."""
    try:
        data = _signer("action").loads(token, max_age=ACTION_DAYS * 86400)
    except SignatureExpired:
        raise BadLink(ngettext(
            "This link has expired: links in follow-up mails work for %(num)d day. Your "
            "network page still has every choice.",
            "This link has expired: links in follow-up mails work for %(num)d days. Your "
            "network page still has every choice.", ACTION_DAYS)) from None
    except BadSignature:
        raise BadLink(_("This link does not work: it may have been cut short when it was "
                        "copied.")) from None
    if not isinstance(data, dict) or data.get("x") not in ACTIONS:
        raise BadLink(_("This link does not work."))
    guest, other = _attendee(data.get("a")), _attendee(data.get("o"))
    if guest is None or (data["x"] != "nudges" and other is None):
        raise BadLink(_("This link does not work any more."))
    return Action(guest, other, data["x"], str(data.get("n", ""))[:32])
