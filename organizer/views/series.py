"""The host's pages for a recurring series: create, edit the whole series, publish, cancel."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import paging, presets, series as series_service
from ..db import db
from ..forms import SeriesForm
from ..i18n import gettext as _, ngettext
from ..models import Event, Series, utcnow
from ..series import WEEKDAYS

bp = Blueprint("series", __name__, url_prefix="/series")


def _owned(series_id: int) -> Series:
    series = db.session.get(Series, series_id)
    if series is None:
        abort(404)
    if series.owner_id != current_user.id:
        abort(403)
    return series


def _rule(form: SeriesForm) -> str:
    return series_service.build_rule(**form.rule_parts())


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    form = SeriesForm()
    if request.method == "GET":
        preset = request.args.get("preset", "coffee")
        defaults = presets.form_defaults(preset, current_user.timezone, utcnow())
        start: datetime = defaults.pop("start")
        end: datetime = defaults.pop("end")
        form.process(data={**defaults, "first_date": start.date(), "time": start.time(),
                           "duration": int((end - start) / timedelta(minutes=1)),
                           "weekdays": [WEEKDAYS[start.weekday()]], "interval": 2,
                           "freq": "weekly", "ends": "never"})
    if form.validate_on_submit():
        series = series_service.create(
            current_user, form.template_values(), _rule(form), form.dtstart_local,
            form.duration.data, publish=request.form.get("action") == "publish")
        flash(ngettext("Series created: %(rule)s. %(num)d date is on the calendar.",
                       "Series created: %(rule)s. %(num)d dates are on the calendar.",
                       len(series.events), rule=series_service.describe(series)), "success")
        return redirect(url_for("series.manage", series_id=series.id))
    return render_template("host/series_form.html", form=form, series=None), \
        422 if form.errors else 200


@bp.route("/<int:series_id>")
@login_required
def manage(series_id: int):
    series = _owned(series_id)
    now = utcnow()
    past = request.args.get("dates") == "past"
    query = select(Event).where(Event.series_id == series.id)
    query = (query.where(Event.ends_at < now).order_by(Event.starts_at.desc()) if past else
             query.where(Event.ends_at >= now).order_by(Event.starts_at))
    return render_template("host/series_manage.html", series=series, past=past,
                           dates=paging.page_of(query, paging.requested()),
                           description=series_service.describe(series), now=now)


@bp.route("/<int:series_id>/edit", methods=["GET", "POST"])
@login_required
def edit(series_id: int):
    series = _owned(series_id)
    if series.status == "cancelled":
        flash(_("A cancelled series cannot be changed."), "error")
        return redirect(url_for("series.manage", series_id=series.id))
    form = SeriesForm(obj=series)
    if request.method == "GET":
        for name, value in series_service.schedule_of(series).items():
            form[name].data = value
    if form.validate_on_submit():
        changed = series_service.update(series, form.template_values(), _rule(form),
                                        form.dtstart_local, form.duration.data)
        flash(ngettext("Series saved; %(num)d upcoming date changed. Dates you edited on "
                       "their own keep your edits.",
                       "Series saved; %(num)d upcoming dates changed. Dates you edited on "
                       "their own keep your edits.", changed), "success")
        return redirect(url_for("series.manage", series_id=series.id))
    return render_template("host/series_form.html", form=form, series=series), \
        422 if form.errors else 200


@bp.route("/<int:series_id>/publish", methods=["POST"])
@login_required
def publish(series_id: int):
    series = _owned(series_id)
    count = series_service.publish(series)
    flash(ngettext("Series published; %(num)d upcoming date is open.",
                   "Series published; %(num)d upcoming dates are open.", count), "success")
    return redirect(url_for("series.manage", series_id=series.id))


@bp.route("/<int:series_id>/cancel", methods=["POST"])
@login_required
def cancel(series_id: int):
    series = _owned(series_id)
    count = series_service.cancel(series)
    flash(ngettext("Series cancelled; %(num)d upcoming date is cancelled.",
                   "Series cancelled; %(num)d upcoming dates are cancelled.", count), "success")
    return redirect(url_for("series.manage", series_id=series.id))
