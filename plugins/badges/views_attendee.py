"""The attendee's ticket and badge, behind their private link, and the ticket panel on their page."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from markupsafe import Markup

from organizer.plugin_api import (Attendee, Panel, attendee_blueprint, gettext as _, in_language,
                                  pdf_response, utcnow)

from . import printing, selfcheck, sheets, tickets
from .models import Ticket

bp = attendee_blueprint("ticket", __name__, template_folder="templates")


def panel(attendee: Attendee) -> Panel | None:
    """The ticket on the attendee's page: the code to show at the door, downloads, a new code."""
    if attendee.event.ends_at <= utcnow():
        return None  # over: the page is about what comes next
    ticket = tickets.ticket_for(attendee)
    if ticket is None:
        return None
    selfcheck.remember(attendee)  # this phone may then check in from the venue poster
    code = "-".join(ticket.secret[i:i + 4] for i in range(0, len(ticket.secret), 4))
    return Panel(_("Your ticket"), Markup(render_template(
        "badges/ticket_panel.html", attendee=attendee, code=code)), order=10, anchor="ticket")


def _ticket_or_404(attendee: Attendee) -> Ticket:
    ticket = tickets.ticket_for(attendee)
    if ticket is None:
        abort(404)
    return ticket


@bp.route("/ticket.png")
def png(attendee: Attendee):
    return Response(tickets.ticket_png(_ticket_or_404(attendee)), mimetype="image/png",
                    headers={"Cache-Control": "private, no-store"})


@bp.route("/ticket.svg")
def svg(attendee: Attendee):
    return Response(tickets.svg(tickets.url(_ticket_or_404(attendee))),
                    mimetype="image/svg+xml", headers={"Cache-Control": "private, no-store"})


@bp.route("/ticket/reissue", methods=["POST"])
def reissue(attendee: Attendee):
    if tickets.reissue(attendee) is None:
        flash(_("Only people who are going have a ticket."), "error")
    else:
        flash(_("Here is your new ticket. The old one no longer works."), "success")
    return redirect(url_for("attendee.page", token=attendee.token) + "#ticket")


@bp.route("/badge.pdf")
def badge(attendee: Attendee):
    """An attendee prints their own badge from their page (in the event's language: it is
    worn at the event)."""
    ticket = _ticket_or_404(attendee)
    layout = printing.layout_arg()
    event = attendee.event
    with in_language(event.language):
        document = sheets.single(printing.badge_data(event, attendee, ticket), layout)
    return pdf_response(document, printing.filename(event, layout))
