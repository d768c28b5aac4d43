"""Follow-up pages: the host's settings, previews, sending, ZIP, report and CSV; the
attendee's PDF and their choice about follow-up mail."""
from __future__ import annotations

from flask import (Blueprint, Response, abort, flash, redirect, render_template, request,
                   url_for)
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from organizer.plugin_api import (Attendee, Event, attendee_blueprint, attendee_of_event_or_404,
                                  db, event_for_hosts, format_number, gettext as _, ngettext,
                                  pdf_response, submit_job, utcnow)

from . import content, documents, forms, sending
from .models import Preference, Settings

bp = Blueprint("followup", __name__, template_folder="templates")
# The attendee's own follow-up, behind their private link.
mine = attendee_blueprint("followup_mine", __name__)


def _save(event: Event, settings, recipients: str, message: str, resources: str) -> None:
    settings.recipients, settings.message, settings.resources = recipients, message, resources
    db.session.add(settings)
    try:
        db.session.commit()
    except IntegrityError:
        # A co-host saved the event's first settings at the same moment:
        # this save goes over theirs, as it would a moment later.
        db.session.rollback()
        stored = db.session.get(Settings, event.id)
        stored.recipients, stored.message, stored.resources = recipients, message, resources
        db.session.commit()


def is_over(event: Event) -> bool:
    """Follow-ups exist once the event has ended or the host closed it."""
    settings = content.settings_of(event)
    return settings.closed_at is not None or event.ends_at <= utcnow()


@bp.route("/events/<int:event_id>/followup", methods=["GET", "POST"])
@login_required
def page(event_id: int):
    event = event_for_hosts(event_id)
    settings = content.settings_of(event)
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = forms.SettingsForm(request.form)
        if not form.validate():
            errors = {name: messages[-1] for name, messages in form.errors.items()}
        else:
            _save(event, settings, form.recipients.data, form.message.data,
                  form.resources.data)
            flash(_("Saved. Preview a follow-up below before you send."), "success")
            return redirect(url_for("followup.page", event_id=event.id))
        flash(_("Not saved: see below."), "error")
    people = content.recipients(event, settings)
    return render_template("followup/host.html", event=event, settings=settings, people=people,
                           delivery=sending.states(event), opted_out=sending.opted_out(event),
                           errors=errors, form=request.form if errors else None,
                           over=is_over(event),
                           started=event.status == "published" and event.starts_at <= utcnow()
                           ), 400 if errors else 200


@bp.route("/events/<int:event_id>/followup/preview/<int:attendee_id>.pdf")
@login_required
def preview(event_id: int, attendee_id: int):
    event = event_for_hosts(event_id)
    person = attendee_of_event_or_404(event, attendee_id)
    data = documents.personal_pdf(content.build(person))
    return pdf_response(data, f"followup-{person.id}.pdf", download=False)


@bp.route("/events/<int:event_id>/followup/send", methods=["POST"])
@login_required
def send(event_id: int):
    event = event_for_hosts(event_id)
    if event.status != "published":
        flash(_("Only a published event has follow-ups."), "error")
        return redirect(url_for("followup.page", event_id=event.id))
    if utcnow() < event.starts_at:
        flash(_("The event has not started yet: follow-ups go out once it is under way "
                "(and by themselves when it ends)."), "error")
        return redirect(url_for("followup.page", event_id=event.id))
    queued = sending.close(event)
    if queued:
        flash(ngettext("Follow-ups for %(count)s person are on their way. Follow their "
                       "delivery below.",
                       "Follow-ups for %(count)s people are on their way. Follow their "
                       "delivery below.", queued, count=format_number(queued)), "success")
    else:
        flash(_("Everyone has had their follow-up already (nobody gets two)."), "info")
    return redirect(url_for("messages.show", event_id=event.id))


@bp.route("/events/<int:event_id>/followup/zip", methods=["POST"])
@login_required
def bulk(event_id: int):
    event = event_for_hosts(event_id)
    job = submit_job("followup.zip", {"event_id": event.id}, owner=current_user, event=event)
    return redirect(url_for("jobs.show", job_id=job.id))


@bp.route("/events/<int:event_id>/followup/report.pdf")
@login_required
def report(event_id: int):
    event = event_for_hosts(event_id)
    return pdf_response(documents.report_pdf(event), f"report-{event.slug}.pdf")


@bp.route("/events/<int:event_id>/followup/attendees.csv")
@login_required
def attendee_list(event_id: int):
    event = event_for_hosts(event_id)
    return Response(documents.attendee_csv(event), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="attendees-{event.slug}.csv"'})


@mine.route("/followup.pdf")
def own(attendee: Attendee):
    person = attendee
    settings = content.settings_of(person.event)
    if person.event.status != "published" or not is_over(person.event) \
            or not content.attended(person, settings):
        abort(404)
    return pdf_response(documents.personal_pdf(content.build(person, settings)),
                        f"followup-{person.event.slug}.pdf")


@mine.route("/followup/mail", methods=["POST"])
def mail_choice(attendee: Attendee):
    person = attendee
    form = forms.MailChoiceForm(request.form)
    if not form.validate():
        abort(400, form.wanted.errors[0])
    wanted = form.wanted.data == "1"
    found = db.session.get(Preference, person.id)
    if found is None:
        found = Preference(attendee_id=person.id)
        db.session.add(found)
    found.opted_out = not wanted
    db.session.commit()
    flash(_("You'll get a follow-up after the event.") if wanted
          else _("No follow-up mail for you: you can still download it here."), "success")
    return redirect(url_for("attendee.page", token=person.token) + "#followup")


def panel(person: Attendee) -> str:
    event = person.event
    settings = content.settings_of(event)
    preference = db.session.get(Preference, person.id)
    return render_template("followup/panel.html", person=person,
                           ready=event.status == "published" and is_over(event)
                           and content.attended(person, settings),
                           opted_out=bool(preference and preference.opted_out))
