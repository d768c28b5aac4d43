"""Seats: who is going, who waits, and moving people between the two without races.

Every change that can take or free a seat runs in :func:`organizer.db.write`
and first locks the event's row, so RSVPs, cancellations and promotions for
one event happen one at a time: capacity is never exceeded and a free seat is
never left empty while someone waits. The waiting list is first come, first
served, in the order people joined it.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from organizer.plugin_api import (Attendee, AttendeeStatus, Event, db, gettext as _, insert_loaded,
                                  locked, normalise_email, stage_attendee, stage_status, utcnow,
                                  write)

from . import notify, plugin_questions, settings
from .models import RsvpQuestion, RsvpRegistration

HOLDS_SEAT = (AttendeeStatus.GOING,)
ACTIVE = (AttendeeStatus.GOING, AttendeeStatus.WAITING, AttendeeStatus.PENDING)
# No longer on the list: they cancelled, or the host declined them.
GAVE_UP = (AttendeeStatus.CANCELLED, AttendeeStatus.DECLINED)


class RsvpError(Exception):
    """An RSVP that cannot be taken; ``str(error)`` is a sentence for the person."""


class AlreadyRegistered(RsvpError):
    def __init__(self, attendee: Attendee):
        super().__init__(_("You're already on the list for this event. We've mailed you the "
                           "link to your RSVP again, so you can change or cancel it."))
        self.attendee = attendee


def lock_event(event_id: int) -> Event:
    """Load the event inside the current transaction, holding its row lock.

    The host comes in the same statement: the mails that follow a change
    carry their name and address.
    """
    event = db.session.scalar(_locked(Event.id == event_id))
    if event is None:
        raise RsvpError(_("This event no longer exists."))
    return event


def _locked(where):
    query = (select(Event).where(where).options(joinedload(Event.owner, innerjoin=True))
             .execution_options(populate_existing=True))
    # Seat changes for the event take turns; rows that merely point at the
    # event (a ticket, a check-in) can be written meanwhile.
    return locked(query, of=Event)


def seats_taken(event_id: int) -> int:
    """Seats held by people going, +1 guests included."""
    return int(db.session.scalar(
        select(func.coalesce(func.sum(1 + Attendee.guests), 0)).where(
            Attendee.event_id == event_id, Attendee.status.in_(HOLDS_SEAT))) or 0)


# Waiting-list order: when each person joined it (falling back to when they
# were added), then the order of arrival.
_JOINED = func.coalesce(RsvpRegistration.waiting_since, Attendee.created_at)


def _waiting_query(event_id: int):
    return (select(Attendee)
            .outerjoin(RsvpRegistration, RsvpRegistration.attendee_id == Attendee.id)
            .where(Attendee.event_id == event_id, Attendee.status == AttendeeStatus.WAITING))


def waiting_list(event_id: int) -> list[Attendee]:
    """The waiting list, first come first."""
    return list(db.session.scalars(_waiting_query(event_id).order_by(_JOINED, Attendee.id)))


def anyone_waiting(event_id: int) -> bool:
    """True when the event has a waiting list (one cheap EXISTS query)."""
    return bool(db.session.scalar(select(select(Attendee.id).where(
        Attendee.event_id == event_id, Attendee.status == AttendeeStatus.WAITING).exists())))


def waiting_count(event_id: int) -> int:
    return int(db.session.scalar(select(func.count()).where(
        Attendee.event_id == event_id, Attendee.status == AttendeeStatus.WAITING)))


def position(attendee: Attendee) -> int | None:
    """1 for the first person waiting; None when not waiting."""
    if attendee.status != AttendeeStatus.WAITING:
        return None
    known = getattr(attendee, "rsvp_position", None)
    if known is not None:
        return known
    reg = db.session.get(RsvpRegistration, attendee.id)
    joined = (reg.waiting_since if reg and reg.waiting_since else attendee.created_at)
    ahead = db.session.scalar(
        select(func.count()).select_from(_waiting_query(attendee.event_id).where(
            or_(_JOINED < joined, and_(_JOINED == joined, Attendee.id < attendee.id)))
            .subquery()))
    return int(ahead) + 1


def free_seats(event: Event) -> float:
    """Seats left (infinite when the event has no capacity)."""
    if event.capacity is None:
        return float("inf")
    return event.capacity - seats_taken(event.id)


def _check_open(event: Event, now: datetime) -> None:
    if event.status == "cancelled":
        raise RsvpError(_("This event is cancelled, so it no longer takes RSVPs."))
    if event.status != "published":
        raise RsvpError(_("This event is not open for RSVPs yet."))
    if not settings.of(event).enabled:
        raise RsvpError(_("The host takes no RSVPs for this event."))
    if now >= settings.closes_at(event):
        raise RsvpError(_("RSVPs for this event are closed."))


def _place(event: Event, guests: int, someone_waits: bool | None = None,
           taken: int | None = None) -> str:
    """Where a new or returning person goes: pending, going or the waiting list
    (``someone_waits`` and ``taken`` seats when the caller has just counted them)."""
    if settings.of(event).approval:
        return AttendeeStatus.PENDING
    if anyone_waiting(event.id) if someone_waits is None else someone_waits:
        return AttendeeStatus.WAITING  # nobody jumps the queue
    free = free_seats(event) if taken is None else (
        float("inf") if event.capacity is None else event.capacity - taken)
    return AttendeeStatus.GOING if free >= 1 + guests else AttendeeStatus.WAITING


def move(attendee: Attendee, status: str) -> bool:
    """Change the status (inside a transaction); joining the waiting list puts
    the person at its end."""
    was = attendee.status
    changed = stage_status(attendee, status)
    if changed and status == AttendeeStatus.WAITING and was != AttendeeStatus.WAITING:
        registration(attendee).waiting_since = utcnow()
    return changed


def registration(attendee: Attendee) -> RsvpRegistration:
    """The attendee's registration, created when they were added some other way."""
    found = db.session.get(RsvpRegistration, attendee.id)
    if found is None:
        found = RsvpRegistration(attendee_id=attendee.id, event_id=attendee.event_id,
                                 answers={}, guest_name="", ics_bump=0)
        db.session.add(found)
    attendee.rsvp_registered = True
    return found


