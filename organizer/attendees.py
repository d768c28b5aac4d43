"""The guest list: adding people, changing their status, checking them in.

Plugins (RSVP, badges, ...) change attendees through these functions so the
lifecycle hooks fire once, after the change is committed.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from .db import after_commit, commit, db
from .models import ATTENDEE_STATUSES, Attendee, Event, utcnow
from .plugins import hook


class GuestListError(ValueError):
    """A change to the guest list that cannot be made, with a sentence saying why."""


def normalise_email(email: str) -> str:
    """One spelling per address: trimmed and lower-cased."""
    return email.strip().lower()


def find(event: Event, email: str) -> Attendee | None:
    """The attendee of ``event`` with ``email``, if any."""
    return db.session.scalar(select(Attendee).where(
        Attendee.event_id == event.id, Attendee.email == normalise_email(email)))


def add(event: Event, name: str, email: str, status: str = "going", **fields) -> Attendee:
    """Put someone on the guest list; fires ``attendee_registered`` after commit.

    Raises :class:`GuestListError` when the address is already on the list.
    """
    if status not in ATTENDEE_STATUSES:
        raise GuestListError(f"“{status}” is not a guest status.")
    if find(event, email) is not None:
        raise GuestListError(f"{email} is already on the guest list.")
    attendee = Attendee(event_id=event.id, name=name.strip(), email=normalise_email(email),
                        status=status, **fields)
    db.session.add(attendee)
    after_commit(lambda: hook().attendee_registered(attendee=attendee))
    commit()
    return attendee


def change_status(attendee: Attendee, status: str) -> bool:
    """Set a new status; fires ``attendee_status_changed`` when it really changed."""
    if status not in ATTENDEE_STATUSES:
        raise GuestListError(f"“{status}” is not a guest status.")
    old = attendee.status
    if old == status:
        return False
    attendee.status = status
    attendee.updated_at = utcnow()
    after_commit(lambda: hook().attendee_status_changed(attendee=attendee, old_status=old))
    commit()
    return True


def check_in(attendee: Attendee, when: datetime | None = None) -> bool:
    """Record the arrival of ``attendee`` once; True only for the call that did it.

    A single conditional UPDATE, so two scanners at once store one check-in.
    """
    when = when or utcnow()
    result = db.session.execute(
        update(Attendee).where(Attendee.id == attendee.id, Attendee.checked_in_at.is_(None))
        .values(checked_in_at=when))
    if result.rowcount != 1:
        db.session.rollback()
        return False
    after_commit(lambda: hook().attendee_checked_in(attendee=attendee))
    commit()
    db.session.refresh(attendee)
    return True
