"""The host's guest list: counts, search, status changes, additions, questions, CSV."""
from __future__ import annotations

from flask import (Blueprint, Response, flash, redirect, render_template, request, url_for)
from flask_login import login_required
from sqlalchemy import func, or_, select
from werkzeug.datastructures import CombinedMultiDict

from organizer.plugin_api import (ATTENDEE_STATUSES, Attendee, AttendeeStatus, GuestListError,
                                  attendee_of_event_or_404, commit, db, event_for_hosts,
                                  format_number, gettext as _, ngettext, stage_attendee, utcnow,
                                  write)

from . import answers as answers_mod, csvio, forms, plugin_questions, seats, settings
from .labels import status_count, status_title, status_word
from .models import QUESTION_KINDS, RsvpQuestion, RsvpRegistration

bp = Blueprint("rsvp_host", __name__, template_folder="templates")
MAX_UPLOAD = 1024 * 1024


def _guest_list_url(event_id: int, **args) -> str:
    return url_for("rsvp_host.guests", event_id=event_id, **args)


@bp.route("/events/<int:event_id>/guests")
@login_required
def guests(event_id: int):
    event = event_for_hosts(event_id)
    status = request.args.get("status", "")
    search = request.args.get("q", "").strip()[:100]
    query = select(Attendee).where(Attendee.event_id == event.id)
    if status in ATTENDEE_STATUSES:
        query = query.where(Attendee.status == status)
    if search:
        like = f"%{search.lower()}%"
        query = query.where(or_(func.lower(Attendee.name).like(like),
                                func.lower(Attendee.email).like(like),
                                func.lower(Attendee.organisation).like(like)))
    people = db.session.scalars(query.order_by(Attendee.id).limit(1000)).all()
    counts = dict(db.session.execute(select(Attendee.status, func.count()).where(
        Attendee.event_id == event.id).group_by(Attendee.status)).all())
    positions = {a.id: i for i, a in enumerate(seats.waiting_list(event.id), start=1)}
    answered, guest_names = _answers_of(event, [a.id for a in people])
    return render_template(
        "rsvp/guests.html", event=event, people=people, counts=counts, status=status,
        search=search, positions=positions, statuses=ATTENDEE_STATUSES,
        seats_taken=seats.seats_taken(event.id), guest_names=guest_names,
        columns=answered + plugin_questions.columns(event), status_word=status_word,
        status_title=status_title)


def _answers_of(event, attendee_ids: list[int]):
    """The host's own questions as guest-list columns (title, attendee id → answer), and
    the names of +1 guests."""
    registrations = db.session.execute(select(
        RsvpRegistration.attendee_id, RsvpRegistration.answers, RsvpRegistration.guest_name)
        .where(RsvpRegistration.attendee_id.in_(attendee_ids))).all() if attendee_ids else []
    columns = []
    for question in answers_mod.questions(event):
        key = str(question.id)
        values = {}
        for attendee_id, given, _guest in registrations:
            value = (given or {}).get(key)
            if value not in (None, "", False):
                values[attendee_id] = _("yes") if value is True else str(value)
        columns.append((question.label, values))
    return columns, {attendee_id: name for attendee_id, _given, name in registrations if name}


@bp.route("/events/<int:event_id>/guests/bulk", methods=["POST"])
@login_required
def bulk(event_id: int):
    """Approve or decline the ticked guests in one go; seats are given in list order,
    so once the event is full the rest wait."""
    event = event_for_hosts(event_id)
    back = _guest_list_url(event_id, status=request.args.get("status") or None,
                           q=request.args.get("q") or None)
    wanted = request.form.get("status")
    if wanted not in (AttendeeStatus.GOING, AttendeeStatus.DECLINED):
        flash(_("Choose Approve or Decline."), "error")
        return redirect(back, 303)
    try:
        ids = sorted({int(value) for value in request.form.getlist("attendee_ids")})
    except ValueError:
        flash(_("That selection could not be read; tick the guests again."), "error")
        return redirect(back, 303)
    chosen = db.session.scalars(select(Attendee.id).where(
        Attendee.event_id == event.id, Attendee.id.in_(ids))).all() if ids else []
    if not chosen:
        flash(_("Tick the guests to change first."), "error")
        return redirect(back, 303)
    outcome: dict[str, int] = {}
    for attendee_id in chosen:
        ended = seats.set_status(attendee_id, wanted)[1]
        outcome[ended] = outcome.get(ended, 0) + 1
    said = ", ".join(status_count(state, count) for state, count in sorted(outcome.items()))
    done = _("Done: %(outcome)s. We've mailed each of them.", outcome=said)
    if wanted == AttendeeStatus.GOING and outcome.get(AttendeeStatus.WAITING):
        done += " " + _("The event is full, so the rest are on the waiting list.")
    flash(done, "success")
    return redirect(back)