_att = Attendee.__table__
# Where a newcomer stands, in one statement: whether the address is already
# on the list, how long the waiting list is, and how many seats are taken.
# Index lookups, run after the event's lock (on PostgreSQL a statement of its
# own, so it sees every RSVP committed before the lock was granted).
_STANDING = select(
    select(_att.c.id).where(_att.c.event_id == bindparam("event_id"),
                            _att.c.email == bindparam("email")).scalar_subquery(),
    select(func.count()).where(_att.c.event_id == bindparam("event_id"),
                               _att.c.status == AttendeeStatus.WAITING).scalar_subquery(),
    select(func.coalesce(func.sum(1 + _att.c.guests), 0)).where(
        _att.c.event_id == bindparam("event_id"),
        _att.c.status.in_(HOLDS_SEAT)).scalar_subquery())


def register(event_id: int, name: str, email: str, answers: dict | None = None,
             guests: int = 0, guest_name: str = "", organisation: str = "",
             role: str = "", listed: bool = False, hold_id: int | None = None) -> Attendee:
    """Take an RSVP: going, waiting or pending; the person's mail is queued with it.

    An address already on the list (in any status) changes nothing: its
    owner is mailed their private link again (:class:`AlreadyRegistered`),
    from which they can change, cancel or rejoin. A seat taken by a hold on
    every date of a series (``hold_id``) mails nothing: the hold's one mail
    lists every date.
    """
    # Everything decided below is read again under the lock; objects read
    # before (the event's host, say) stay loaded for the mail that follows.
    with write(keep_loaded=True) as session:
        event = lock_event(event_id)
        attendee, error = _take(session, event, name, email, answers or {}, guests,
                                guest_name, organisation, role, listed, hold_id=hold_id)
    if error is not None:
        raise error
    return attendee


class UnknownEvent(RsvpError):
    """No published event has this address."""


class InvalidForm(RsvpError):
    """The RSVP form has mistakes; ``submission.errors`` says which, field by field."""

    def __init__(self, event: Event, submission):
        super().__init__(_("Please correct the answers marked below."))
        self.event, self.submission = event, submission


# The event by its address, its host and its questions, the event's row locked:
# built once, as every RSVP of a surge runs it.
_FORM_QUERY = (_locked(Event.slug == bindparam("slug")).add_columns(RsvpQuestion)
               .outerjoin(RsvpQuestion, RsvpQuestion.event_id == Event.id)
               .order_by(RsvpQuestion.position, RsvpQuestion.id))


