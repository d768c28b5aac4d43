"""Holding a seat for every date of a series: one RSVP for the whole series, a date skipped in
one click, stopped at any time; and each person's streak.

A hold takes a seat on each upcoming date through the same locked RSVP as
everyone else (:func:`seats.register`), date by date, so capacity and the
waiting list hold per date. Dates the series adds later are taken by the due
work. A skipped or cancelled date stays skipped: a hold only fills dates
where the person is not on the list at all.
"""
from __future__ import annotations

from datetime import datetime

from flask import render_template
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from organizer.plugin_api import (Attendee, AttendeeStatus, Event, Message, Skip, commit, db,
                                  external_url, format_range, gettext as _, in_language,
                                  lazy_gettext as _l, mail_renderer, normalise_email, queue_mail,
                                  utcnow)

from . import seats, settings
from .models import RsvpRegistration, SeriesHold

KIND = "rsvp.series_hold"


def of(series_id: int, email: str) -> SeriesHold | None:
    return db.session.scalar(select(SeriesHold).where(
        SeriesHold.series_id == series_id, SeriesHold.email == normalise_email(email)))


def active(series_id: int, email: str) -> SeriesHold | None:
    found = of(series_id, email)
    return found if found is not None and found.stopped_at is None else None


def start(attendee: Attendee) -> tuple[SeriesHold, list[Attendee]]:
    """``attendee`` holds a seat for every date of their event's series from now on: the
    hold is stored, every upcoming date taken, and one mail lists them."""
    series_id = attendee.event.series_id
    if series_id is None:
        raise seats.RsvpError(_("This event is not part of a series."))
    hold = of(series_id, attendee.email)
    if hold is None:
        hold = SeriesHold(series_id=series_id, email=attendee.email, name=attendee.name,
                          organisation=attendee.organisation or "", role=attendee.role or "")
        db.session.add(hold)
        try:
            db.session.commit()
        except IntegrityError:  # the same person pressed twice at once
            db.session.rollback()
            hold = of(series_id, attendee.email)
    elif hold.stopped_at is not None:
        hold.stopped_at = None
        hold.name = attendee.name
        db.session.commit()
    taken = enrol(hold)
    with in_language(attendee.event.language):  # the mail speaks the event's language
        subject = _subject(hold)
    queue_mail(KIND, hold.email, {"hold_id": hold.id}, event_id=attendee.event_id,
               attendee_id=attendee.id, subject=subject)
    commit()
    return hold, taken


def open_dates(hold: SeriesHold, now: datetime | None = None) -> list[int]:
    """The series' upcoming published dates where the person is not on the list at all."""
    now = now or utcnow()
    on_list = exists().where(Attendee.event_id == Event.id, Attendee.email == hold.email)
    return list(db.session.scalars(select(Event.id).where(
        Event.series_id == hold.series_id, Event.status == "published", Event.starts_at > now,
        ~on_list).order_by(Event.starts_at)))


def enrol(hold: SeriesHold, now: datetime | None = None) -> list[Attendee]:
    """Take a seat (or a place in the queue) on each open date; each date under its own
    lock. Dates whose RSVPs are closed are passed over."""
    taken = []
    for event_id in open_dates(hold, now):
        event = db.session.get(Event, event_id)
        if not settings.of(event).enabled or (now or utcnow()) >= settings.closes_at(event):
            continue
        try:
            taken.append(seats.register(event_id, hold.name, hold.email,
                                        organisation=hold.organisation, role=hold.role,
                                        hold_id=hold.id))
        except seats.AlreadyRegistered:
            continue  # their own RSVP for this date arrived a moment ago
        except seats.RsvpError:
            continue  # closed for RSVPs, or +1s and the like: nothing to hold
    return taken


def enrol_due(now: datetime) -> int:
    """Due work: take the seats of every hold on dates the series added since."""
    holds = db.session.scalars(select(SeriesHold).where(SeriesHold.stopped_at.is_(None))
                               .order_by(SeriesHold.id)).all()
    return sum(len(enrol(hold, now)) for hold in holds)


