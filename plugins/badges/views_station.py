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

from organizer.plugin_api import (Attendee, db, gettext as _, limiter, ngettext,
                                  own_transactions, secret_authorised, unlimited)

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
                           counts=checkin.counts(st.event_id), answer=None, words=words())


# Placeholders the page's script fills in: "%(time)s" stays "%(time)s" in the words it gets.
# (A plural's number is "%(count)s": Python's ngettext keeps ``num`` for itself.)
def _keep(*names: str) -> dict[str, str]:
    return {name: f"%({name})s" for name in names}


def _plural(make) -> dict[str, str]:
    """A plural's forms for the script, which picks one with ``Intl.PluralRules``."""
    return {"one": make(1), "other": make(2)}


def words() -> dict:
    """What the station's script shows (it answers on its own when offline), in the
    language spoken: %(name)s in them is filled in by the script."""
    return {
        "messages": {result: checkin.message(result) for result in checkin.MESSAGES},
        "ready": _("Ready"),
        "ready_detail": _("Scan a ticket, type its code, or search below."),
        "reload": _("Please reload this page"),
        "not_recorded": _("Not recorded"),
        "try_again": _("Try again."),
        "guests": _plural(lambda n: ngettext("+%(count)s guest", "+%(count)s guests", n,
                                             **_keep("count"))),
        "at": _("at %(time)s, %(station)s", **_keep("time", "station")),
        "host": _("the host"),
        "no_list": _("This phone keeps no guest list for this station."),
        "over": _("This event is over: this phone no longer keeps its guest list."),
        # Without the network: with check-ins waiting or none, with the time of the phone's
        # copy of the guest list, or saying it has none yet (where it could keep one).
        "offline": {
            "queued": _plural(lambda n: ngettext(
                "Offline — %(count)s check-in saved on this phone, not yet sent",
                "Offline — %(count)s check-ins saved on this phone, not yet sent", n,
                **_keep("count"))),
            "queued_copy": _plural(lambda n: ngettext(
                "Offline — %(count)s check-in saved on this phone, not yet sent "
                "(guest list of %(time)s)",
                "Offline — %(count)s check-ins saved on this phone, not yet sent "
                "(guest list of %(time)s)", n, **_keep("count", "time"))),
            "queued_no_copy": _plural(lambda n: ngettext(
                "Offline — %(count)s check-in saved on this phone, not yet sent, but this "
                "phone has no copy of the guest list yet",
                "Offline — %(count)s check-ins saved on this phone, not yet sent, but this "
                "phone has no copy of the guest list yet", n, **_keep("count"))),
            "plain": _("Offline — checking in from this phone's copy"),
            "plain_copy": _("Offline — checking in from this phone's copy "
                            "(guest list of %(time)s)", **_keep("time")),
            "plain_no_copy": _("Offline — checking in from this phone's copy, but this phone "
                               "has no copy of the guest list yet"),
        },
        "sending": _plural(lambda n: ngettext("Online — sending %(count)s check-in…",
                                              "Online — sending %(count)s check-ins…", n,
                                              **_keep("count"))),
        "sending_soon": _plural(lambda n: ngettext(
            "Online — %(count)s check-in saved on this phone, sending soon",
            "Online — %(count)s check-ins saved on this phone, sending soon", n,
            **_keep("count"))),
        "online": _("Online"),
        "online_copy": _("Online · guest list saved on this phone at %(time)s",
                         **_keep("time")),
        "link_gone": _("This station link no longer works"),
        "ask_host": _("Ask the host for a new one."),
        "got_it": _("Got it"),
        "saved": _("Saved on this phone, not yet sent"),
        "new_ticket": _("Valid ticket, issued after this phone's copy"),
        "no_connection": _("No connection"),
        "no_copy": _("This phone has no copy of the guest list, so nothing was recorded. "
                     "Try again when online."),
        "not_on_copy": _("Not on this phone's copy; check again when online"),
        "cannot_verify": _("This browser cannot check new tickets offline"),
        "undone": _("Check-in undone"),
        "not_undone": _("Could not undo"),
        "undo_offline": _("An undo needs the network. Try again."),
        "check_in": _("Check in"),
        # Guest-list statuses as the search list shows them.
        "statuses": {"going": _("going"), "waiting": _("waiting"), "pending": _("pending"),
                     "declined": _("declined"), "cancelled": _("cancelled")},
        "status_in": _("%(status)s, checked in", **_keep("status")),
        "camera": {
            "none": _("This browser cannot use the camera here; use a scanner or type the "
                      "code."),
            "here": _("Reading codes in this browser."),
            "server": _("Reading codes with the server's help while online."),
            "denied": _("The camera is not available. Allow it in the browser, or use a "
                        "scanner."),
        },
        "problems": _plural(lambda n: ngettext("Sent, with a problem",
                                               "Sent, with %(count)s problems", n,
                                               **_keep("count"))),
    }


@bp.route("/station/<secret:secret>/manifest.webmanifest")
def manifest(secret: str):
    """What makes the station installable as an app on the door phone."""
    st = _station(secret)
    page = url_for("station.page", secret=secret)
    return jsonify({
        "name": _("Check-in · %(title)s", title=st.event.title), "short_name": _("Check-in"),
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
        return jsonify({"error": _("This event is over, so this phone keeps no guest list.")}), 410
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
                           counts=checkin.counts(st.event_id), answer=answer, words=words())


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
        return jsonify({"result": "no_image", "message": _("No camera picture arrived.")}), 400
    try:
        codes = decode.codes_in(upload.read(decode.MAX_BYTES + 1))
    except decode.NotAnImage as exc:
        return jsonify({"result": "no_image", "message": str(exc)}), 400
    if not codes:
        return jsonify({"result": "no_code", "message": _("No code in view")})
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
        return jsonify(checkin.Answer("unknown", checkin.message("unknown")).json()), 404
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
