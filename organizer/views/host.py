"""The host's pages: dashboard, event form, event management, co-hosts."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select

from .. import event_settings, events, presets
from ..db import db
from ..forms import CoHostForm, EventForm
from ..hooktypes import Link, flatten
from ..i18n import gettext as _
from ..models import Attendee, AttendeeStatus, CoHost, Event, Series, utcnow
from ..plugins import hook
from ..security import refuse
from ..series import describe
from .messages import trouble_count

bp = Blueprint("host", __name__)


@bp.route("/")
def home():
    if current_user.is_authenticated:
        return redirect(url_for("host.dashboard"))
    return render_template("home.html")


def _my_events_query():
    cohosted = select(CoHost.event_id).where(CoHost.host_id == current_user.id)
    return select(Event).where(or_(Event.owner_id == current_user.id, Event.id.in_(cohosted)))


@bp.route("/dashboard")
@login_required
def dashboard():
    now = utcnow()
    query = _my_events_query()
    upcoming_all = db.session.scalars(query.where(Event.ends_at >= now,
                                              Event.status != "cancelled")
                                  .order_by(Event.starts_at).limit(500)).all()
    # A series shows its next date only; the rest are on the series' page.
    upcoming, more_dates = [], {}
    for event in upcoming_all:
        if event.series_id is None or event.series_id not in more_dates:
            upcoming.append(event)
            if event.series_id is not None:
                more_dates[event.series_id] = 0
        else:
            more_dates[event.series_id] += 1
    upcoming = upcoming[:50]
    past = db.session.scalars(query.where(or_(Event.ends_at < now, Event.status == "cancelled"))
                              .order_by(Event.starts_at.desc()).limit(20)).all()
    series = db.session.scalars(select(Series).where(Series.owner_id == current_user.id)
                                .order_by(Series.created_at.desc())).all()
    counts = _going_counts([e.id for e in upcoming + past])
    links = flatten(hook().host_dashboard_links(host=current_user._get_current_object()), Link)
    return render_template("host/dashboard.html", upcoming=upcoming, past=past,
                           series=series, counts=counts, describe=describe,
                           more_dates=more_dates, links=links)


def _going_counts(event_ids: list[int]) -> dict[int, int]:
    if not event_ids:
        return {}
    rows = db.session.execute(
        select(Attendee.event_id, func.count()).where(
            Attendee.event_id.in_(event_ids), Attendee.status == AttendeeStatus.GOING)
        .group_by(Attendee.event_id))
    return dict(rows.all())


def _last_place(kind: str) -> dict:
    """Where the host's last event of this kind took place (hosts meet in the same
    spots), else their last in-person event of any kind; {} when there is none."""
    mine = select(Event).where(Event.owner_id == current_user.id).order_by(
        Event.created_at.desc()).limit(1)
    last = db.session.scalar(mine.where(Event.kind == kind))
    if last is None and kind != "virtual":
        last = db.session.scalar(mine.where(Event.kind != "virtual", or_(
            Event.venue != "", Event.address != "")))
    if last is None:
        return {}
    return {"venue": last.venue, "address": last.address, "online_url": last.online_url,
            "capacity": last.capacity, "timezone": last.timezone}


def _form_page(form: EventForm, event: Event | None, sections: list[dict],
               plugin_errors: list[str], status: int = 200):
    return render_template("host/event_form.html", form=form, event=event,
                           sections=sections, plugin_errors=plugin_errors), status


@bp.route("/events/new", methods=["GET", "POST"])
@login_required
def new_event():
    preset = request.args.get("preset", "meetup")
    form = EventForm()
    sections = event_settings.sections(None, request.form if request.method == "POST" else None)
    if request.method == "GET":
        defaults = presets.form_defaults(preset, current_user.timezone, utcnow())
        place = _last_place(defaults["kind"])
        if not place and defaults["kind"] != "virtual":
            # Nowhere known yet: it starts as a virtual session, which Publish takes
            # as it is; a venue typed in makes it an in-person one again.
            defaults["kind"] = "virtual"
            flash(_("No venue of yours is on file yet, so this starts as a virtual session "
                    "(the link can follow). Type a venue and pick the kind to meet in person."),
                  "info")
        defaults.update(place)
        form.process(data=defaults)
    plugin_errors: list[str] = []
    if form.validate_on_submit():
        settings, plugin_errors = event_settings.read(sections, {})
        if not plugin_errors:
            publish = request.form.get("action") == "publish"
            event = events.create(current_user, form.values(), settings, publish=publish)
            flash(_("Published. Share the link below.") if publish else
                  _("Saved as a draft. Preview it, then publish when ready."), "success")
            return redirect(url_for("host.manage", event_id=event.id))
    status = 422 if (form.errors or plugin_errors) else 200
    return _form_page(form, None, sections, plugin_errors, status)


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@login_required
def edit_event(event_id: int):
    event = events.get_editable(event_id, current_user)
    form = EventForm(obj=event)
    sections = event_settings.sections(event, request.form if request.method == "POST" else None)
    if request.method == "GET":
        form.start.data = event.local_start.replace(tzinfo=None)
        form.end.data = event.local_end.replace(tzinfo=None)
    plugin_errors: list[str] = []
    if event.status == "cancelled" and request.method == "POST":
        flash(_("A cancelled event cannot be changed."), "error")
        return redirect(url_for("host.manage", event_id=event.id))
    if form.validate_on_submit():
        settings, plugin_errors = event_settings.read(sections, event.settings)
        if not plugin_errors:
            changed = events.update(event, form.values(), settings)
            if request.form.get("action") == "publish":
                events.publish(event)
            flash(_("Saved. Attendees' calendars will pick up the change.") if changed
                  else _("Nothing changed."), "success")
            return redirect(url_for("host.manage", event_id=event.id))
    status = 422 if (form.errors or plugin_errors) else 200
    return _form_page(form, event, sections, plugin_errors, status)


@bp.route("/events/<int:event_id>")
@login_required
def manage(event_id: int):
    event = events.get_editable(event_id, current_user)
    counts = dict(db.session.execute(
        select(Attendee.status, func.count()).where(Attendee.event_id == event.id)
        .group_by(Attendee.status)).all())
    attendees = db.session.scalars(select(Attendee).where(Attendee.event_id == event.id)
                                   .order_by(Attendee.created_at).limit(500)).all()
    actions = flatten(hook().host_event_actions(event=event), Link)
    return render_template("host/manage.html", event=event, counts=counts, attendees=attendees,
                           actions=actions, cohost_form=CoHostForm(),
                           is_owner=event.owner_id == current_user.id,
                           is_past=event.ends_at <= utcnow(),
                           mail_trouble=trouble_count(event))


@bp.route("/events/<int:event_id>/publish", methods=["POST"])
@login_required
def publish(event_id: int):
    event = events.get_editable(event_id, current_user)
    if events.publish(event):
        flash(_("Published. Anyone with the link can see it now."), "success")
    else:
        flash(_("Only a draft can be published."), "error")
    return redirect(url_for("host.manage", event_id=event.id))


@bp.route("/events/<int:event_id>/cancel", methods=["POST"])
@login_required
def cancel(event_id: int):
    event = events.get_editable(event_id, current_user)
    if events.cancel(event):
        flash(_("The event is cancelled. Its page and calendar entries now say so."), "success")
    else:
        flash(_("The event was already cancelled."), "info")
    return redirect(url_for("host.manage", event_id=event.id))


def _owned(event_id: int) -> Event:
    """An event the current host owns (co-hosts may edit it, but not hand it on)."""
    event = events.get_editable(event_id, current_user)
    if event.owner_id != current_user.id:
        refuse(403, _("Only the event's owner can add or remove co-hosts."))
    return event


@bp.route("/events/<int:event_id>/cohosts", methods=["POST"])
@login_required
def add_cohost(event_id: int):
    event = _owned(event_id)
    form = CoHostForm()
    if not form.validate_on_submit():
        for error in form.email.errors:
            flash(str(error), "error")
        return redirect(url_for("host.manage", event_id=event.id))
    host = events.add_cohost(event, form.email.data)
    if host is None:
        flash(_("No host has signed up with that address. Ask them to create an account "
                "first."), "error")
    else:
        flash(_("%(name)s can now edit this event.", name=host.name), "success")
    return redirect(url_for("host.manage", event_id=event.id))


@bp.route("/events/<int:event_id>/cohosts/<int:host_id>/remove", methods=["POST"])
@login_required
def remove_cohost(event_id: int, host_id: int):
    event = _owned(event_id)
    events.remove_cohost(event, host_id)
    flash(_("Co-host removed."), "success")
    return redirect(url_for("host.manage", event_id=event.id))
