"""Pages of the badges plugin: tickets, the host's station links, the check-in station."""
from __future__ import annotations

import re
import secrets

from flask import (Blueprint, abort, current_app, flash, jsonify, redirect,
                   render_template, request, url_for)
from flask_limiter.util import get_remote_address
from flask_login import login_required
from sqlalchemy import func, or_, select

from organizer.plugin_api import (Attendee, Event, commit, db, event_for_hosts, limiter,
                                  own_transactions, utcnow)

from . import checkin, decode, forms, selfcheck
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
                           counts=checkin.counts(event.id), poster=selfcheck.poster(event))


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


# --- the station: door staff, no account -------------------------------------

def _station(secret: str, kind: str = "door") -> Station:
    station = db.session.scalar(select(Station).where(Station.secret == secret))
    if station is None or station.revoked_at is not None or station.kind != kind:
        abort(404)
    return station


@bp.route("/station/<secret:secret>")
def station(secret: str):
    st = _station(secret)
    return render_template("badges/station.html", station=st, event=st.event,
                           counts=checkin.counts(st.event_id), answer=None)


def _nonce() -> str | None:
    nonce = (request.form.get("nonce") or "").strip()
    return nonce[:64] if nonce else None


@bp.route("/station/<secret:secret>/scan", methods=["POST"])
@limiter.exempt
@own_transactions  # the check-in takes the write lock itself, only for its two writes
def scan(secret: str):
    answer = checkin.scan_at(secret, request.form.get("code", ""), _nonce())
    if answer is None:
        abort(404)
    if request.accept_mimetypes.best == "application/json":
        # No counts here: summing a big guest list on every scan would halve the
        # door's speed; the page asks for them every few seconds instead.
        return jsonify(answer.json())
    # Without JavaScript the form posts here: show the answer on the page.
    st = _station(secret)
    return render_template("badges/station.html", station=st, event=st.event,
                           counts=checkin.counts(st.event_id), answer=answer)


def _frame_limit() -> str:
    # A phone sends at most one frame every 0.8 s (75 a minute); a few
    # phones of one door behind one address stay well inside.
    return current_app.config.get("FRAME_RATE_LIMIT", "300 per minute")


def _frame_key() -> str:
    # Per client address and station: doors of different events on one
    # venue network do not share a budget.
    return f"{get_remote_address()}/{request.view_args.get('secret', '')}"


@bp.route("/station/<secret:secret>/frame", methods=["POST"])
@limiter.limit(_frame_limit, key_func=_frame_key)
def frame(secret: str):
    """A camera frame from a browser without BarcodeDetector: decoded here with zxing-cpp."""
    _station(secret)  # a valid, unrevoked door station
    upload = request.files.get("frame")
    if upload is None:
        return jsonify({"result": "no_image", "message": "No camera picture arrived."}), 400
    try:
        codes = decode.codes_in(upload.read(decode.MAX_BYTES + 1))
    except decode.NotAnImage as exc:
        return jsonify({"result": "no_image", "message": str(exc)}), 400
    if not codes:
        return jsonify({"result": "no_code", "message": "No code in view"})
    # Only the text: the page sends it to /scan once, as it would a scanner's,
    # so a ticket held in view is not scanned again and again.
    return jsonify({"result": "code", "code": codes[0]})


@bp.route("/station/<secret:secret>/checkin", methods=["POST"])
@limiter.exempt
@own_transactions
def manual(secret: str):
    st = _station(secret)
    raw = request.form.get("attendee_id", "")
    person = db.session.get(Attendee, int(raw)) if ID_RE.fullmatch(raw) else None
    if person is None or person.event_id != st.event_id:
        return jsonify(checkin.Answer("unknown", checkin.MESSAGES["unknown"]).json()), 404
    answer = checkin.check_in(st, person, _nonce())
    return jsonify(answer.json())


@bp.route("/station/<secret:secret>/undo", methods=["POST"])
def undo(secret: str):
    st = _station(secret)
    raw = request.form.get("checkin_id", "")
    done = bool(ID_RE.fullmatch(raw)) and checkin.undo(st, int(raw))
    return jsonify({"undone": bool(done), "counts": checkin.counts(st.event_id)}), \
        200 if done else 404


def _search_limit() -> str:
    return current_app.config.get("STATION_SEARCH_RATE_LIMIT", "120 per minute")


@bp.route("/station/<secret:secret>/search")
@limiter.limit(_search_limit)
def search(secret: str):
    """Door staff find people by name or organisation, or by their whole e-mail
    address; partial addresses match nothing, so the list cannot be mined by e-mail."""
    st = _station(secret)
    text = request.args.get("q", "").strip().lower()[:100]
    if len(text) < 2:
        return jsonify({"people": []})
    if "@" in text:
        # A whole address finds its one guest ("I signed up as ana@…"); parts
        # of addresses find nobody, so the list cannot be mined by e-mail.
        matches = Attendee.email == text
    else:
        like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        matches = or_(func.lower(Attendee.name).like(like, escape="\\"),
                      func.lower(Attendee.organisation).like(like, escape="\\"))
    people = db.session.scalars(select(Attendee).where(Attendee.event_id == st.event_id, matches)
                                .order_by(Attendee.name).limit(20)).all()
    return jsonify({"people": [{
        "id": p.id, "name": p.name, "organisation": p.organisation, "status": p.status,
        "guests": p.guests, "checked_in": p.checked_in_at is not None} for p in people]})


@bp.route("/station/<secret:secret>/counts")
def counts(secret: str):
    return jsonify(checkin.counts(_station(secret).event_id))
