"""The host's community view: all their events, or one series; as a page, CSV and PDF."""
from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select

from organizer.plugin_api import (FONT_STACK, Series, current_language, db, format_date_short,
                                  in_language, pdf_response, render_pdf)

from . import community, picture

bp = Blueprint("followup_community", __name__, template_folder="templates")


def _scope() -> tuple[Series | None, list]:
    """The series asked for (``?series=<id>``, one of the host's own) or all their events."""
    raw = request.args.get("series", "")
    series = None
    if raw:
        if not raw.isdigit() or len(raw) > 9:
            abort(404)
        series = db.session.get(Series, int(raw))
        if series is None or series.owner_id != current_user.id:
            abort(404)
    return series, community.events_of(current_user.id, series.id if series else None)


def _context(scope=None):
    series, events = scope or _scope()
    view = community.build(events)
    labels = [format_date_short(e.starts_at.astimezone(e.zone)) for e in events]
    return {"series": series, "view": view, "labels": labels,
            "picture": picture.svg(view, labels),
            "all_series": db.session.scalars(select(Series).where(
                Series.owner_id == current_user.id).order_by(Series.title)).all()}


@bp.route("/community")
@login_required
def page():
    return render_template("followup/community.html", **_context())


@bp.route("/community.csv")
@login_required
def as_csv():
    context = _context()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["date", "title", "came", "new", "returning", "connections",
                     "introductions", "followed through", "cross-field pairs",
                     "pairs with both fields known"])
    for row in context["view"].rows:
        writer.writerow([row.starts_at.date().isoformat(), _cell(row.title), row.came, row.new,
                         row.returning, row.connections, row.introductions, row.followed,
                         row.cross_field, row.fields_known])
    name = f"community-{context['series'].slug if context['series'] else 'all'}.csv"
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _cell(text: str) -> str:
    # A spreadsheet must not run a title as a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@bp.route("/community.pdf")
@login_required
def as_pdf():
    series, events = _scope()
    # The report speaks the language of the latest date it covers, as an event's report does.
    with in_language(events[-1].language if events else current_language()):
        context = _context((series, events))
        data = render_pdf(render_template("followup/community_pdf.html", font_stack=FONT_STACK,
                                          **context))
    name = f"community-{context['series'].slug if context['series'] else 'all'}.pdf"
    return pdf_response(data, name)
