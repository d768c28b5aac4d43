"""What the RSVP plugin adds to the attendee's own page: their answers, cancelling, joining
again, and for a date of a series: holding a seat for every date, skipping this one, the streak."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from markupsafe import Markup

from organizer.plugin_api import (Action, Attendee, AttendeeStatus, Panel, attendee_blueprint,
                                  attendee_page, db, format_number, gettext as _, ngettext, utcnow)

from . import answers as answers_mod, going, holds, seats, settings
from .models import RsvpRegistration

bp = attendee_blueprint("rsvp_mine", __name__)

ACTIVE = (AttendeeStatus.GOING, AttendeeStatus.WAITING, AttendeeStatus.PENDING)


def panels(attendee: Attendee) -> list[Panel]:
    """The waiting-list place, the answers form, and cancelling or joining again."""
    event = attendee.event
    found = []
    if event.series_id is not None and event.status == "published":
        found.append(_series_panel(attendee))
    if event.ends_at <= utcnow():
        return found  # nothing left to change once the event is over
    position = seats.position(attendee)
    if position is not None:
        found.append(Panel(_("Waiting list"), Markup(render_template(
            "rsvp/waiting_panel.html", position=position)), order=5))
    if attendee.status in ACTIVE and event.status == "published":
        reg = db.session.get(RsvpRegistration, attendee.id)
        sub = g.get("rsvp_submission")
        found.append(Panel(_("Your answers"), Markup(render_template(
            "rsvp/answers_panel.html", attendee=attendee, sub=sub, reg=reg,
            conf=settings.of(event), questions=answers_mod.questions(event))), order=80))
        found.append(Panel(_("On the event page"), Markup(render_template(
            "rsvp/listing_panel.html", attendee=attendee)), actions=[Action(
                _("Hide me from the event page") if attendee.listed
                else _("Show me on the event page"),
                url_for("rsvp_mine.listing", token=attendee.token), method="post",
                style="secondary")], order=85))
        found.append(Panel(_("Can't make it?"), actions=[Action(
            _("Cancel my RSVP"), url_for("rsvp_mine.cancel", token=attendee.token), method="post",
            style="danger",
            confirm=_("Cancel your RSVP? Your place goes to the next person waiting."))],
            order=90))
    elif (attendee.status == AttendeeStatus.CANCELLED and event.status == "published"
          and utcnow() < settings.closes_at(event)):
        found.append(Panel(_("Changed your mind?"), actions=[Action(
            _("Join again"), url_for("rsvp_mine.rejoin", token=attendee.token), method="post",
            style="primary")], order=90))
    return found


def _series_panel(attendee: Attendee) -> Panel:
    """Every date of the series: the streak, and holding a seat for every date."""
    event = attendee.event
    hold = holds.active(event.series_id, attendee.email)
    actions = []
    if hold is None and attendee.status in ACTIVE and event.ends_at > utcnow():
        actions.append(Action(_("Hold my seat for every date"),
                              url_for("rsvp_mine.hold", token=attendee.token), method="post",
                              style="secondary"))
    body = render_template("rsvp/series_panel.html", attendee=attendee, hold=hold,
                           streak=holds.streak(event.series_id, attendee.email),
                           held=holds.held_by(attendee) is not None,
                           ahead=event.ends_at > utcnow())
    return Panel(_("Every date"), Markup(body), actions=actions, order=70, anchor="every-date")


@bp.route("/hold", methods=["POST"])
def hold(attendee: Attendee):
    if attendee.event.series_id is None:
        abort(404)
    try:
        _, taken = holds.start(attendee)
    except seats.RsvpError as exc:
        flash(str(exc), "error")
    else:
        flash(ngettext("Your seat is held for every date from now on (%(count)s more date so "
                       "far). We've mailed you the list; skip any date or stop at any time.",
                       "Your seat is held for every date from now on (%(count)s more dates so "
                       "far). We've mailed you the list; skip any date or stop at any time.",
                       len(taken), count=format_number(len(taken))), "success")
    return redirect(url_for("attendee.page", token=attendee.token) + "#every-date")


@bp.route("/skip", methods=["GET", "POST"])
def skip(attendee: Attendee):
    """Skip this date, from its reminder: a page that asks, then one press."""
    event = attendee.event
    if request.method == "POST":
        try:
            seats.cancel(attendee.id, quiet=holds.held_by(attendee) is not None)
        except seats.RsvpError as exc:
            return render_template("rsvp/skip.html", attendee=attendee, event=event,
                                   problem=str(exc)), 409
        return render_template("rsvp/skip.html", attendee=attendee, event=event, done=True,
                               hold=holds.active(event.series_id, attendee.email)
                               if event.series_id else None)
    if attendee.status not in ACTIVE:
        return render_template("rsvp/skip.html", attendee=attendee, event=event,
                               problem=_("You're not on the list for this date any more.")), 409
    return render_template("rsvp/skip.html", attendee=attendee, event=event)


def _again(attendee: Attendee, sub, status: int):
    g.rsvp_submission = sub
    return attendee_page(attendee, status)


@bp.route("/answers", methods=["POST"])
def change(attendee: Attendee):
    event = attendee.event
    sub = answers_mod.read(request.form, event, settings.of(event).plus_one, with_contact=False)
    if sub.errors:
        return _again(attendee, sub, 422)
    try:
        seats.update_answers(attendee.id, sub.name, sub.answers, sub.guests, sub.guest_name,
                             organisation=sub.organisation, role=sub.role)
    except seats.RsvpError as exc:
        sub.errors["form"] = str(exc)
        return _again(attendee, sub, 409)
    flash(_("Your answers are saved."), "success")
    return redirect(url_for("attendee.page", token=attendee.token))


@bp.route("/listing", methods=["POST"])
def listing(attendee: Attendee):
    shown = not attendee.listed
    going.set_listed(attendee.id, shown)
    flash(_("Your name is now shown under “Who's going” on the event page.") if shown else
          _("Your name is no longer shown on the event page."), "success")
    return redirect(url_for("attendee.page", token=attendee.token))


@bp.route("/cancel", methods=["POST"])
def cancel(attendee: Attendee):
    try:
        seats.cancel(attendee.id)
    except seats.RsvpError as exc:
        flash(str(exc), "info")
    else:
        flash(_("Your RSVP is cancelled. We've mailed you a note that removes the event "
                "from your calendar."), "success")
    return redirect(url_for("attendee.page", token=attendee.token))


@bp.route("/rejoin", methods=["POST"])
def rejoin(attendee: Attendee):
    try:
        seats.rejoin(attendee.id)
    except seats.RsvpError as exc:
        flash(str(exc), "error")
    else:
        flash(_("Welcome back! Check your status below."), "success")
    return redirect(url_for("attendee.page", token=attendee.token))
