"""The RSVP plugin's hooks: how it joins the event page, the form, calendars and due work."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, update

from organizer.plugin_api import (Attendee, AttendeeStatus, Link, ReportSection, db, format_number,
                                  gettext as _, hookimpl, in_language, ngettext, write)

from . import api as rsvp_api
from . import (demo, holds, hookspecs, notify, personal_data, reminders, seats, settings,
               views_attendee, views_host, views_public)
from .models import RsvpRegistration

# Changes that matter to someone's calendar: they get an updated invite.
CALENDAR_FIELDS = {"title", "starts_at", "ends_at", "timezone", "venue", "address",
                   "online_url"}


@hookimpl
def add_hookspecs(pm):
    pm.add_hookspecs(hookspecs)


@hookimpl
def register_api(api):
    api.register_blueprint(rsvp_api.bp)


@hookimpl
def api_attendee_fields(event, attendee_ids):
    return rsvp_api.attendee_fields(event, attendee_ids)


@hookimpl
def register_blueprints(app):
    app.register_blueprint(views_public.bp)
    app.register_blueprint(views_host.bp)
    app.register_blueprint(views_attendee.bp)


@hookimpl
def migration_folders():
    return Path(__file__).parent / "migrations"


@hookimpl
def translation_directories():
    return Path(__file__).parent / "translations"


@hookimpl
def event_page_panels(event, viewer):
    if event.status == "cancelled":
        return None
    return views_public.panel(event)


@hookimpl
def host_event_actions(event):
    from flask import url_for
    going = seats.seats_taken(event.id)
    return [Link(ngettext("Guest list (%(count)s going)", "Guest list (%(count)s going)", going,
                          count=format_number(going)),
                 url_for("rsvp_host.guests", event_id=event.id)),
            Link(_("RSVP questions"), url_for("rsvp_host.questions", event_id=event.id))]


@hookimpl
def attendee_page_panels(attendee):
    return views_attendee.panels(attendee)


@hookimpl
def event_form_sections(event):
    return settings.form_section()


@hookimpl
def attendee_registered(attendee):
    # People added by other plugins or by hand get a registration too. An
    # RSVP made here already has one, and says so: no query needed.
    if getattr(attendee, "rsvp_registered", False):
        return
    if db.session.get(RsvpRegistration, attendee.id) is None:
        with write():  # a write after reads: take the write lock first
            if db.session.get(RsvpRegistration, attendee.id) is None:
                seats.registration(attendee)


@hookimpl
def queue_event_messages(event, change, changes):
    """A changed time or place mails everyone going an updated invite; a cancelled
    event mails everyone on the list. Queued with the change itself."""
    if change == "updated" and CALENDAR_FIELDS & set(changes):
        notify.queue_everyone("update", _people(event, [AttendeeStatus.GOING]), event)
    elif change == "cancelled":
        notify.queue_everyone("event_cancelled", _people(event, list(seats.ACTIVE)), event)


def _people(event, statuses: list[str]) -> list[Attendee]:
    return list(db.session.scalars(select(Attendee).where(
        Attendee.event_id == event.id, Attendee.status.in_(statuses)).order_by(Attendee.id)))


@hookimpl
def event_updated(event, changes):
    if "starts_at" in changes:
        # A new start means a new reminder time: remind everyone again then.
        with write():
            db.session.execute(update(RsvpRegistration).where(
                RsvpRegistration.event_id == event.id).values(reminder_sent_at=None))
    if "capacity" in changes:
        seats.promote(event.id)


@hookimpl
def due_work(now):
    """Reminders before each date, and seats on new dates for people holding every date."""
    return reminders.send_due(now) + holds.enrol_due(now)


@hookimpl
def demo_data(app, host, events):
    demo.load(events)


@hookimpl
def attendee_data(attendees, whole):
    return personal_data.data(attendees, whole)


@hookimpl
def forget_attendees(attendees, whole):
    personal_data.forget(attendees, whole)


@hookimpl(optionalhook=True)  # the follow-up plugin's hook: it may be blocked
def followup_report(event):
    """Waiting-list movement for the host's report."""
    from sqlalchemy import func

    joined, promoted = db.session.execute(select(
        func.count(RsvpRegistration.waiting_since), func.count(RsvpRegistration.promoted_at))
        .where(RsvpRegistration.event_id == event.id)).one()
    with in_language(event.language):  # the report speaks the event's language
        return ReportSection(_("Waiting list"), rows=(
            (_("Joined the waiting list"), format_number(joined)),
            (_("Moved up to a seat"), format_number(promoted)),
            (_("Still waiting or left"), format_number(max(joined - promoted, 0)))))
