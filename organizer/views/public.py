"""Pages anyone with the link can open: events, series, a host's page and calendar feed."""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, select

from .. import cards, events, ics, paging
from ..db import db
from ..i18n import page_falls_back_to
from ..models import Event, Host, Series, utcnow
from ..plugins import hook
from ..rendering import render_markdown
from ..series import describe
from ..urls import external_url, webcal

bp = Blueprint("events", __name__)

FEED_PAST_DAYS = 90


def _viewer():
    return current_user if current_user.is_authenticated else None


def _visible_event(slug: str) -> Event:
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None or not events.visible_to(event, _viewer()):
        abort(404)
    page_falls_back_to(event.language)
    return event


def _ics_response(body: bytes, filename: str) -> Response:
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "no-cache"})


@bp.route("/e/<slug>")
def public(slug: str):
    event = _visible_event(slug)
    panels = [Markup(p) for p in hook().event_page_panels(event=event, viewer=_viewer()) if p]
    return render_template(
        "public/event.html", event=event, description=render_markdown(event.description),
        panels=panels,
        can_edit=events.can_edit(event, _viewer()), is_past=event.ends_at < utcnow(),
        summary=cards.summary(event), page_url=external_url("events.public", slug=event.slug),
        card_url=cards.image_url(event))


@bp.route("/e/<slug>/card.png")
def event_card(slug: str):
    """The event's preview picture for link previews (og:image)."""
    event = _visible_event(slug)
    # Its look changes only when the event does.
    tag = f"{event.id}-{event.sequence}-{event.updated_at.timestamp():.0f}-{event.status}"
    if request.if_none_match.contains(tag):
        return Response(status=304, headers={"ETag": f'"{tag}"'})
    response = Response(cards.render(event), mimetype="image/png")
    response.set_etag(tag)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.route("/e/<slug>.ics")
def event_ics(slug: str):
    event = _visible_event(slug)
    return _ics_response(ics.event_file(event), f"{event.slug}.ics")


def _visible_series(slug: str) -> Series:
    series = db.session.scalar(select(Series).where(Series.slug == slug))
    viewer = _viewer()
    if series is None or (series.status == "draft" and
                          (viewer is None or viewer.id != series.owner_id)):
        abort(404)
    page_falls_back_to(series.language)
    return series


@bp.route("/s/<slug>")
def series_public(slug: str):
    series = _visible_series(slug)
    upcoming = paging.page_of(select(Event).where(
        Event.series_id == series.id, Event.ends_at >= utcnow(), Event.status != "draft")
        .order_by(Event.starts_at), paging.requested())
    return render_template("public/series.html", series=series, upcoming=upcoming,
                           description=render_markdown(series.description),
                           rule=describe(series),
                           page_url=external_url("events.series_public", slug=series.slug))


@bp.route("/s/<slug>.ics")
def series_ics(slug: str):
    series = _visible_series(slug)
    return _ics_response(ics.series_file(series), f"{series.slug}.ics")


def _host(handle: str) -> Host:
    host = db.session.scalar(select(Host).where(Host.handle == handle))
    if host is None:
        abort(404)
    return host


@bp.route("/h/<handle>")
def host_page(handle: str):
    host = _host(handle)
    upcoming = paging.page_of(
        select(Event).where(Event.owner_id == host.id, Event.status == "published",
                            Event.ends_at >= utcnow()).order_by(Event.starts_at, Event.id),
        paging.requested())
    feed = external_url("events.host_feed", handle=host.handle)
    return render_template("public/host.html", host=host, upcoming=upcoming,
                           feed_url=feed, webcal_url=webcal(feed),
                           page_url=external_url("events.host_page", handle=host.handle))


def _feed_version(host: Host) -> tuple[str, datetime | None]:
    """The host feed's ETag and Last-Modified, from one cheap query: every change of an
    event or series bumps its ``updated_at``, and the day moves the feed's window."""
    count_events, events_changed = db.session.execute(
        select(func.count(), func.max(Event.updated_at)).where(Event.owner_id == host.id)).one()
    count_series, series_changed = db.session.execute(
        select(func.count(), func.max(Series.updated_at)).where(Series.owner_id == host.id)).one()
    changed = max((t for t in (events_changed, series_changed) if t is not None), default=None)
    config = current_app.config
    fingerprint = "|".join(str(part) for part in (
        host.name, count_events, events_changed, count_series, series_changed,
        utcnow().date(), config["BASE_URL"], config["ICS_REMINDER_MINUTES"]))
    return hashlib.sha256(fingerprint.encode()).hexdigest()[:32], changed


@bp.route("/h/<handle>/calendar.ics")
def host_feed(handle: str):
    """The host's subscribable calendar. Calendar apps poll it all day: a poll
    when nothing changed is answered 304 without building the file."""
    host = _host(handle)
    tag, changed = _feed_version(host)
    if request.if_none_match.contains(tag) or (
            not request.if_none_match and changed is not None and request.if_modified_since
            and changed.replace(microsecond=0) <= request.if_modified_since):
        response = Response(status=304)
    else:
        response = _feed_response(host)
    response.set_etag(tag)
    if changed is not None:
        response.last_modified = changed
    response.headers["Cache-Control"] = "max-age=300"
    return response


def _feed_response(host: Host) -> Response:
    since = utcnow() - timedelta(days=FEED_PAST_DAYS)
    series = db.session.scalars(select(Series).where(
        Series.owner_id == host.id, Series.status != "draft")).all()
    single = db.session.scalars(select(Event).where(
        Event.owner_id == host.id, Event.series_id.is_(None),
        Event.status.in_(("published", "cancelled")), Event.ends_at >= since)
        .order_by(Event.starts_at)).all()
    body = ics.feed_file(f"{host.name} — organizer", single, series)
    return Response(body, mimetype="text/calendar")
