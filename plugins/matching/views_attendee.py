"""The attendee's side, reached through their private RSVP link: profile, matches, requests."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from organizer.plugin_api import AttendeeStatus, attendee_blueprint, attendee_page, gettext as _

from . import board, forms, intros, profiles, runs
from .models import SHAREABLE

bp = attendee_blueprint("matching", __name__, template_folder="templates")


@bp.route("/profile", methods=["GET", "POST"])
def profile(attendee):
    person = attendee
    if person.status not in (AttendeeStatus.GOING, AttendeeStatus.WAITING, AttendeeStatus.PENDING):
        # An old page sent after cancelling, say: say why, on the person's page.
        flash(_("You're not on the list for this event any more, so there is no networking "
                "profile to fill in."), "info")
        return redirect(url_for("attendee.page", token=person.token), 303)
    sub = None
    if request.method == "POST":
        sub = profiles.read(request.form)
        if not sub.errors:
            profiles.save(person, sub)
            flash(_("Your profile is saved.") if not sub.opted_out
                  else _("Saved: you will not be matched at this event."), "success")
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
        flash(_("We've asked %(name)s. You'll hear by mail if they accept.",
                name=sent.receiver.name), "success")
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
        flash(_("You and %(name)s are introduced: check your mail.", name=done.sender.name)
              if accept else _("Declined. Nothing about you was shared."), "success")
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


@bp.route("/board", methods=["POST"])
def post_on_board(attendee):
    try:
        board.post(attendee, request.form.get("kind", ""), request.form.get("text", ""))
    except board.BoardError as exc:
        # The page again, with what they wrote and why it was not posted.
        g.matching_board = {"error": str(exc), "kind": request.form.get("kind", ""),
                            "text": request.form.get("text", "")[:1000]}
        return attendee_page(attendee, 422)
    flash(_("Posted on the board. Answers come to you as introduction requests: you choose "
            "whom to meet."), "success")
    return redirect(url_for("attendee.page", token=attendee.token) + "#board")


@bp.route("/board/<int:post_id>/withdraw", methods=["POST"])
def withdraw_from_board(attendee, post_id: int):
    try:
        board.withdraw(attendee, post_id)
    except board.BoardError as exc:
        flash(str(exc), "error")
    else:
        flash(_("Taken down from the board."), "success")
    return redirect(url_for("attendee.page", token=attendee.token) + "#board")


@bp.route("/board/<int:post_id>/answer", methods=["POST"])
def answer_on_board(attendee, post_id: int):
    try:
        sent = board.answer(attendee, post_id, request.form.get("how", ""))
    except board.BoardError as exc:
        flash(str(exc), "error")
    else:
        flash(_("We've told %(name)s. If they accept, you are introduced by mail.",
                name=sent.receiver.name), "success")
    return redirect(url_for("attendee.page", token=attendee.token) + "#board")


def board_panel(person) -> str:
    """The event's board on the attendee's page: others' asks and offers, and theirs."""
    # Shown only to people taking part, as posts are shared only with them.
    taking_part = board.open_for(person)
    everything = board.posts(person.event_id) if taking_part else []
    asked = {req.to_id for req in intros.requests_of(person)["sent"]}
    return render_template("matching/board.html", person=person, kinds=board.KINDS,
                           mine=[p for p in everything if p.attendee_id == person.id],
                           others=[p for p in everything if p.attendee_id != person.id],
                           asked=asked, can_post=taking_part,
                           form=g.get("matching_board"), max_text=board.MAX_TEXT)
