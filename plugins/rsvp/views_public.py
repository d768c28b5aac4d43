"""The RSVP form on the event page, and what answers it."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from markupsafe import Markup
from sqlalchemy import select

from organizer.plugin_api import (Event, db, format_range, limiter, own_transactions, private_page,
                                  render_markdown, utcnow)

from . import answers as answers_mod, going as going_mod, holds, plugin_questions, seats, settings
from .models import SeriesHold

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
    listed, listed_total = going_mod.listed(event)
    return Markup(render_template(
        "rsvp/panel.html", event=event, conf=conf, open_now=open_now,
        going=taken, free=free, waiting=seats.waiting_count(event.id),
        listed=listed, listed_total=listed_total,
        closes=closes.astimezone(event.zone) if conf.deadline else None,
        questions=answers_mod.questions(event), sub=submission,
        plugin_form=(submission.plugin_form if submission and submission.plugin_form
                     else plugin_questions.form(plugin_questions.asked(event)))))


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
    held = None
    if request.form.get("every_date") and attendee.event.series_id is not None:
        held = len(holds.start(attendee)[1])
    return render_template("rsvp/done.html", event=attendee.event, attendee=attendee,
                           position=seats.position(attendee), message=None, held=held), 201


def _event_page_with(event: Event, sub):
    """The event page again, with the form's answers and errors."""
    return render_template("rsvp/event_with_form.html", event=event,
                           description=render_markdown(event.description),
                           when=format_range(event.local_start, event.local_end),
                           form_panel=panel(event, sub))


@bp.route("/series-hold/<secret:token>", methods=["GET", "POST"])
def hold_page(token: str):
    """The dates a person's hold on a series took, with their streak; stopping it."""
    hold = db.session.scalar(select(SeriesHold).where(SeriesHold.token == token))
    if hold is None:
        abort(404)
    given_back = None
    if request.method == "POST" and hold.stopped_at is None:
        given_back = holds.stop(hold)
    return render_template("rsvp/series_hold.html", hold=hold, dates=holds.upcoming(hold),
                           streak=holds.streak(hold.series_id, hold.email),
                           given_back=given_back, position=seats.position)
