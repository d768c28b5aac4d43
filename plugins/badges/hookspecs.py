"""Hooks the badges plugin offers to other plugins.

Implement them with ``@hookimpl(optionalhook=True)``: your plugin still starts
when the badges plugin is blocked.
"""

from organizer.plugin_api import hookspec


@hookspec
def badge_lines(attendee):
    """Return the :class:`organizer.plugin_api.BadgeLine` (or a list) printed on
    ``attendee``'s name badge under their role and organisation, or None::

        @hookimpl(optionalhook=True)
        def badge_lines(attendee):
            if is_speaker(attendee):
                return BadgeLine("Speaker")
    """


@hookspec
def door_markers(attendee):
    """Return the :class:`organizer.plugin_api.DoorMarker` (or a list) the door station
    shows when ``attendee``'s ticket is scanned or they are checked in, or None.
    A ``"warning"`` marker is something the person at the door must act on::

        @hookimpl(optionalhook=True)
        def door_markers(attendee):
            if not consented(attendee):
                return DoorMarker("No photos: give a red lanyard", tone="warning")
    """
