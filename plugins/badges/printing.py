"""Badge PDFs for hosts and attendees: one badge at once, sheets as a background job."""
from __future__ import annotations

import re

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select
from sqlalchemy.orm import undefer

from organizer.plugin_api import (Attendee, AttendeeStatus, BadgeLine, Event, JobContext, JobError,
                                  attendee_of_event_or_404, db, event_for_hosts, flatten,
                                  format_moment, gettext as _, hook, in_language,
                                  lazy_gettext as _l, pdf_response, register_job, submit_job)

from . import forms, layouts, sheets, tickets
from .forms import WHO
from .models import Ticket

bp = Blueprint("badgepdf", __name__, template_folder="templates")

ID_RE = re.compile(r"[0-9]{1,12}")


def _when(event: Event) -> str:
    return format_moment(event.local_start)


def badge_data(event: Event, attendee: Attendee | None, ticket: Ticket | None) -> sheets.BadgeData:
    """What the badge of ``attendee`` (None: a blank badge) prints; call it inside
    ``in_language(event.language)``: badges speak the event's language."""
    return sheets.BadgeData(
        name=attendee.name if attendee else "",
        role=attendee.role if attendee else "",
        organisation=attendee.organisation if attendee else "",
        event_title=event.title, event_when=_when(event),
        code_png=tickets.ticket_image(ticket) if ticket else None,
        lines=tuple(found.text for found in flatten(hook().badge_lines(attendee=attendee),
                                                    BadgeLine)) if attendee else ())


def filename(event: Event, layout: layouts.Layout, suffix: str = "") -> str:
    return f"badges-{event.slug}-{layout.key}{suffix}.pdf"


def _people(event_id: int, who: str) -> list[Attendee]:
    query = select(Attendee).where(Attendee.event_id == event_id,
                                   Attendee.status == AttendeeStatus.GOING)
    if who == "not-checked-in":
        query = query.where(Attendee.checked_in_at.is_(None))
    # Alphabetical: badges are laid out on a table and picked up by name.
    return list(db.session.scalars(query.order_by(func.lower(Attendee.name), Attendee.id)))


@register_job("badges.sheet", title=_l("Badge sheet"))
def build_sheet(ctx: JobContext, event_id: int, layout: str, who: str = "going",
                blanks: int = 0) -> dict:
    """Lay out the badges of an event's guests (and blank ones) as a PDF.

    The job speaks the language of the host who started it; the badges speak the event's."""
    event = db.session.get(Event, event_id)
    paper = layouts.get(layout)
    if event is None or paper is None:
        raise JobError(_("The event or the paper layout no longer exists."))
    people = [] if who == "blank" else _people(event.id, who)
    ctx.progress(0, total=len(people) + blanks, message=_("Finding tickets…"))
    valid = {t.attendee_id: t for t in db.session.scalars(
        select(Ticket).options(undefer(Ticket.code))
        .where(Ticket.event_id == event.id, Ticket.revoked_at.is_(None)))}
    badges = []
    with in_language(event.language):
        for person in people:
            # Tickets are usually issued with the confirmation mail; people added
            # by hand may not have one yet, so theirs is issued now.
            ticket = valid.get(person.id) or tickets.ticket_for(person)
            badges.append(badge_data(event, person, ticket))
        badges += [badge_data(event, None, None)] * blanks
    if not badges:
        raise JobError(_("Nobody matches any more (everyone has checked in, say): "
                         "there are no badges to print."))
    ctx.progress(0, message=_("badges laid out"))
    with in_language(event.language):
        document = sheets.sheet(badges, paper, progress=lambda done: ctx.progress(done),
                                processes=current_app.config["PDF_PROCESSES"])
    path = ctx.output_path(filename(event, paper))
    path.write_bytes(document)
    return {"file": str(path), "badges": len(badges)}


@bp.route("/events/<int:event_id>/badges", methods=["GET", "POST"])
@login_required
def badges(event_id: int):
    event = event_for_hosts(event_id)
    errors: dict[str, str] = {}
    form = forms.SheetForm(request.form if request.method == "POST" else request.args)
    layout_key, who = form.layout.data, form.who.data
    blanks_text = (form.blanks.data or "0").strip()
    if request.method == "POST":
        if not form.validate():
            errors = {name: messages[0] for name, messages in form.errors.items()}
        blanks = form.blanks.data
        if not errors and who != "blank" and not _people(event.id, who) and blanks == 0:
            errors["who"] = _("Nobody matches: there are no badges to print.")
        if not errors:
            job = submit_job("badges.sheet", {"event_id": event.id, "layout": layout_key,
                                               "who": who, "blanks": blanks},
                              owner=current_user, event=event)
            return redirect(url_for("jobs.show", job_id=job.id))
        flash(_("The badges were not started: see below."), "error")
    query = (request.args.get("q") or "").strip()[:100]
    found = []
    if len(query) >= 2:
        like = "%" + query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        found = db.session.scalars(select(Attendee).where(
            Attendee.event_id == event.id, Attendee.status == AttendeeStatus.GOING,
            or_(func.lower(Attendee.name).like(like, escape="\\"),
                func.lower(Attendee.email).like(like, escape="\\")))
            .order_by(func.lower(Attendee.name)).limit(30)).all()
    going = db.session.scalar(select(func.count()).where(
        Attendee.event_id == event.id, Attendee.status == AttendeeStatus.GOING))
    return render_template("badges/print.html", event=event, layouts=layouts.LAYOUTS,
                           layout_key=layout_key, who=who, who_choices=WHO,
                           blanks=blanks_text, errors=errors, query=query, found=found,
                           going=going), 400 if errors else 200


def layout_arg() -> layouts.Layout:
    layout = layouts.get(request.args.get("layout"))
    if layout is None:
        abort(404)
    return layout


@bp.route("/events/<int:event_id>/badges/<int:attendee_id>.pdf")
@login_required
def host_badge(event_id: int, attendee_id: int):
    """One guest's badge, for a host who reprints a lost one at the door."""
    event = event_for_hosts(event_id)
    person = attendee_of_event_or_404(event, attendee_id)
    if person.status != AttendeeStatus.GOING:
        abort(409, _("Only people who are going have a badge."))
    layout = layout_arg()
    with in_language(event.language):
        document = sheets.single(badge_data(event, person, tickets.ticket_for(person)), layout)
    return pdf_response(document, filename(event, layout, f"-{person.id}"))
