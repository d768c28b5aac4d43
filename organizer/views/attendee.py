"""The attendee's own page, reached by their private link, and the URL space for plugins' pages.

``/rsvp/<token>`` is the page: the event, the person's status, and the
panels and actions plugins add (``attendee_page_panels``,
``attendee_page_actions``). Everything under ``/rsvp/<token>/…`` belongs to
plugins, through :func:`attendee_blueprint`, whose views receive the
attendee already found (a 404 for an unknown link).
"""
from __future__ import annotations

from flask import Blueprint, render_template

from ..attendees import by_token_or_404
from ..hooktypes import Action, Panel, flatten
from ..models import Attendee, utcnow
from ..plugins import hook

bp = Blueprint("attendee", __name__)

ATTENDEE_PREFIX = "/rsvp/<secret:token>"


@bp.route(ATTENDEE_PREFIX)
def page(token: str):
    return attendee_page(by_token_or_404(token))


def attendee_page(attendee: Attendee, status: int = 200):
    """The attendee's page as a response, with every plugin's panels and actions.

    A plugin's form handler calls this to show the page again with its
    panel's errors (put them in ``flask.g`` for the panel to read), with
    ``status`` 422 or 409.
    """
    event = attendee.event
    panels = sorted(flatten(hook().attendee_page_panels(attendee=attendee), Panel),
                    key=lambda panel: panel.order)
    actions = flatten(hook().attendee_page_actions(attendee=attendee), Action)
    return render_template("attendee/page.html", attendee=attendee, event=event,
                           panels=panels, actions=actions, over=event.ends_at <= utcnow()), status


def attendee_blueprint(name: str, import_name: str, **options) -> Blueprint:
    """A blueprint for a plugin's pages behind an attendee's private link.

    Its routes live under ``/rsvp/<token>`` (``@bp.route("/badge.pdf")``
    serves ``/rsvp/<token>/badge.pdf``), and each view is called with
    ``attendee`` (the :class:`Attendee` the link belongs to) instead of the
    token; an unknown link is a 404 before the view runs. Build links with
    ``url_for("<name>.<view>", token=attendee.token)``. Responses are marked
    private (no caching by proxies), like every page reached by a secret.
    """
    blueprint = Blueprint(name, import_name, url_prefix=ATTENDEE_PREFIX, **options)

    @blueprint.url_value_preprocessor
    def _find_attendee(_endpoint, values):
        if values is not None and "token" in values:
            values["attendee"] = by_token_or_404(values.pop("token"))

    return blueprint

