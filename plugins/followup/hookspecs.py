"""Hooks the follow-up plugin offers: other plugins tell it who met whom, and facts for the report."""

from organizer.plugin_api import hookspec


@hookspec
def followup_people(attendee):
    """Return the people ``attendee`` met or was matched with, for their follow-up PDF.

    A list of :class:`organizer.plugin_api.PersonMet`: the other person's
    ``attendee_id`` and ``name``, ``details`` (label → value, only what they
    agreed to share), ``why`` (sentences limited to what both shared), ``how``
    ("matched for a 1:1", "introduced at your request") and ``topics`` (words
    for a first message). People who did not attend are left out by the
    follow-up plugin, so implementations need not check::

        @hookimpl(optionalhook=True)
        def followup_people(attendee):
            return [PersonMet(other.id, other.name, how="sat at your table")
                    for other in tablemates(attendee)]
    """


@hookspec
def followup_people_of(attendees):
    """:func:`followup_people` for many attendees at once, for speed: return
    ``{attendee_id: [PersonMet, ...]}`` for ``attendees`` (one person's guest-list
    rows across many events), in a few queries for all of them.

    Optional: a person's network uses it where a plugin implements it, and
    calls ``followup_people`` for each attendee otherwise. Both must agree.
    """


@hookspec
def followup_connections(event_ids):
    """Return who met whom at the events ``event_ids``, for the host's community view.

    A list of :class:`organizer.plugin_api.Connection`, one per pair of guests
    (attendee ids of the same event), in a few queries for all the events:
    the view covers a hundred dates at once. People who did not come are left
    out by the follow-up plugin::

        @hookimpl(optionalhook=True)
        def followup_connections(event_ids):
            return [Connection(event_id, a, b, how="sat at one table")
                    for event_id, a, b in table_pairs(event_ids)]
    """


@hookspec
def followup_report(event):
    """Return a section for the host's report PDF, or None.

    A :class:`organizer.plugin_api.ReportSection`: ``title``, ``rows``
    ((label, value) pairs of text) and optionally ``mix`` (label → count, drawn
    as a bar chart) with its ``mix_title``::

        @hookimpl(optionalhook=True)
        def followup_report(event):
            return ReportSection("Lightning talks", rows=(("Talks given", str(count(event))),))
    """