def _own_attendee(event_id: int, attendee_id: int) -> Attendee:
    return attendee_of_event_or_404(event_for_hosts(event_id), attendee_id)


@bp.route("/events/<int:event_id>/guests/<int:attendee_id>/status", methods=["POST"])
@login_required
def set_status(event_id: int, attendee_id: int):
    attendee = _own_attendee(event_id, attendee_id)
    form = forms.StatusForm(request.form)
    if not form.validate():
        flash(str(form.status.errors[0]), "error")
        return redirect(_guest_list_url(event_id)), 303
    wanted = form.status.data
    attendee, ended = seats.set_status(attendee.id, wanted)
    if wanted == AttendeeStatus.GOING and ended == AttendeeStatus.WAITING:
        flash(_("The event is full, so %(name)s is on the waiting list.", name=attendee.name),
              "info")
    else:
        flash(_("%(name)s is now %(status)s. We've mailed them.", name=attendee.name,
                status=status_word(ended)), "success")
    return redirect(_guest_list_url(event_id))


@bp.route("/events/<int:event_id>/guests/add", methods=["POST"])
@login_required
def add(event_id: int):
    event = event_for_hosts(event_id)
    form = forms.AddGuestForm(request.form)
    if not form.validate():
        flash(" ".join(str(messages[0]) for messages in form.errors.values()), "error")
        return redirect(_guest_list_url(event.id)), 303
    name = form.name.data
    try:
        status = seats.add_by_host(event.id, name, form.email.data).status
    except GuestListError as exc:
        flash(str(exc), "error")
        return redirect(_guest_list_url(event.id)), 303
    added = _("%(name)s added as %(status)s.", name=name, status=status_word(status))
    if status == AttendeeStatus.WAITING:
        added += " " + _("The event is full.")
    flash(added, "success")
    return redirect(_guest_list_url(event.id))


@bp.route("/events/<int:event_id>/guests.csv")
@login_required
def export(event_id: int):
    event = event_for_hosts(event_id)
    people = db.session.scalars(select(Attendee).where(Attendee.event_id == event.id)
                                .order_by(Attendee.id)).all()
    regs = {r.attendee_id: r for r in db.session.scalars(
        select(RsvpRegistration).where(RsvpRegistration.event_id == event.id))}
    body = csvio.export(event, people, regs, answers_mod.questions(event),
                        plugin_questions.columns(event))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="guests-{event.slug}.csv"'})


