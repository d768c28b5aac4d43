"""The guest list: adding people, changing their status, checking them in.

Plugins (RSVP, badges, ...) change attendees through these functions so the
lifecycle hooks fire once, after the change is committed.
"""
from __future__ import annotations

from datetime import datetime

from flask import abort
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from . import webhooks
from .db import after_commit, commit, db, insert_loaded
from .i18n import gettext as _, page_falls_back_to
from .models import ATTENDEE_STATUSES, Attendee, AttendeeStatus, Event, utcnow
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


def by_token(token: str) -> Attendee | None:
    """The attendee whose private link carries ``token``, or None."""
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(Attendee).where(Attendee.token == token))


def by_token_or_404(token: str) -> Attendee:
    """For views behind an attendee's private link: the attendee, or a 404. The page
    speaks the event's language to a visitor who has not said what they read."""
    attendee = by_token(token)
    if attendee is None:
        abort(404)
    page_falls_back_to(attendee.event.language)
    return attendee


def of_event_or_404(event: Event, attendee_id: int | None) -> Attendee:
    """For host views: attendee ``attendee_id`` of ``event``, or a 404 (also for
    someone on another event's list)."""
    attendee = db.session.get(Attendee, attendee_id) if attendee_id is not None else None
    if attendee is None or attendee.event_id != event.id:
        abort(404)
    return attendee


def stage(event: Event, name: str, email: str, status: str = AttendeeStatus.GOING,
          check_duplicate: bool = True, **fields) -> Attendee:
    """Add someone to the session without committing (for a caller's own transaction).

    ``attendee_registered`` fires once the caller commits with
    :func:`organizer.db.commit` (or leaves :func:`organizer.db.write`).
    Raises :class:`GuestListError` when the address is already on the list
    (pass ``check_duplicate=False`` when the caller has just looked; the
    unique constraint still holds).
    """
    if status not in ATTENDEE_STATUSES:
        raise GuestListError(_("“%(status)s” is not a guest status.", status=status))
    if check_duplicate and find(event, email) is not None:
        raise GuestListError(_("%(email)s is already on the guest list.", email=email.strip()))
    attendee = insert_loaded(Attendee(event_id=event.id, name=name.strip(),
                                      email=normalise_email(email), status=status, **fields))
    webhooks.queue("attendee.registered", event, lambda: webhooks.attendee_data(attendee))
    after_commit(lambda: hook().attendee_registered(attendee=attendee))
    return attendee


def add(event: Event, name: str, email: str, status: str = AttendeeStatus.GOING,
        **fields) -> Attendee:
    """Put someone on the guest list and commit; fires ``attendee_registered``."""
    attendee = stage(event, name, email, status, **fields)
    commit()
    return attendee


def change_email(attendee: Attendee, email: str) -> None:
    """Correct the attendee's address and commit; their undelivered mail goes there.

    Raises :class:`GuestListError` when someone else on the list has it.
    """
    from .delivery import readdress
    email = normalise_email(email)
    other = find(attendee.event, email)
    if other is not None and other.id != attendee.id:
        raise GuestListError(_("%(email)s is already on this event's guest list.", email=email))
    attendee.email = email
    attendee.updated_at = utcnow()
    readdress(attendee.id, email)
    db.session.flush()
    webhooks.queue("attendee.updated", attendee.event, lambda: webhooks.attendee_data(attendee))
    try:
        commit()
    except IntegrityError:  # someone took the address a moment ago
        db.session.rollback()
        raise GuestListError(_("%(email)s is already on this event's guest list.",
                               email=email)) from None


def stage_status(attendee: Attendee, status: str) -> bool:
    """Set a new status without committing; the hook fires on the caller's commit."""
    if status not in ATTENDEE_STATUSES:
        raise GuestListError(_("“%(status)s” is not a guest status.", status=status))
    old = attendee.status
    if old == status:
        return False
    attendee.status = status
    attendee.updated_at = utcnow()
    webhooks.queue(_change_type(old, status), attendee.event,
                   lambda: webhooks.attendee_data(attendee))
    after_commit(lambda: hook().attendee_status_changed(attendee=attendee, old_status=old))
    return True