def register_form(slug: str, form) -> Attendee:
    """Take an RSVP from the event page's form, like :func:`register`.

    One transaction from the event's lock to the stored RSVP: the form is
    checked against the event's questions and settings as they are under the
    lock, and a surge of RSVPs costs each one a single round of statements.
    Raises :class:`UnknownEvent` for an address that is no published event,
    :class:`InvalidForm` with the mistakes.
    """
    from . import answers as answers_mod
    with write(keep_loaded=True) as session:
        # The event, its host and its questions in one statement: one row
        # per question (or one without), the event's row locked.
        rows = session.execute(_FORM_QUERY, {"slug": slug}).all()
        event = rows[0][0] if rows else None
        if event is None or event.status == "draft":
            raise UnknownEvent("There is no such event.")
        questions = [question for _event, question in rows if question is not None]
        sub = answers_mod.read(form, event, settings.of(event).plus_one, asked=questions)
        theirs = plugin_questions.asked(event)
        sub.plugin_form, sub.plugin_values, errors = plugin_questions.check(theirs, form)
        sub.errors.update(errors)
        if sub.errors:
            raise InvalidForm(event, sub)
        attendee, error = _take(session, event, sub.name, sub.email, sub.answers, sub.guests,
                                sub.guest_name, sub.organisation, sub.role, sub.listed)
        if attendee is not None:
            plugin_questions.save(theirs, attendee, sub.plugin_values)
    if error is not None:
        raise error
    return attendee


def _take(session, event: Event, name: str, email: str, answers: dict, guests: int,
          guest_name: str, organisation: str, role: str, listed: bool = False,
          hold_id: int | None = None) -> tuple[Attendee | None, RsvpError | None]:
    """The RSVP itself, inside the caller's transaction that holds the event's lock.

    Returns the new attendee, or the error to raise once the transaction has
    committed (an address already on the list is mailed its link even so).
    """
    _check_open(event, utcnow())
    if guests and not settings.of(event).plus_one:
        raise RsvpError(_("This event does not take +1 guests."))
    email = normalise_email(email)
    existing_id, waiting, taken = session.connection().execute(
        _STANDING, {"event_id": event.id, "email": email}).one()
    if existing_id is not None:
        existing = session.get(Attendee, existing_id)
        if hold_id is None:
            notify.queue("already", existing, event)
        return None, AlreadyRegistered(existing)
    status = _place(event, guests, someone_waits=waiting > 0, taken=int(taken))
    attendee = stage_attendee(event, name, email, status, guests=guests,
                               organisation=organisation, role=role, listed=listed,
                               check_duplicate=False)
    insert_loaded(RsvpRegistration(
        attendee_id=attendee.id, event_id=event.id, answers=answers, guest_name=guest_name,
        ics_bump=0, waiting_since=utcnow() if status == AttendeeStatus.WAITING else None,
        hold_id=hold_id))
    attendee.rsvp_registered = True
    # The page that follows shows the event: it stays with the attendee.
    set_committed_value(attendee, "event", event)
    if status == AttendeeStatus.WAITING:
        # Just joined at the back, and the lock keeps it so: the place is
        # the length of the list before, plus one.
        attendee.rsvp_position = waiting + 1
    if hold_id is None:
        notify.queue(status, attendee, event)
    return attendee, None


def add_by_host(event_id: int, name: str, email: str, organisation: str = "",
                role: str = "") -> Attendee:
    """A host puts someone on the list: going while a seat is free, else waiting; they are
    mailed as after an RSVP. Raises ``GuestListError`` when the address is already there."""
    with write(keep_loaded=True):
        event = lock_event(event_id)
        status = AttendeeStatus.GOING if free_seats(event) >= 1 else AttendeeStatus.WAITING
        attendee = stage_attendee(event, name, email, status, organisation=organisation,
                                   role=role)
        registration(attendee)
        notify.queue(status, attendee, event)
    return attendee


def rejoin(attendee_id: int) -> Attendee:
    """Someone who cancelled joins again, from their own link, at the back of any queue."""
    with write():
        attendee = db.session.get(Attendee, attendee_id, populate_existing=True)
        event = lock_event(attendee.event_id)
        db.session.refresh(attendee)
        _check_open(event, utcnow())
        if attendee.status == AttendeeStatus.DECLINED:
            raise RsvpError(_("The host has declined this RSVP, so it cannot be renewed here."))
        if attendee.status != AttendeeStatus.CANCELLED:
            raise RsvpError(_("You're already on the list."))
        if attendee.guests and not settings.of(event).plus_one:
            attendee.guests = 0
        status = _place(event, attendee.guests)
        registration(attendee).ics_bump += 1
        move(attendee, status)
        notify.queue(status, attendee, event)
    return attendee