@bp.route("/events/<int:event_id>/guests/import", methods=["GET", "POST"])
@login_required
def import_csv(event_id: int):
    event = event_for_hosts(event_id)
    existing = set(db.session.scalars(select(Attendee.email).where(
        Attendee.event_id == event.id)))
    text, preview = "", None
    if request.method == "POST":
        form = forms.ImportForm(CombinedMultiDict((request.files, request.form)))
        upload = form.file.data
        if upload is not None and upload.filename:
            raw = upload.read(MAX_UPLOAD + 1)
            if len(raw) > MAX_UPLOAD:
                preview = csvio.ImportPreview([], _("The file is larger than 1 MB; split it up."))
            else:
                try:
                    text = raw.decode("utf-8-sig")
                except UnicodeDecodeError:
                    preview = csvio.ImportPreview(
                        [], _("Save the file as UTF-8 CSV and try again."))
        else:
            text = form.csv_text.data or ""
        if preview is None:
            preview = csvio.parse(text, existing) if text.strip() else csvio.ImportPreview(
                [], _("Choose a CSV file to import."))
        if form.confirm.data and not preview.problem and preview.valid:
            try:
                placed = _import(event.id, preview.valid)
            except GuestListError as exc:
                flash(_("Nothing was imported: %(problem)s Check the file again.",
                        problem=str(exc)), "error")
                return redirect(url_for("rsvp_host.import_csv", event_id=event.id)), 303
            total = sum(placed.values())
            imported = ngettext(
                "Imported %(count)s guests: %(placed)s.", "Imported %(count)s guests: %(placed)s.",
                total, count=format_number(total),
                placed=", ".join(status_count(status, count) for status, count in placed.items()))
            skipped = len(preview.invalid)
            if skipped:
                imported += " " + ngettext("%(count)s rows with errors were skipped.",
                                           "%(count)s rows with errors were skipped.", skipped,
                                           count=format_number(skipped))
            flash(imported, "success")
            return redirect(_guest_list_url(event.id))
    status = 422 if preview is not None and (preview.problem or preview.invalid) else 200
    return render_template("rsvp/import.html", event=event, preview=preview, text=text), status


def _import(event_id: int, rows: list[csvio.ImportRow]) -> dict[str, int]:
    """Store the checked rows in one transaction: all of them or, on error, none.

    Seats are taken in file order while they last; after that, and behind
    anyone already waiting, people join the waiting list in file order. A
    row without a status is placed as an RSVP would be (pending when the
    host approves each RSVP).
    """
    placed: dict[str, int] = {}
    with write():
        event = seats.lock_event(event_id)
        free = seats.free_seats(event)
        queue_ahead = seats.anyone_waiting(event.id)
        approval = settings.of(event).approval
        for row in rows:
            status = row.status or (AttendeeStatus.PENDING if approval else AttendeeStatus.GOING)
            if status == AttendeeStatus.GOING:
                if queue_ahead or free < 1:
                    status, queue_ahead = AttendeeStatus.WAITING, True
                else:
                    free -= 1
            attendee = stage_attendee(event, row.name, row.email, status,
                                       organisation=row.organisation, role=row.role)
            # Each one behind the last: the waiting list keeps the file's order.
            seats.registration(attendee).waiting_since = (
                utcnow() if status == AttendeeStatus.WAITING else None)
            placed[status] = placed.get(status, 0) + 1
    return placed


@bp.route("/events/<int:event_id>/questions", methods=["GET", "POST"])
@login_required
def questions(event_id: int):
    event = event_for_hosts(event_id)
    errors = []
    if request.method == "POST":
        form = forms.QuestionForm(request.form)
        if not form.validate():
            errors = [str(message) for messages in form.errors.values() for message in messages]
        else:
            kind = form.kind.data
            position = db.session.scalar(select(func.count()).where(
                RsvpQuestion.event_id == event.id))
            db.session.add(RsvpQuestion(event_id=event.id, label=form.label.data, kind=kind,
                                        choices=form.choices.data if kind == "choice" else [],
                                        required=form.required.data, position=position))
            commit()
            flash(_("Question added. It shows on the RSVP form now."), "success")
            return redirect(url_for("rsvp_host.questions", event_id=event.id))
    return render_template("rsvp/questions.html", event=event, errors=errors,
                           questions=answers_mod.questions(event), kinds=QUESTION_KINDS,
                           form=request.form), 422 if errors else 200


@bp.route("/events/<int:event_id>/questions/<int:question_id>/delete", methods=["POST"])
@login_required
def delete_question(event_id: int, question_id: int):
    event = event_for_hosts(event_id)
    question = db.session.get(RsvpQuestion, question_id)
    if question is not None and question.event_id == event.id:
        db.session.delete(question)
        commit()
        flash(_("Question removed."), "success")
    return redirect(url_for("rsvp_host.questions", event_id=event.id))