def stop(hold: SeriesHold) -> list[Attendee]:
    """Stop the hold; the upcoming seats it took go back (the person's own RSVPs stay)."""
    hold.stopped_at = utcnow()
    db.session.commit()
    given_back = []
    for attendee in held_dates(hold):
        if attendee.status in seats.ACTIVE:
            given_back.append(seats.cancel(attendee.id, quiet=True))
    return given_back


def held_dates(hold: SeriesHold, now: datetime | None = None) -> list[Attendee]:
    """The upcoming dates the hold took a seat on, soonest first."""
    now = now or utcnow()
    return list(db.session.scalars(
        select(Attendee).join(RsvpRegistration, RsvpRegistration.attendee_id == Attendee.id)
        .join(Event, Event.id == Attendee.event_id)
        .where(RsvpRegistration.hold_id == hold.id, Event.starts_at > now)
        .order_by(Event.starts_at)))


def upcoming(hold: SeriesHold, now: datetime | None = None) -> list[Attendee]:
    """Every upcoming date of the series the person is on the list of, soonest first."""
    now = now or utcnow()
    return list(db.session.scalars(
        select(Attendee).join(Event, Event.id == Attendee.event_id)
        .where(Event.series_id == hold.series_id, Attendee.email == hold.email,
               Event.starts_at > now, Event.status == "published")
        .order_by(Event.starts_at)))


def held_by(attendee: Attendee) -> SeriesHold | None:
    """The active hold that took ``attendee``'s seat, if one did."""
    registration = db.session.get(RsvpRegistration, attendee.id)
    if registration is None or registration.hold_id is None:
        return None
    hold = db.session.get(SeriesHold, registration.hold_id)
    return hold if hold is not None and hold.stopped_at is None else None


def streak(series_id: int, email: str, now: datetime | None = None) -> int:
    """How many of the series' latest past dates in a row the person came to.

    Where anyone was checked in, coming means being checked in; at a date
    nobody was checked in, being on the list as going counts.
    """
    now = now or utcnow()
    past = db.session.execute(select(Event.id).where(
        Event.series_id == series_id, Event.status == "published", Event.ends_at <= now)
        .order_by(Event.starts_at.desc())).scalars().all()
    if not past:
        return 0
    mine = dict(db.session.execute(select(Attendee.event_id, Attendee.checked_in_at).where(
        Attendee.event_id.in_(past), Attendee.email == normalise_email(email),
        Attendee.status == AttendeeStatus.GOING)).all())
    doors = set(db.session.scalars(select(Attendee.event_id).where(
        Attendee.event_id.in_(past), Attendee.checked_in_at.is_not(None)).distinct()))
    count = 0
    for event_id in past:
        came = event_id in mine and (mine[event_id] is not None or event_id not in doors)
        if not came:
            break
        count += 1
    return count


def _subject(hold: SeriesHold) -> str:
    return _("Your seat for every date: %(series)s", series=hold.series.title)


@mail_renderer(KIND, title=_l("Seats held for every date"))
def render(params: dict) -> Message:
    hold = db.session.get(SeriesHold, params["hold_id"])
    if hold is None or hold.stopped_at is not None:
        raise Skip(_("They stopped holding their seat."))
    dates = [{"when": format_range(a.event.local_start, a.event.local_end),
              "status": a.status, "position": seats.position(a)
              if a.status == AttendeeStatus.WAITING else None,
              "link": external_url("attendee.page", token=a.token)} for a in upcoming(hold)]
    context = {"hold": hold, "dates": dates,
               "manage": external_url("rsvp.hold_page", token=hold.token),
               "subject": _subject(hold)}
    return Message(to=hold.email, subject=context["subject"],
                   text=render_template("rsvp/mail/series_hold.txt", **context),
                   html=render_template("rsvp/mail/series_hold.html", **context),
                   reply_to=hold.series.owner.email)
