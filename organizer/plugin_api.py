"""The published plugin API: everything a plugin may use from organizer, and nothing else.

A plugin imports from this module and from its own package only::

    from organizer.plugin_api import Attendee, Panel, hookimpl, write

The built-in plugins are held to it by import-linter contracts in the test
suite; the rest of ``organizer`` may change between releases, these names
keep their meaning. docs/plugins.md describes each one.
"""
from __future__ import annotations

from flask_login import current_user

from . import attendees as _attendees, events as _events, ics as _ics, jobs as _jobs
from . import mail as _mail, pdf as _pdf, webhooks as _webhooks
from . import hookimpl
from .db import after_commit, commit, db, hold, insert_loaded, locked, own_transactions, write
from .event_settings import DATETIME_FORMAT
from .api.auth import api_blueprint, api_host
from .api.events import visible_event as api_event, visible_event_ids as api_event_ids
from .api.problems import problem as api_problem
from .cards import image_url as card_url
from .hookspecs import hookspec
from .i18n import (LANGUAGES, current_language, format_clock, format_date_short, format_day,
                   format_list, format_moment, format_number, gettext, in_language,
                   lazy_gettext, ngettext)
from .hooktypes import (Action, BadgeLine, Connection, DoorMarker, Link, Panel, PersonMet,
                        Question, ReportSection, SettingsSection, flatten)
from .models import (ATTENDEE_STATUSES, Attendee, AttendeeStatus, Event, Host, Series, UTCDateTime,
                     new_token, utcnow)
from .plugins import hook
from .privacy import erased
from .ratelimit import limiter, unlimited
from .rendering import render_markdown
from .security import private_page, secret_authorised
from .timeutil import format_range, localize
from .urls import MAX_ID, external_url, webcal as webcal_url
from .views.attendee import attendee_blueprint, attendee_page

__all__ = [
    # hooks
    "hookimpl", "hookspec", "hook", "flatten", "Link", "Action", "Panel", "Question", "BadgeLine",
    "DoorMarker", "PersonMet", "Connection", "ReportSection", "SettingsSection",
    # data
    "db", "Event", "Attendee", "AttendeeStatus", "Host", "Series", "UTCDateTime", "utcnow",
    "new_token", "ATTENDEE_STATUSES", "erased",
    # writing
    "write", "locked", "hold", "commit", "after_commit", "insert_loaded", "own_transactions",
    # pages
    "event_for_hosts", "attendee_blueprint", "attendee_page", "attendee_by_token_or_404",
    "attendee_of_event_or_404", "private_page", "secret_authorised", "external_url",
    "render_markdown", "format_range", "localize", "limiter", "unlimited", "DATETIME_FORMAT",
    # the guest list
    "GuestListError", "find_attendee", "normalise_email", "add_attendee", "stage_attendee",
    "change_status", "stage_status", "check_in", "stage_check_in", "undo_check_in",
    "stage_undo_check_in",
    # mail
    "Message", "Attachment", "Skip", "mail_renderer", "queue_mail", "queue_mails",
    "mail_states", "plugin_attachments", "card_url",
    # webhooks
    "send_webhook",
    # the JSON API
    "api_blueprint", "api_event", "api_event_ids", "api_host", "api_problem", "MAX_ID",
    # background jobs
    "register_job", "submit_job", "JobContext", "JobError", "job_failure",
    # languages
    "gettext", "ngettext", "lazy_gettext", "in_language", "current_language", "LANGUAGES",
    "format_day", "format_clock", "format_moment", "format_date_short", "format_number",
    "format_list",
    # calendars and PDFs
    "invite_ics", "cancellation_ics", "meeting_ics", "reminders_ics", "personal_feed_ics",
    "webcal_url",
    "render_pdf", "render_pdf_parts", "pdf_response", "FONT_STACK",
]


# --- pages -------------------------------------------------------------------

def event_for_hosts(event_id: int) -> Event:
    """For a host's page (behind ``flask_login.login_required``): the event ``event_id`` if
    the signed-in host owns or co-hosts it; a 404 when it does not exist, a 403 when not theirs."""
    return _events.get_editable(event_id, current_user)


attendee_by_token_or_404 = _attendees.by_token_or_404
attendee_of_event_or_404 = _attendees.of_event_or_404

# --- the guest list (every change fires its lifecycle hook after the commit) ---

GuestListError = _attendees.GuestListError
find_attendee = _attendees.find
normalise_email = _attendees.normalise_email
add_attendee = _attendees.add
stage_attendee = _attendees.stage
change_status = _attendees.change_status
stage_status = _attendees.stage_status
check_in = _attendees.check_in
stage_check_in = _attendees.stage_check_in
stage_undo_check_in = _attendees.stage_undo_check_in


def undo_check_in(attendee: Attendee) -> bool:
    """Take back ``attendee``'s check-in and commit; fires ``attendee_check_in_undone``.

    True when there was a check-in to take back.
    """
    with write():
        return _attendees.stage_undo_check_in(attendee)


# --- mail ----------------------------------------------------------------------

Message = _mail.Message
Attachment = _mail.Attachment
Skip = _mail.Skip
mail_renderer = _mail.renderer
queue_mail = _mail.queue
queue_mails = _mail.queue_many
mail_states = _mail.states
plugin_attachments = _mail.plugin_attachments

# --- webhooks --------------------------------------------------------------------

send_webhook = _webhooks.queue

# --- background jobs -----------------------------------------------------------

register_job = _jobs.register
submit_job = _jobs.submit
JobContext = _jobs.JobContext
JobError = _jobs.JobError
job_failure = _jobs.reason

# --- calendars and PDFs ----------------------------------------------------------

invite_ics = _ics.invite
cancellation_ics = _ics.cancellation
meeting_ics = _ics.meeting
reminders_ics = _ics.reminders
personal_feed_ics = _ics.personal_feed
render_pdf = _pdf.render
render_pdf_parts = _pdf.render_parts
pdf_response = _pdf.response
FONT_STACK = _pdf.FONT_STACK