def _change_type(old: str, new: str) -> str:
    """The webhook type of a status change."""
    if new == AttendeeStatus.CANCELLED:
        return "attendee.cancelled"
    if old == AttendeeStatus.WAITING and new == AttendeeStatus.GOING:
        return "attendee.promoted"
    return "attendee.updated"


def change_status(attendee: Attendee, status: str) -> bool:
    """Set a new status and commit; fires ``attendee_status_changed`` when it changed."""
    changed = stage_status(attendee, status)
    commit()
    return changed


def stage_check_in(attendee, when: datetime | None = None,
                   webhooks_on: bool | None = None) -> bool:
    """Mark the arrival inside the caller's transaction; True only if this call did it.

    ``attendee`` is an :class:`Attendee`, or any row with its ``id`` and
    ``event_id`` (the door reads plain rows; it passes its event's
    ``webhooks`` flag as ``webhooks_on``, read with the ticket). A single
    conditional UPDATE: of two scanners at once, one wins.
    ``attendee_checked_in`` fires when the caller commits.
    """
    changed = utcnow()
    # ``when`` may be in the past (a door that was offline): the row changed now all the
    # same, so clients syncing "updated since" see it.
    when = when or changed
    # Core UPDATE on the table: the door's hottest statement skips the ORM's
    # bulk-update bookkeeping; a loaded object is told the new value below.
    result = db.session.connection().execute(
        _CHECK_IN, {"attendee_id": attendee.id, "arrived": when, "changed": changed})
    if result.rowcount != 1:
        return False
    if isinstance(attendee, Attendee):
        set_committed_value(attendee, "checked_in_at", when)
        set_committed_value(attendee, "updated_at", changed)
    if webhooks_on is not False:
        webhooks.queue("attendee.checked_in", attendee.event if isinstance(attendee, Attendee)
                       else attendee.event_id,
                       lambda: webhooks.attendee_data(db.session.get(Attendee, attendee.id)))
    if hook().attendee_checked_in.get_hookimpls():  # load the object only for listeners
        attendee_id = attendee.id
        after_commit(lambda: hook().attendee_checked_in(
            attendee=attendee if isinstance(attendee, Attendee)
            else db.session.get(Attendee, attendee_id)))
    return True


_table = Attendee.__table__
_CHECK_IN = (update(_table)
             .where(_table.c.id == bindparam("attendee_id"), _table.c.checked_in_at.is_(None),
                    _table.c.status == AttendeeStatus.GOING)
             # A check-in is a change: clients syncing "updated since" see it.
             .values(checked_in_at=bindparam("arrived"), updated_at=bindparam("changed")))


def stage_undo_check_in(attendee: Attendee) -> bool:
    """Take back the arrival inside the caller's transaction; True if there was one.

    ``attendee_check_in_undone`` fires when the caller commits.
    """
    now = utcnow()
    result = db.session.execute(
        update(Attendee).where(Attendee.id == attendee.id, Attendee.checked_in_at.is_not(None))
        .values(checked_in_at=None, updated_at=now)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    set_committed_value(attendee, "checked_in_at", None)
    set_committed_value(attendee, "updated_at", now)
    webhooks.queue("attendee.updated", attendee.event, lambda: webhooks.attendee_data(attendee))
    after_commit(lambda: hook().attendee_check_in_undone(attendee=attendee))
    return True


def check_in(attendee: Attendee, when: datetime | None = None) -> bool:
    """Record the arrival of ``attendee`` once and commit; True only for the call that did it.

    A single conditional UPDATE, so two scanners at once store one check-in.
    """
    done = stage_check_in(attendee, when)
    if not done:
        db.session.rollback()
        return False
    commit()
    db.session.refresh(attendee)
    return True
