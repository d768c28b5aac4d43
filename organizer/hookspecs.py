"""Every hook the core calls. A plugin implements any of them with ``@hookimpl``.

Hooks are always called with keyword arguments, so an implementation may
accept only the arguments it needs, and new arguments can be added later
without breaking old plugins. Each hook is documented in docs/plugins.md;
a test keeps the two in step.
"""
from __future__ import annotations

from pluggy import HookspecMarker

hookspec = HookspecMarker("organizer")


# --- setup ---------------------------------------------------------------

@hookspec
def register_blueprints(app):
    """Register the plugin's Flask blueprints (routes, templates, static files) on ``app``."""


@hookspec
def register_commands(cli):
    """Add click commands to the ``organizer`` command group ``cli``."""


@hookspec
def register_api(api):
    """Add the plugin's resources to the JSON API under ``/api/v1``.

    Make each blueprint with :func:`organizer.plugin_api.api_blueprint` (it
    refuses requests without a valid token) and hand it to
    ``api.register_blueprint``; its routes and schemas join the OpenAPI
    document. Find the event with ``api_event(event_id)`` (None when the
    token's host may not see it: answer ``api_problem(404, ...)``).
    """


@hookspec
def api_attendee_fields(event, attendee_ids):
    """Add the plugin's fields to guests as the API shows them (and webhooks send them).

    Return ``{attendee_id: {"field": value}}`` for those of ``attendee_ids``
    (guests of ``event``) that have any, in one query for the whole page;
    the values must be JSON. They appear under ``plugins.<plugin name>``.
    """


@hookspec
def webhook_types():
    """Name the webhook types the plugin sends: ``{"matching.published": _l("When ...")}``.

    Hosts pick from these when they add an endpoint. Send one, in the
    transaction of the change it reports, with
    :func:`organizer.plugin_api.send_webhook`.
    """


@hookspec(historic=True)
def add_hookspecs(pm):
    """Declare hooks of the plugin's own with ``pm.add_hookspecs(module)``.

    Historic: a plugin registered later still receives the call.
    """


@hookspec
def migration_folders():
    """Return a path (or list of paths) of Alembic version folders for the plugin's tables.

    Plugin tables are prefixed with the plugin's name and migrate with the
    core's ``organizer db upgrade``.
    """


@hookspec
def translation_directories():
    """Return a path (or list of paths) of gettext catalogues for the plugin's own words.

    Each path holds ``<language>/LC_MESSAGES/messages.mo`` as ``pybabel compile``
    writes it. The catalogues are merged with the core's; where both translate
    the same text, the core's words are used.
    """


@hookspec
def demo_data(app, host, events):
    """Add the plugin's own content to the demo data set.

    ``host`` is the demo host; ``events`` maps names ("series", "lunch",
    "meetup") to the demo's events. Called after the core's demo is stored.
    """


# --- pages ---------------------------------------------------------------

@hookspec
def event_page_panels(event, viewer):
    """Return HTML (``markupsafe.Markup``) for a block on the public event page, or None.

    ``viewer`` is the signed-in host or None. Escape user text yourself
    (render a template, or use ``markupsafe.escape``).
    """


@hookspec
def host_event_actions(event):
    """Return a :class:`~organizer.hooktypes.Link` (or a list of them) for the host's event dashboard."""


@hookspec
def host_dashboard_links(host):
    """Return a :class:`~organizer.hooktypes.Link` (or a list) for the top of ``host``'s
    dashboard: a page of the plugin's about all their events (a community view, say)."""


@hookspec
def attendee_page_panels(attendee):
    """Return a :class:`~organizer.hooktypes.Panel` (or a list, or None) for the attendee's own page.

    The page is reached by the attendee's private link, so a panel may show
    what belongs to them alone (their ticket, say). Panels are placed by
    their ``order``.
    """


@hookspec
def attendee_page_actions(attendee):
    """Return an :class:`~organizer.hooktypes.Action` (or a list, or None) for the top of the
    attendee's own page: a download, a page of the plugin's, a button that posts."""


