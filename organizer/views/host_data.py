"""A host exports or erases a guest's data on that person's request (see
:mod:`organizer.privacy`): across every event the host owns or co-hosts, no further."""
from __future__ import annotations

import json
from datetime import date, datetime

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import account_deletion, events, pdf, privacy
from ..db import commit
from ..i18n import gettext as _, ngettext
from ..security import private_page
from ..attendees import of_event_or_404

bp = Blueprint("host_data", __name__)


def iso(value) -> str:
    """Dates and times in an export, for ``json.dumps(default=...)``."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def pdf_of(data: dict, scope: str = "", host_name: str = "") -> bytes:
    """The export ``data`` as a readable PDF (the same as its JSON), in the language of
    the page it is downloaded from. ``host_name``: a host's export, of their events only."""
    return pdf.render(render_template("data_pdf.html", data=privacy.readable(data),
                                      scope=scope, host_name=host_name,
                                      font_stack=pdf.FONT_STACK))


def _guest(event_id: int, attendee_id: int):
    private_page()  # one person's data: never in a shared cache
    event = events.get_editable(event_id, current_user)
    return event, of_event_or_404(event, attendee_id)


def _page(event, guest, status=200, problem=None):
    mine = privacy.events_of(current_user)
    return render_template("host/guest_data.html", event=event, guest=guest,
                           events=len(privacy.rows_of(guest.email, mine)),
                           erased=privacy.erased(guest), problem=problem), status


@bp.route("/events/<int:event_id>/guests/<int:attendee_id>/data")
@login_required
def page(event_id: int, attendee_id: int):
    return _page(*_guest(event_id, attendee_id))


@bp.route("/events/<int:event_id>/guests/<int:attendee_id>/data.json")
@login_required
def download(event_id: int, attendee_id: int):
    """Everything kept about the guest on the guest lists of this host's events."""
    _event, guest = _guest(event_id, attendee_id)
    data = privacy.export(guest.email, privacy.events_of(current_user))
    return Response(json.dumps(data, indent=2, ensure_ascii=False, default=iso),
                    mimetype="application/json", headers={
                        "Content-Disposition": f'attachment; filename="guest-{guest.id}.json"',
                        "Cache-Control": "private, no-store"})


@bp.route("/events/<int:event_id>/guests/<int:attendee_id>/data.pdf")
@login_required
def download_pdf(event_id: int, attendee_id: int):
    _event, guest = _guest(event_id, attendee_id)
    data = privacy.export(guest.email, privacy.events_of(current_user))
    # Translators: in a data export: "Everything kept about ana@example.org on the guest
    # lists of Ben's events, as of …".
    scope = _("on the guest lists of %(name)s's events", name=current_user.name)
    return pdf.response(pdf_of(data, scope, current_user.name), f"guest-{guest.id}.pdf")


@bp.route("/events/<int:event_id>/guests/<int:attendee_id>/erase", methods=["POST"])
@login_required
def erase(event_id: int, attendee_id: int):
    event, guest = _guest(event_id, attendee_id)
    if privacy.erased(guest):
        flash(_("This guest's data was already erased."), "success")
        return redirect(url_for("host.manage", event_id=event.id))
    if request.form.get("confirm") != "yes":
        return _page(event, guest, 422, _("Tick the box to confirm the person asked for "
                                          "this: nothing was erased."))
    record = privacy.erase(guest.email, by="host", host_id=current_user.id,
                           event_ids=privacy.events_of(current_user))
    if record is None:  # erased a moment ago (by them, or by another tab)
        flash(_("This guest's data was already erased."), "success")
    else:
        flash(ngettext("Erased: the guest's data is gone from %(num)d guest list of your "
                       "events.", "Erased: the guest's data is gone from %(num)d guest lists "
                       "of your events.", record.attendees), "success")
    return redirect(url_for("host.manage", event_id=event.id))


@bp.route("/settings/privacy", methods=["GET", "POST"])
@login_required
def settings():
    """How long the host keeps their guests' data after an event."""
    private_page()  # the host's own address is on it
    problem = None
    if request.method == "POST":
        choice = request.form.get("retention", "")
        months = {str(m): m for m in privacy.RETENTION_MONTHS}
        if choice == "keep":
            current_user.retention_months = None
        elif choice in months:
            current_user.retention_months = months[choice]
        else:
            problem = _("Choose how long to keep guests' data from the list.")
        if problem is None:
            commit()
            flash(ngettext("Saved. Guests of your events are anonymised %(num)d month after "
                           "each event.", "Saved. Guests of your events are anonymised "
                           "%(num)d months after each event.", current_user.retention_months)
                  if current_user.retention_months else
                  _("Saved. Guests' data is kept until they or you erase it."), "success")
            return redirect(url_for("host_data.settings"))
    return render_template("host/privacy.html", choices=privacy.RETENTION_MONTHS,
                           problem=problem), 422 if problem else 200


@bp.route("/settings/account/delete", methods=["POST"])
@login_required
def delete_account():
    """Delete the signed-in host's account and every event of it, as a background job,
    once they have typed their address to say they mean it."""
    private_page()
    under_way = account_deletion.running(current_user)
    if under_way is not None:
        return redirect(url_for("jobs.show", job_id=under_way.id))
    typed = request.form.get("email", "").strip().lower()
    if typed != current_user.email.lower():
        return render_template("host/privacy.html", choices=privacy.RETENTION_MONTHS,
                               delete_problem=_("Type your account's address exactly to "
                                                "delete it: nothing was deleted.")), 422
    job = account_deletion.start(current_user)
    flash(_("Your account is being deleted with every event of it. This page shows how far "
            "it has got; you will be signed out when it is done."), "success")
    return redirect(url_for("jobs.show", job_id=job.id))
