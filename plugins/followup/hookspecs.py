"""Hooks the follow-up plugin offers: other plugins tell it who met whom, and facts for the report."""

from organizer.plugin_api import hookspec


@hookspec
def followup_people(attendee):
    """Return the people ``attendee`` met or was matched with, for their follow-up PDF.

    A list of dicts: ``attendee_id`` (the other person), ``name``,
    ``details`` (a dict of label → value holding only what the other person
    agreed to share), ``why`` (a list of sentences, already limited to what
    both shared), ``how`` (a short phrase: "matched for a 1:1",
    "introduced at your request") and optionally ``topics`` (words for a
    first message: "fundraising"). People who did not attend are left out by
    the follow-up plugin, so implementations need not check.
    """


@hookspec
def followup_report(event):
    """Return a section for the host's report PDF, or None.

    A dict: ``title``, ``rows`` (a list of (label, value) pairs) and
    optionally ``mix`` (a dict of label → count drawn as a bar chart) with
    its ``mix_title``.
    """
