"""The badges plugin's hooks: tickets on RSVP pages and in mails, stations for the host."""
from __future__ import annotations

from pathlib import Path

from flask import url_for

from organizer.plugin_api import (Attachment, Attendee, AttendeeStatus, Event, Link, commit, db,
                                  gettext as _, hookimpl, stage_check_in, utcnow, write)

from . import api as door_api
from . import (hookspecs, personal_data, printing, selfcheck, tickets, views, views_attendee,
               views_station)

TICKET_MAILS = {"going", "promoted", "reminder", "update"}
# Mails that follow a new seat: the person has no ticket yet.
NEW_SEAT_MAILS = {"going", "promoted"}


@hookimpl
def add_hookspecs(pm):
    pm.add_hookspecs(hookspecs)


@hookimpl
def register_api(api):
    api.register_blueprint(door_api.bp)


@hookimpl
def api_attendee_fields(event, attendee_ids):
    return door_api.attendee_fields(event, attendee_ids)


@hookimpl
def register_blueprints(app):
    app.register_blueprint(views.bp)
    app.register_blueprint(views_station.bp)
    app.register_blueprint(selfcheck.bp)
    app.register_blueprint(printing.bp)
    app.register_blueprint(views_attendee.bp)


@hookimpl
def attendee_data(attendees, whole):
    return personal_data.data(attendees, whole)


@hookimpl
def migration_folders():
    return Path(__file__).parent / "migrations"


@hookimpl
def translation_directories():
    return Path(__file__).parent / "translations"


@hookimpl
def attendee_page_panels(attendee):
    return views_attendee.panel(attendee)


@hookimpl
def mail_attachments(message_kind, attendee):
    if attendee is None or message_kind not in TICKET_MAILS:
        return []
    ticket = tickets.ticket_for(attendee, just_confirmed=message_kind in NEW_SEAT_MAILS)
    if ticket is None:
        return []
    return Attachment("ticket.png", tickets.ticket_png(ticket), "image/png")


@hookimpl
def attendee_status_changed(attendee, old_status):
    # Someone no longer going has no valid ticket: an old code says so at the door.
    if attendee.status != AttendeeStatus.GOING and tickets.active(attendee) is not None:
        # A write after the reads above: it takes the write lock first (SQLite).
        with write():
            tickets.revoke(attendee.id)


@hookimpl
def host_event_actions(event):
    return [Link(_("Badges"), url_for("badgepdf.badges", event_id=event.id)),
            Link(_("Check-in stations"), url_for("badges.stations", event_id=event.id))]


@hookimpl
def demo_data(app, host, events):
    """A door station for the meetup, and the last coffee chat's guests checked in."""
    import secrets

    from sqlalchemy import select


    from .models import CheckIn, Station

    meetup = events["meetup"]
    db.session.add(Station(event_id=meetup.id, name="Main door", kind="door",
                           secret=secrets.token_urlsafe(24)))
    past = db.session.scalars(select(Event).where(
        Event.series_id == events["series"].series_id, Event.ends_at < utcnow())
        .order_by(Event.starts_at.desc()).limit(1)).first()
    if past is not None:
        for person in db.session.scalars(select(Attendee).where(
                Attendee.event_id == past.id, Attendee.status == AttendeeStatus.GOING)):
            stage_check_in(person, past.starts_at)
            db.session.add(CheckIn(attendee_id=person.id, event_id=past.id,
                                   at=past.starts_at))
    commit()
