"""Self check-in: a QR poster at the venue that attendees scan with their own phone.

The poster's secret proves the person is at the venue; who they are comes
from their RSVP link (remembered by their browser when they opened it) or
from the first characters of their ticket code, typed in.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import (Blueprint, abort, current_app, redirect, render_template, request, session,
                   url_for)
from flask_login import login_required
from sqlalchemy import select, update

from organizer.plugin_api import (Attendee, Event, commit, db, event_for_hosts, external_url,
                                  gettext as _, in_language, limiter, utcnow)

from . import checkin, forms, tickets
from .models import Station, Ticket

bp = Blueprint("selfcheck", __name__, template_folder="templates")
SHORT = 6
REMEMBERED = "badges_me"


def poster(event: Event) -> Station | None:
    """The event's valid poster, if the host made one."""
    return db.session.scalar(select(Station).where(
        Station.event_id == event.id, Station.kind == "poster", Station.revoked_at.is_(None)))


def _proof(attendee: Attendee) -> str:
    # The session cookie is signed, not encrypted: it carries who the person
    # is and a keyed hash of their private link, never the link itself.
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"selfcheck:{attendee.token}".encode(), hashlib.sha256).hexdigest()[:32]


def remember(attendee: Attendee) -> None:
    """Let this browser check its owner in from the poster (called on their RSVP page)."""
    known = dict(session.get(REMEMBERED, {}))
    known[str(attendee.event_id)] = [attendee.id, _proof(attendee)]
    session[REMEMBERED] = dict(list(known.items())[-10:])


def _poster(secret: str) -> Station:
    found = db.session.scalar(select(Station).where(Station.secret == secret))
    if found is None or found.kind != "poster" or found.revoked_at is not None:
        abort(404)
    return found


def _remembered(station: Station) -> Attendee | None:
    known = session.get(REMEMBERED, {}).get(str(station.event_id))
    if not isinstance(known, list) or len(known) != 2 or not isinstance(known[0], int):
        return None  # nothing remembered (or a cookie from before, holding the link)
    person = db.session.get(Attendee, known[0])
    if person is None or person.event_id != station.event_id:
        return None
    return person if hmac.compare_digest(str(known[1]), _proof(person)) else None


def _by_code(station: Station, code: str) -> tuple[Attendee | None, str | None]:
    cleaned = code.strip().lower().replace("-", "").replace(" ", "")
    if len(cleaned) < SHORT or any(ch not in tickets.ALPHABET for ch in cleaned):
        return None, _("Type at least the first %(count)s characters of your ticket code "
                       "(letters and digits, as on your ticket).", count=SHORT)
    matches = db.session.scalars(select(Ticket).where(
        Ticket.event_id == station.event_id, Ticket.revoked_at.is_(None),
        Ticket.secret.startswith(cleaned[:tickets.LENGTH])).limit(2)).all()
    if not matches:
        return None, _("No ticket for this event starts with that code.")
    if len(matches) > 1:
        return None, _("Two tickets start like that: type a few more characters.")
    return matches[0].attendee, None


def _limit() -> str:
    # Guests on the venue's Wi-Fi share one address: generous, but enough to
    # stop anyone trying codes until one fits.
    return current_app.config.get("SELF_CHECKIN_RATE_LIMIT", "30 per minute")


def _page(station: Station, person, error=None, answer=None):
    return render_template("badges/here.html", station=station, event=station.event,
                           person=person, error=error, answer=answer), 422 if error else 200


@bp.route("/here/<secret:secret>", methods=["GET", "POST"])
def here(secret: str):
    """The poster's page; its button checks in the guest this phone remembers."""
    station = _poster(secret)
    person = _remembered(station)
    if request.method == "POST" and person is not None:
        return _page(station, person, answer=checkin.check_in(station, person, None))
    return _page(station, person)


@bp.route("/here/<secret:secret>/code", methods=["POST"])
@limiter.limit(_limit)
def by_code(secret: str):
    """A guest types the start of their ticket code (rate-limited: codes can be guessed)."""
    station = _poster(secret)
    chosen, error = _by_code(station, forms.CodeForm(request.form).code.data)
    if chosen is None:
        return _page(station, _remembered(station), error=error)
    return _page(station, None, answer=checkin.check_in(station, chosen, None))


@bp.route("/events/<int:event_id>/poster", methods=["GET", "POST"])
@login_required
def make_poster(event_id: int):
    event = event_for_hosts(event_id)
    found = poster(event)
    if request.method == "POST":
        # A new poster replaces the old one (a photo of it may be circulating).
        db.session.execute(update(Station).where(
            Station.event_id == event.id, Station.kind == "poster",
            Station.revoked_at.is_(None)).values(revoked_at=utcnow()))
        # Its name is what a door station says of someone who checked in here.
        found = Station(event_id=event.id, name=_("Self check-in"), kind="poster",
                        secret=secrets.token_urlsafe(24))
        db.session.add(found)
        commit()
        return redirect(url_for("selfcheck.make_poster", event_id=event.id))
    url = external_url("selfcheck.here", secret=found.secret) if found else None
    # The poster itself is printed for the event's guests: it speaks the event's language
    # (the page around it speaks the host's).
    with in_language(event.language):
        words = {"scan": _("Scan to check in"), "alt": _("QR code for self check-in")}
    return render_template("badges/poster.html", event=event, poster=found, url=url,
                           words=words)


@bp.route("/events/<int:event_id>/poster.png")
@login_required
def poster_png(event_id: int):
    event = event_for_hosts(event_id)
    found = poster(event)
    if found is None:
        abort(404)
    from flask import Response
    return Response(tickets.png(external_url("selfcheck.here", secret=found.secret),
                                box_size=16), mimetype="image/png")
