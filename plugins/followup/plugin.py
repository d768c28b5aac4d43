"""The follow-up plugin's hooks: its pages and tables, queueing follow-ups when an event ends."""
from __future__ import annotations

from pathlib import Path

from flask import url_for
from markupsafe import Markup

from organizer.plugin_api import AttendeeStatus, Link, Panel, gettext as _, hookimpl, utcnow

from . import api as followup_api
from . import (hookspecs, nudges, personal_data, sending, views, views_community,
               views_network)


@hookimpl
def add_hookspecs(pm):
    pm.add_hookspecs(hookspecs)


@hookimpl
def register_api(api):
    api.register_blueprint(followup_api.bp)


@hookimpl
def webhook_types():
    return {"followup.sent": _("Personal follow-ups were sent to the guests named.")}


@hookimpl
def register_blueprints(app):
    app.register_blueprint(views.bp)
    app.register_blueprint(views.mine)
    app.register_blueprint(views_network.bp)
    app.register_blueprint(views_community.bp)
    app.register_blueprint(views_network.mine)


@hookimpl
def migration_folders():
    return Path(__file__).parent / "migrations"


@hookimpl
def translation_directories():
    return Path(__file__).parent / "translations"


@hookimpl
def attendee_data(attendees, whole):
    return personal_data.data(attendees, whole)


@hookimpl
def forget_attendees(attendees, whole):
    personal_data.forget(attendees, whole)


@hookimpl
def queue_event_messages(event, change, changes):
    """The event has ended: follow-ups for everyone who has not had theirs, queued with
    the end itself. Also when the host sent early: people checked in since then get
    theirs now (each person has one delivery, so nobody gets two)."""
    if change == "ended" and event.status == "published":
        sending.close_in_transaction(event)
        sending.queue_all(event)


@hookimpl
def attendee_page_panels(attendee):
    if attendee.status != AttendeeStatus.GOING:
        return None
    if attendee.event.ends_at <= utcnow():  # after the event it is what the page is for
        return Panel(_("Your follow-up"), Markup(views.panel(attendee)), order=10,
                     anchor="followup")
    return Panel(_("After the event"), Markup(views.panel(attendee)), order=60, anchor="followup")


@hookimpl
def host_dashboard_links(host):
    return Link(_("Your community: who comes back, meets and follows up"),
                url_for("followup_community.page"))


@hookimpl
def host_event_actions(event):
    return Link(_("Follow-up"), url_for("followup.page", event_id=event.id))


@hookimpl
def due_work(now):
    """Nudges a week and a month after events, and the day's follow-up reminders."""
    return nudges.queue_nudges(now) + nudges.queue_reminders(now)
