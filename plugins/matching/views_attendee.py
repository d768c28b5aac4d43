"""The attendee's side, reached through their private RSVP link: profile, matches, requests."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from organizer.plugin_api import AttendeeStatus, attendee_blueprint

from . import forms, intros, profiles, runs
from .models import SHAREABLE

bp = attendee_blueprint("matching", __name__, template_folder="templates")


@bp.route("/profile", methods=["GET", "POST"])
def profile(attendee):
    person = attendee
    if person.status not in (AttendeeStatus.GOING, AttendeeStatus.WAITING, AttendeeStatus.PENDING):
        # An old page sent after cancelling, say: say why, on the person's page.
        flash("You're not on the list for this event any more, so there is no networking "
              "profile to fill in.", "info")
        return redirect(url_for("attendee.page", token=person.token), 303)
    sub = None
    if request.method == "POST":
        sub = profiles.read(request.form)
        if not sub.errors:
            profiles.save(person, sub)
            flash("Your profile is saved." if not sub.opted_out
                  else "Saved: you will not be matched at this event.", "success")
            return redirect(url_for("attendee.page", token=person.token))
    return render_template("matching/profile.html", person=person, event=person.event,
                           profile=profiles.of(person), sub=sub, shareable=SHAREABLE,
                           suggestions=profiles.suggestions(person.event_id)), \
        422 if sub is not None else 200


@bp.route("/introductions", methods=["POST"])
def ask(attendee):
    person = attendee
    form = forms.IntroForm(request.form)
    try:
        if not form.validate():
            raise intros.IntroError(form.attendee_id.errors[0])
        sent = intros.ask(person, form.attendee_id.data, form.message.data)
    except intros.IntroError as exc:
        flash(str(exc), "error")
    else:
        flash(f"We've asked {sent.receiver.name}. You'll hear by mail if they accept.", "success")
    return redirect(url_for("attendee.page", token=person.token) + "#matching")


@bp.route("/introductions/<int:request_id>", methods=["POST"])
def decide(attendee, request_id: int):
    person = attendee
    accept = forms.DecideForm(request.form).accepted
    try:
        done = intros.decide(person, request_id, accept)
    except intros.IntroError as exc:
        flash(str(exc), "error")
    else:
        flash(f"You and {done.sender.name} are introduced: check your mail." if accept
              else "Declined. Nothing about you was shared.", "success")
    return redirect(url_for("attendee.page", token=person.token) + "#matching")


def panel(person) -> str:
    """The matching block on the attendee's RSVP page."""
    profile_row = profiles.of(person)
    me = profiles.for_matching(person, profile_row)
    groups = []
    for round_no, others in runs.matches_of(person):
        people = []
        for other in others:
            other_profile = profiles.of(other)
            people.append({"shared": profiles.shared_view(other, other_profile),
                           "reasons": intros.explain.for_attendee(
                               me, profiles.for_matching(other, other_profile), other_profile)})
        groups.append({"round": round_no, "people": people})
    requests = intros.requests_of(person)
    accepted = []
    for req in requests["sent"] + requests["received"]:
        if req.status == "accepted":
            other = req.receiver if req.from_id == person.id else req.sender
            accepted.append(profiles.shared_view(other, profiles.of(other)))
    asked = {req.to_id for req in requests["sent"]}
    return render_template("matching/panel.html", person=person, profile=profile_row,
                           groups=groups, requests=requests, accepted=accepted,
                           candidates=[a for a in intros.candidates(person) if a.id not in asked]
                           if profile_row is not None and not profile_row.opted_out else [])
