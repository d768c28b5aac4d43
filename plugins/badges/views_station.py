"""The check-in station: door staff with the station's link, no account.

Every view here is authorised by the station's secret in its URL, not by a
session: a door phone sends no cookie and no form token, and a scan costs
little more than the check-in itself. The station works without the
network too: it keeps a copy (``/copy``), sends back what it admitted
meanwhile (``/sync``) and says it is alive (``/hello``); see :mod:`.offline`.
"""
from __future__ import annotations

from pathlib import Path

from flask import (Blueprint, abort, current_app, jsonify, render_template, request,
                   send_from_directory, url_for)
from flask_limiter.util import get_remote_address
from sqlalchemy import func, or_, select

from organizer.plugin_api import (Attendee, db, limiter, own_transactions, secret_authorised,
                                  unlimited)

from . import checkin, decode, offline
from .models import Station
from .views import ID_RE

bp = Blueprint("station", __name__)
STATIC = Path(__file__).parent / "static" / "badges"

def _station(secret: str, kind: str = "door") -> Station:
    station = db.session.scalar(select(Station).where(Station.secret == secret))
    if station is None or station.revoked_at is not None or station.kind != kind:
        abort(404)
    return station


@bp.route("/station/<secret:secret>")
def page(secret: str):
    st = _station(secret)
    return render_template("badges/station.html", station=st, event=st.event,
                           counts=checkin.counts(st.event_id), answer=None)


@bp.route("/station/<secret:secret>/manifest.webmanifest")
def manifest(secret: str):
    """What makes the station installable as an app on the door phone."""
    st = _station(secret)
    page = url_for("station.page", secret=secret)
    return jsonify({
        "name": f"Check-in · {st.event.title}", "short_name": "Check-in",
        "start_url": page, "scope": page, "display": "standalone",
        "background_color": "#ffffff", "theme_color": "#1d3557",
        "icons": [{"src": url_for("badges.static", filename=f"badges/icon-{size}.png"),
                   "sizes": f"{size}x{size}", "type": "image/png", "purpose": "any"}
                  for size in (192, 512)],
    }), 200, {"Content-Type": "application/manifest+json"}


@bp.route("/station/sw.js")
def service_worker():
    """The stations' service worker, served from ``/station/`` so it may control station pages."""
    response = send_from_directory(STATIC, "station-sw.js",
                                   mimetype="text/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/station/<secret:secret>/copy")
def copy(secret: str):
    """The station's copy of its door: guest list, ticket hashes, the event's public key."""
    st = _station(secret)
    if offline.is_over(st.event):
        return jsonify({"error": "This event is over, so this phone keeps no guest list."}), 410
    return jsonify(offline.copy_for(st))


def _queued(body) -> int | None:
    value = body.get("queued") if isinstance(body, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@bp.route("/station/<secret:secret>/sync", methods=["POST"])
@unlimited
@secret_authorised
@own_transactions
def sync(secret: str):
    """Check-ins the station made without the network, in one batch: each applied once."""
    st = _station(secret)
    body = request.get_json(silent=True)
    try:
        scans, refused = offline.read_batch(body, st)
    except offline.BadBatch as exc:
        return jsonify({"error": str(exc)}), 400
    results = offline.apply(st, scans, _queued(body)) if scans else []
    # No counts here: summing a big guest list for every batch would cost more than the
    # batch; the page takes a fresh copy (and its counts) once the queue is sent.
    return jsonify({"results": results + refused, "notices": offline.notices(st)})


@bp.route("/station/<secret:secret>/hello", methods=["POST"])
@secret_authorised
@own_transactions
def hello(secret: str):
    """The station is alive: it says how many check-ins wait on it; it hears the counts and
    its notices."""
    st = _station(secret)
    body = request.get_json(silent=True)
    offline.report(st, _queued(body), copied=bool(isinstance(body, dict) and body.get("copied")))
    return jsonify({"counts": checkin.counts(st.event_id), "notices": offline.notices(st)})


def _nonce() -> str | None:
    nonce = (request.form.get("nonce") or "").strip()
    return nonce[:64] if nonce else None


@bp.route("/station/<secret:secret>/scan", methods=["POST"])
@unlimited
@secret_authorised
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
@secret_authorised
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
@unlimited
@secret_authorised
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
@secret_authorised
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