@hookspec
def event_form_sections(event):
    """Return the plugin's :class:`~organizer.hooktypes.SettingsSection` of the event form:
    its per-event settings as a ``wtforms.Form`` class. ``event`` is None on the
    creation form. Valid values are stored in ``event.settings[plugin]``::

        class TalkSettings(wtforms.Form):
            slots = IntegerField(_l("Talk slots"), default=5,
                                 validators=[NumberRange(0, 30, _l("Between 0 and 30."))])

        @hookimpl
        def event_form_sections(event):
            return SettingsSection("lightning", _("Lightning talks"), TalkSettings)
    """


# --- calendar and mail ---------------------------------------------------

@hookspec
def ics_event(event, vevent, attendee):
    """Amend the ``icalendar.Event`` ``vevent`` built for ``event``.

    ``attendee`` is set when the file is for one person's invite, else None. It is
    called inside ``in_language(event.language)``: text you add speaks the event's language.
    """


@hookspec
def queue_event_messages(event, change, changes):
    """Queue the messages a change to ``event`` sends, inside the transaction that stores it.

    ``change`` is "published", "updated", "cancelled" or "ended";
    ``changes`` lists the fields that changed ("updated" only, else empty).
    Called before the commit, so the messages are stored with the change or
    not at all: only queue them here (:func:`organizer.mail.queue`); do not
    commit, and do not start a transaction of your own. The ``event_*``
    hooks below are called after the commit for everything else.
    """


@hookspec
def mail_attachments(message_kind, attendee):
    """Return an :class:`~organizer.mail.Attachment` (or a list, or None) for a mail of
    the kind ``message_kind`` ("invite", "update", "cancel", ...) to ``attendee``."""


# --- lifecycle (called after the change is committed) ---------------------

@hookspec
def event_published(event):
    """An event was published."""


@hookspec
def event_updated(event, changes):
    """A published event changed. ``changes`` lists the field names that changed."""


@hookspec
def event_cancelled(event):
    """An event was cancelled."""


@hookspec
def event_ended(event):
    """An event's end has passed. Called exactly once per event by the due-work command."""


@hookspec
def attendee_registered(attendee):
    """Someone joined an event's guest list."""


@hookspec
def attendee_status_changed(attendee, old_status):
    """An attendee's status changed (going, waiting, pending, declined, cancelled)."""


@hookspec
def attendee_checked_in(attendee):
    """An attendee was checked in at the door (:func:`organizer.attendees.check_in`)."""


@hookspec
def attendee_check_in_undone(attendee):
    """A check-in was taken back (:func:`organizer.attendees.undo_check_in`): a wrong person
    let in, say. ``attendee.checked_in_at`` is None again."""


# --- scheduled work --------------------------------------------------------

@hookspec
def due_work(now):
    """Do the plugin's scheduled work (reminders, follow-ups) that is due at ``now``.

    Called every minute by the runner (and by ``organizer tick``); two runs
    may happen at once, so claim each piece of work with a conditional UPDATE
    before doing it. Return the number of things done (for the log).
    """


# --- people's data ------------------------------------------------------------

@hookspec
def attendee_data(attendees, whole):
    """Return what the plugin keeps about the person ``attendees`` belong to (their rows
    on one or more guest lists, one address), for the export they download: a dict of
    heading → JSON-able value (lists of dicts read best; dates and times may stay as
    they are), or None.

    Include every row of the plugin's that is about them, with its dates, and
    nothing about other people beyond the name they show. ``whole`` is True for
    the person's own export (every row of theirs); False for a host's export of
    their events' rows, which leaves out what the person keeps across every host
    (their own notes, say).
    """


@hookspec
def forget_attendees(attendees, whole):
    """Forget the person ``attendees`` belong to, inside the caller's write transaction:
    delete or blank every row of the plugin's that names them or holds what they
    wrote (notes others keep about them included), so that no page, mail, PDF or
    export shows them again.

    Keep what counts need without naming anyone (a check-in time, a seat): the
    guest-list rows stay, anonymised by the core after every plugin has run.
    ``whole`` is True when they are erased everywhere; False when a host erases
    them from their events (or their retention period ran out, or their account
    is deleted): then leave alone what still serves the person elsewhere, such
    as a hold on dates to come. ``attendees`` may then be many people.
    """