def fill_seats(event: Event, skip: int | None = None) -> list[Attendee]:
    """Promote people from the waiting list while their party fits (inside a transaction).

    Only while the event is published and has not started; ``skip`` is
    someone the host has just moved to the waiting list.
    """
    promoted = []
    if event.status != "published" or utcnow() >= event.starts_at:
        return promoted
    free = free_seats(event)
    for attendee in waiting_list(event.id):
        if attendee.id == skip:
            continue
        need = 1 + attendee.guests
        if need > free:
            break  # first come, first served: nobody further back jumps ahead
        move(attendee, AttendeeStatus.GOING)
        registration(attendee).promoted_at = utcnow()
        notify.queue("promoted", attendee, event)
        promoted.append(attendee)
        free -= need
    return promoted


def promote(event_id: int) -> list[Attendee]:
    """Fill free seats from the waiting list (after a capacity raise, say)."""
    with write():
        return fill_seats(lock_event(event_id))


def cancel(attendee_id: int, quiet: bool = False) -> Attendee:
    """The attendee withdraws; their seat goes to the first person waiting. ``quiet``: no
    mail to them (a date skipped or given back from a hold, which sent no invite)."""
    with write():
        attendee = db.session.get(Attendee, attendee_id, populate_existing=True)
        event = lock_event(attendee.event_id)
        db.session.refresh(attendee)
        if attendee.status not in ACTIVE:
            raise RsvpError(_("Your RSVP is already cancelled."))
        was_going = attendee.status == AttendeeStatus.GOING
        move(attendee, AttendeeStatus.CANCELLED)
        registration(attendee).ics_bump += 1
        if not quiet:
            notify.queue("cancelled" if was_going else "left", attendee, event)
        fill_seats(event)
    return attendee


def set_status(attendee_id: int, status: str) -> tuple[Attendee, str]:
    """The host moves someone (approve, decline, going, waiting, cancel).

    Returns the attendee and the status they ended with: approving someone
    when the event is full puts them on the waiting list.
    """
    with write():
        attendee = db.session.get(Attendee, attendee_id, populate_existing=True)
        event = lock_event(attendee.event_id)
        db.session.refresh(attendee)
        old = attendee.status
        if status == old:
            return attendee, old
        if status == AttendeeStatus.GOING and old != AttendeeStatus.GOING:
            fits = free_seats(event) >= 1 + attendee.guests
            status = AttendeeStatus.GOING if fits else AttendeeStatus.WAITING
        move(attendee, status)
        reg = registration(attendee)
        if status in GAVE_UP or old in GAVE_UP:
            reg.ics_bump += 1
        kind = {"going": "going", "waiting": "waiting", "declined": "declined",
                "cancelled": "cancelled_by_host", "pending": "pending"}[status]
        notify.queue(kind, attendee, event)
        if old == AttendeeStatus.GOING:
            fill_seats(event, skip=attendee.id)
    return attendee, status


def update_answers(attendee_id: int, name: str, answers: dict, guests: int,
                   guest_name: str, organisation: str = "", role: str = "") -> Attendee:
    """The attendee changes their answers or their +1; a +1 must fit."""
    with write():
        attendee = db.session.get(Attendee, attendee_id, populate_existing=True)
        event = lock_event(attendee.event_id)
        db.session.refresh(attendee)
        if event.status != "published" or utcnow() >= settings.closes_at(event):
            raise RsvpError(_("RSVPs for this event are closed, so answers can no longer change."))
        if guests and not settings.of(event).plus_one:
            raise RsvpError(_("This event does not take +1 guests."))
        extra = guests - attendee.guests
        if attendee.status == AttendeeStatus.GOING and extra > 0 and free_seats(event) < extra:
            raise RsvpError(_("There is no seat left for a +1. Your RSVP is unchanged."))
        attendee.name, attendee.guests = name.strip(), guests
        attendee.organisation, attendee.role = organisation, role
        attendee.updated_at = utcnow()
        reg = registration(attendee)
        reg.answers, reg.guest_name = answers, guest_name
        if attendee.status == AttendeeStatus.GOING and extra < 0:
            fill_seats(event)
    return attendee
