"""Attendees' pages: the RSVP form on the event page and each person's own RSVP page."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from markupsafe import Markup
from sqlalchemy import select

from organizer import attendees
from organizer.db import db, own_transactions
from organizer.models import Attendee, Event, utcnow
from organizer.ratelimit import limiter
from organizer.security import private_page
from organizer.timeutil import format_range

from . import answers as answers_mod, seats, settings
from .models import RsvpRegistration

bp = Blueprint("rsvp", __name__, template_folder="templates")


def _rsvp_limit() -> str:
    return current_app.config.get("RSVP_RATE_LIMIT", "20 per minute")


def panel(event: Event, submission=None) -> Markup:
    """The RSVP block on the event page."""
    conf = settings.of(event)
    closes = settings.closes_at(event)
    open_now = event.status == "published" and conf.enabled and utcnow() < closes
    taken = seats.seats_taken(event.id)
    free = float("inf") if event.capacity is None else event.capacity - taken
    return Markup(render_template(
        "rsvp/panel.html", event=event, conf=conf, open_now=open_now,
        going=taken, free=free, waiting=seats.waiting_count(event.id),
        closes=closes.astimezone(event.zone) if conf.deadline else None,
        questions=answers_mod.questions(event), sub=submission))


def _event_by_slug(slug: str) -> Event:
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None or event.status == "draft":
        abort(404)
    return event


@bp.route("/e/<slug>/rsvp", methods=["POST"])
@limiter.limit(_rsvp_limit)
@own_transactions
def rsvp(slug: str):
    try:
        attendee = seats.register_form(slug, request.form)
    except seats.UnknownEvent:
        abort(404)
    except seats.InvalidForm as exc:
        return _event_page_with(exc.event, exc.submission), 422
    except seats.AlreadyRegistered as exc:
        return render_template("rsvp/done.html", event=exc.attendee.event, attendee=None,
                               message=str(exc)), 409
    except seats.RsvpError as exc:
        event = _event_by_slug(slug)
        sub = answers_mod.read(request.form, event, settings.of(event).plus_one)
        sub.errors["form"] = str(exc)
        return _event_page_with(event, sub), 409
    private_page()  # it shows the person's private link
    return render_template("rsvp/done.html", event=attendee.event, attendee=attendee,
                           position=seats.position(attendee), message=None), 201


def _event_page_with(event: Event, sub):
    """The event page again, with the form's answers and errors."""
    from organizer.rendering import render_markdown
    return render_template("rsvp/event_with_form.html", event=event,
                           description=render_markdown(event.description),
                           when=format_range(event.local_start, event.local_end),
                           form_panel=panel(event, sub))


@bp.route("/rsvp/<secret:token>")
def mine(token: str):
    attendee = attendees.by_token_or_404(token)
    return _mine_page(attendee)


def _mine_page(attendee: Attendee, sub=None, status: int = 200):
    event = attendee.event
    reg = db.session.get(RsvpRegistration, attendee.id)
    from organizer.plugins import hook
    panels = [Markup(p) for p in hook().rsvp_page_panels(attendee=attendee) if p]
    return render_template(
        "rsvp/mine.html", attendee=attendee, event=event, reg=reg, sub=sub, panels=panels,
        conf=settings.of(event), questions=answers_mod.questions(event),
        position=seats.position(attendee),
        when=format_range(event.local_start, event.local_end),
        open_now=event.status == "published" and utcnow() < settings.closes_at(event)), status


@bp.route("/rsvp/<secret:token>/answers", methods=["POST"])
def change(token: str):
    attendee = attendees.by_token_or_404(token)
    event = attendee.event
    sub = answers_mod.read(request.form, event, settings.of(event).plus_one, with_contact=False)
    if sub.errors:
        return _mine_page(attendee, sub, 422)
    try:
        seats.update_answers(attendee.id, sub.name, sub.answers, sub.guests, sub.guest_name,
                             organisation=sub.organisation, role=sub.role)
    except seats.RsvpError as exc:
        sub.errors["form"] = str(exc)
        return _mine_page(attendee, sub, 409)
    flash("Your answers are saved.", "success")
    return redirect(url_for("rsvp.mine", token=token))


@bp.route("/rsvp/<secret:token>/cancel", methods=["POST"])
def cancel(token: str):
    attendee = attendees.by_token_or_404(token)
    try:
        seats.cancel(attendee.id)
    except seats.RsvpError as exc:
        flash(str(exc), "info")
    else:
        flash("Your RSVP is cancelled. We've mailed you a note that removes the event "
              "from your calendar.", "success")
    return redirect(url_for("rsvp.mine", token=token))


@bp.route("/rsvp/<secret:token>/rejoin", methods=["POST"])
def rejoin(token: str):
    attendee = attendees.by_token_or_404(token)
    try:
        seats.rejoin(attendee.id)
    except seats.RsvpError as exc:
        flash(str(exc), "error")
    else:
        flash("Welcome back! Check your status below.", "success")
    return redirect(url_for("rsvp.mine", token=token))
