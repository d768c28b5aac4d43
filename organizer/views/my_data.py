"""An attendee's data, from their private link: download everything kept about them, or
erase it (see :mod:`organizer.privacy`)."""
from __future__ import annotations

import json

from flask import Blueprint, Response, render_template, request

from .. import pdf, privacy
from ..i18n import gettext as _
from ..attendees import by_token_or_404
from .attendee import ATTENDEE_PREFIX
from .host_data import iso, pdf_of

bp = Blueprint("my_data", __name__, url_prefix=ATTENDEE_PREFIX)


@bp.route("/data")
def page(token: str):
    attendee = by_token_or_404(token)
    return render_template("attendee/data.html", attendee=attendee, event=attendee.event,
                           events=len(privacy.rows_of(attendee.email)))


@bp.route("/data.json")
def download(token: str):
    """Everything kept about them on every guest list here, as one JSON file."""
    attendee = by_token_or_404(token)
    body = json.dumps(privacy.export(attendee.email), indent=2, ensure_ascii=False,
                      default=iso)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": 'attachment; filename="my-data.json"'})


@bp.route("/data.pdf")
def download_pdf(token: str):
    """The same, as a document to read."""
    attendee = by_token_or_404(token)
    return pdf.response(pdf_of(privacy.export(attendee.email)), "my-data.pdf")


@bp.route("/erase", methods=["POST"])
def erase(token: str):
    """Erase them from every guest list here, once they have ticked that they mean it."""
    attendee = by_token_or_404(token)
    if request.form.get("confirm") != "yes":
        return render_template("attendee/data.html", attendee=attendee, event=attendee.event,
                               events=len(privacy.rows_of(attendee.email)),
                               problem=_("Tick the box to say you want everything erased: "
                                         "nothing was erased.")), 422
    record = privacy.erase(attendee.email, by="attendee")
    return render_template("attendee/erased.html", record=record)
