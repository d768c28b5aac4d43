"""Hooks the RSVP plugin offers other plugins."""
from organizer.hookspecs import hookspec


@hookspec
def rsvp_page_panels(attendee):
    """Return HTML (``markupsafe.Markup``) for a block on the attendee's own RSVP page, or None.

    The page is reached with the attendee's private link, so it may show
    what belongs to them alone (their ticket, say).
    """
