"""Pages of the badges plugin: where a ticket's code lands, and the host's station links
(the station itself is in :mod:`.views_station`)."""
from __future__ import annotations

import re
import secrets

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import select

from organizer.plugin_api import Event, commit, db, event_for_hosts, utcnow

from . import checkin, forms, offline, selfcheck
from .models import Station, Ticket

ID_RE = re.compile(r"[0-9]{1,12}")

bp = Blueprint("badges", __name__, template_folder="templates", static_folder="static",
               static_url_path="/badges/static")


@bp.route("/t/<secret:secret>")
def ticket_landing(secret: str):
    """Where a phone camera lands when someone scans a ticket: no personal data."""
    ticket = db.session.scalar(select(Ticket).where(Ticket.secret == secret))
    if ticket is None:
        abort(404)
    event = db.session.get(Event, ticket.event_id)
    return render_template("badges/landing.html", event=event,
                           valid=ticket.revoked_at is None)


# --- the host: station links -----------------------------------------------

@bp.route("/events/<int:event_id>/stations", methods=["GET", "POST"])
@login_required
def stations(event_id: int):
    event = event_for_hosts(event_id)
    if request.method == "POST":
        name = forms.StationForm(request.form).name.data
        db.session.add(Station(event_id=event.id, name=name,
                               secret=secrets.token_urlsafe(24)))
        commit()
        flash(f"Station “{name}” created. Open its link on the door phone.", "success")
        return redirect(url_for("badges.stations", event_id=event.id))
    rows = db.session.scalars(select(Station).where(Station.event_id == event.id,
                                                    Station.kind == "door")
                              .order_by(Station.id)).all()
    return render_template("badges/stations.html", event=event, stations=rows,
                           counts=checkin.counts(event.id), poster=selfcheck.poster(event),
                           conflicts=[(c, offline.describe(c)) for c in offline.conflicts(event.id)],
                           contact=_contact)


def _contact(station: Station) -> str:
    """What the host should know of a door phone: when it was last heard from, and what
    it holds that the server has not got yet."""
    if station.seen_at is None:
        return "Not opened yet"
    minutes = int((utcnow() - station.seen_at).total_seconds() // 60)
    heard = ("last heard from just now" if minutes < 1 else
             f"last heard from {minutes} min ago" if minutes < 120 else
             f"last heard from at {station.seen_at.astimezone(station.zone):%H:%M}")
    parts = [heard[0].upper() + heard[1:]]
    if station.queued:
        parts.append(f"{station.queued} check-in{'s' if station.queued != 1 else ''} "
                     "waiting on the phone to be sent")
    if station.copied_at is not None:
        parts.append(f"guest list copied at {station.copied_at.astimezone(station.zone):%H:%M}")
    return "; ".join(parts) + "."


@bp.route("/events/<int:event_id>/stations/<int:station_id>/revoke", methods=["POST"])
@login_required
def revoke_station(event_id: int, station_id: int):
    event = event_for_hosts(event_id)
    station = db.session.get(Station, station_id)
    if station is None or station.event_id != event.id:
        abort(404)
    station.revoked_at = station.revoked_at or utcnow()
    commit()
    flash(f"“{station.name}” no longer works.", "success")
    return redirect(url_for("badges.stations", event_id=event.id))
