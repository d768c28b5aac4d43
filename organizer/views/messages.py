"""The host's view of an event's mail: what went out, what is on its way, what did not arrive.

Every message to a guest is queued in the outbox with the change that
caused it; here the event's hosts see how each kind of mail is getting on,
who could not be reached and why, and can try again or correct an address.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import and_, func, or_, select

from .. import attendees, delivery, events, mail
from ..db import db
from ..forms import AddressForm
from ..i18n import gettext as _, ngettext
from ..models import Event, OutboxMessage

bp = Blueprint("messages", __name__)

_m = OutboxMessage
# Not delivered yet for a reason the host should see: refused or given up,
# or waiting for another try after a failure (or behind one, untried: the
# server could not be reached at all).
_TROUBLE = or_(_m.status == "failed", and_(_m.status.in_(("queued", "sending")),
                                             _m.last_error != ""))


def summary(event: Event) -> dict:
    """Counts per kind of mail: delivered, on its way, not delivered, not needed."""
    rows = db.session.execute(select(_m.kind, _m.status, func.count()).where(
        _m.event_id == event.id).group_by(_m.kind, _m.status)).all()
    kinds: dict[str, dict] = {}
    for kind, status, count in rows:
        entry = kinds.setdefault(kind, {"title": mail.title(kind), "sent": 0, "waiting": 0,
                                        "failed": 0, "dropped": 0, "total": 0})
        entry[{"queued": "waiting", "sending": "waiting"}.get(status, status)] += count
        entry["total"] += count
    ordered = sorted(kinds.values(), key=lambda k: k["title"])
    totals = {key: sum(k[key] for k in ordered) for key in ("sent", "waiting", "failed",
                                                             "dropped", "total")}
    return {"kinds": ordered, "totals": totals}


def trouble_count(event: Event) -> int:
    """How many of the event's messages have failed or are waiting after a failure."""
    return db.session.scalar(select(func.count()).where(_m.event_id == event.id, _TROUBLE)) or 0


def _troubled(event: Event) -> list[OutboxMessage]:
    return list(db.session.scalars(select(_m).where(_m.event_id == event.id, _TROUBLE)
                                   .order_by(_m.status.desc(), _m.id.desc()).limit(300)))


def _page(event: Event, forms: dict | None = None, status: int = 200):
    return render_template("host/mail.html", event=event, summary=summary(event),
                           troubled=_troubled(event), forms=forms or {},
                           blank=AddressForm(formdata=None)), status


@bp.route("/events/<int:event_id>/mail")
@login_required
def show(event_id: int):
    return _page(events.get_editable(event_id, current_user))


@bp.route("/events/<int:event_id>/mail.json")
@login_required
def state(event_id: int):
    return jsonify(summary(events.get_editable(event_id, current_user)))


@bp.route("/events/<int:event_id>/mail/retry", methods=["POST"])
@login_required
def retry(event_id: int):
    event = events.get_editable(event_id, current_user)
    raw = request.form.get("message", "")
    if raw and not (raw.isascii() and raw.isdigit() and len(raw) <= 18):
        abort(400)
    count = delivery.retry_now(event.id, [int(raw)] if raw else None)
    flash(ngettext("%(num)d message is being tried again now.",
                   "%(num)d messages are being tried again now.", count)
          if count else _("There was nothing left to try again."), "success" if count else "info")
    return redirect(url_for("messages.show", event_id=event.id))


@bp.route("/events/<int:event_id>/mail/<int:message_id>/address", methods=["POST"])
@login_required
def readdress(event_id: int, message_id: int):
    event = events.get_editable(event_id, current_user)
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.event_id != event.id:
        abort(404)
    if message.attendee_id is None:
        abort(400)
    person = attendees.of_event_or_404(event, message.attendee_id)
    form = AddressForm()
    if form.validate_on_submit():
        try:
            attendees.change_email(person, form.email.data)
        except attendees.GuestListError as exc:
            form.email.errors.append(str(exc))
        else:
            flash(_("%(name)s's address is now %(email)s; their mail that had not arrived is "
                    "on its way there.", name=person.name, email=person.email), "success")
            return redirect(url_for("messages.show", event_id=event.id))
    return _page(event, {message.id: form}, 422)
