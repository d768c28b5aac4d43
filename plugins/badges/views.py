"""Pages of the badges plugin: where a ticket's code lands, and the host's station links
(the station itself is in :mod:`.views_station`)."""
from __future__ import annotations

import re
import secrets

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import select

from organizer.plugin_api import (Event, commit, db, event_for_hosts, format_clock, gettext as _,
                                  ngettext, utcnow)

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
        flash(_("Station “%(name)s” created. Open its link on the door phone.", name=name),
              "success")
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
        return _("Not opened yet")
    minutes = int((utcnow() - station.seen_at).total_seconds() // 60)
    if minutes < 1:
        heard = _("Last heard from just now")
    elif minutes < 120:
        heard = ngettext("Last heard from %(num)d min ago", "Last heard from %(num)d min ago",
                         minutes)
    else:
        heard = _("Last heard from at %(time)s",
                  time=format_clock(station.seen_at.astimezone(station.zone)))
    parts = [heard]
    if station.queued:
        parts.append(ngettext("%(num)d check-in waiting on the phone to be sent",
                              "%(num)d check-ins waiting on the phone to be sent", station.queued))
    if station.copied_at is not None:
        parts.append(_("guest list copied at %(time)s",
                       time=format_clock(station.copied_at.astimezone(station.zone))))
    # Each part is a clause of its own: "Last heard from just now; guest list copied at 08:30."
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
    flash(_("“%(name)s” no longer works.", name=station.name), "success")
    return redirect(url_for("badges.stations", event_id=event.id))
