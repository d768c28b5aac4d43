"""The host's matching page: set-up, rules, run, preview with reasons, lock/swap/remove, publish."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import select

from organizer.plugin_api import (Attendee, AttendeeStatus, attendee_of_event_or_404, db,
                                  event_for_hosts, gettext as _, ngettext, own_transactions,
                                  utcnow)

from . import explain, forms, nudges, profiles, runs
from .errors import MatchingError
from .models import Rule

bp = Blueprint("matching_host", __name__, template_folder="templates")


def _page(event_id: int):
    return url_for("matching_host.page", event_id=event_id)


@bp.route("/events/<int:event_id>/matching")
@login_required
def page(event_id: int, errors: dict | None = None, status: int = 200):
    event = event_for_hosts(event_id)
    setup = runs.setup_of(event)
    people = runs.participants(event, setup)
    names = {a.id: a for a, _ in people}
    run = runs.draft(event)
    shown = run or runs.published(event)
    detail = {}
    if shown is not None:
        by_id = {a.id: (a, p) for a, p in people}
        for round_ in shown.rounds:
            for group in round_:
                for member in group["members"]:
                    if member not in by_id:
                        person = db.session.get(Attendee, member)
                        by_id[member] = (person, profiles.of(person))
        scored = {k: profiles.for_matching(a, p) for k, (a, p) in by_id.items()}
        names = {k: a for k, (a, _) in by_id.items()}
        for r, round_ in enumerate(shown.rounds):
            for g, group in enumerate(round_):
                members = group["members"]
                reasons = []
                for i, a in enumerate(members):
                    for b in members[i + 1:]:
                        reasons += explain.for_host(scored[a], scored[b])
                detail[(r, g)] = reasons
    everyone = db.session.scalars(select(Attendee).where(
        Attendee.event_id == event.id, Attendee.status == AttendeeStatus.GOING)
        .order_by(Attendee.name)).all()
    missing, asked = nudges.without_profile(event, [a for a, _ in people])
    return render_template(
        "matching/host.html", event=event, setup=setup, people=people, run=run, shown=shown,
        names=names, detail=detail, rules=runs.rules(event), everyone=everyone,
        missing=missing, asked=asked, strength=explain.strength,
        profiles_count=profiles.count(event.id), errors=errors or {},
        excluded=[a for a in (db.session.get(Attendee, i) for i in setup.excluded or [])
                  if a is not None and a.event_id == event.id]), status


@bp.route("/events/<int:event_id>/matching/setup", methods=["POST"])
@login_required
def save_setup(event_id: int):
    event = event_for_hosts(event_id)
    setup = runs.setup_of(event)
    form = forms.SetupForm(request.form)
    if not form.validate():
        flash(_("The set-up was not saved: see below."), "error")
        return page(event_id, {name: messages[0] for name, messages in form.errors.items()},
                    400)
    setup.mode, setup.group_size, setup.rounds = form.mode.data, form.group_size.data, \
        form.rounds.data
    setup.slot_minutes, setup.same_org = form.slot_minutes.data, form.same_org.data
    setup.checked_in_only = form.checked_in_only.data
    setup.mix_fields, setup.mix_newcomers = form.mix_fields.data, form.mix_newcomers.data
    db.session.add(setup)
    db.session.commit()
    flash(_("Set-up saved."), "success")
    return redirect(_page(event.id))


@bp.route("/events/<int:event_id>/matching/rules", methods=["POST"])
@login_required
def add_rule(event_id: int):
    event = event_for_hosts(event_id)
    form = forms.RuleForm(request.form)
    valid = form.validate()
    kind, first, second = form.kind.data, form.first.data, form.second.data
    going = {a.id for a in db.session.scalars(select(Attendee).where(
        Attendee.event_id == event.id, Attendee.status == AttendeeStatus.GOING))}
    if not valid:
        flash(next(iter(form.errors.values()))[0], "error")
    elif first not in going or second not in going:
        flash(_("Choose two people from the guest list."), "error")
    elif first == second:
        flash(_("Choose two different people."), "error")
    else:
        a, b = sorted((first, second))
        existing = db.session.scalar(select(Rule).where(
            Rule.event_id == event.id, Rule.first_id == a, Rule.second_id == b))
        if existing is not None and existing.kind != kind:
            flash(_("These two already have the opposite rule; remove it first."), "error")
        elif existing is None:
            db.session.add(Rule(event_id=event.id, kind=kind, first_id=a, second_id=b))
            db.session.commit()
            flash(_("Rule added. Run matching again to apply it."), "success")
    return redirect(_page(event.id))


@bp.route("/events/<int:event_id>/matching/rules/<int:rule_id>/remove", methods=["POST"])
@login_required
def remove_rule(event_id: int, rule_id: int):
    event = event_for_hosts(event_id)
    rule = db.session.get(Rule, rule_id)
    if rule is None or rule.event_id != event.id:
        abort(404)
    db.session.delete(rule)
    db.session.commit()
    flash(_("Rule removed."), "success")
    return redirect(_page(event.id))


def _rerun(event, setup) -> None:
    runs.store_draft(event, runs.compute(event, setup, previous=runs.draft(event)))


@bp.route("/events/<int:event_id>/matching/run", methods=["POST"])
@login_required
@own_transactions  # matching may take seconds: the write lock is taken only to store the draft
def run(event_id: int):
    event = event_for_hosts(event_id)
    setup = runs.setup_of(event)
    try:
        _rerun(event, setup)
    except MatchingError as exc:
        flash(str(exc), "error")
        return page(event_id, {"run": str(exc)}, 400)
    flash(_("Here is a draft. Check it, lock the groups you like, and run again or publish."),
          "success")
    return redirect(_page(event.id) + "#draft")


def _draft_or_404(event):
    found = runs.draft(event)
    if found is None:
        abort(404)
    return found


@bp.route("/events/<int:event_id>/matching/lock", methods=["POST"])
@login_required
def lock(event_id: int):
    event = event_for_hosts(event_id)
    found = _draft_or_404(event)
    form = forms.GroupForm(request.form)
    if not form.validate() or form.round.data >= len(found.rounds) \
            or form.group.data >= len(found.rounds[form.round.data]):
        abort(400, _("That group is not in the draft."))
    r, g = form.round.data, form.group.data
    if r != 0:
        abort(400, _("Pairs and tables can be locked in the first round; for later rounds, "
                     "swap people."))
    try:
        locked = runs.toggle_lock(found, r, g)
    except MatchingError as exc:
        flash(str(exc), "error")
    else:
        flash(_("Locked: it stays when you run again.") if locked else _("Unlocked."),
              "success")
    return redirect(_page(event.id) + "#draft")


@bp.route("/events/<int:event_id>/matching/swap", methods=["POST"])
@login_required
def swap(event_id: int):
    event = event_for_hosts(event_id)
    found = _draft_or_404(event)
    form = forms.SwapForm(request.form)
    try:
        if not form.validate() or form.round.data >= len(found.rounds):
            raise MatchingError(_("Choose a round and two people to swap."))
        runs.swap(found, event, runs.setup_of(event), form.round.data, form.first.data,
                  form.second.data)
    except MatchingError as exc:
        flash(str(exc), "error")
    else:
        flash(_("Swapped."), "success")
    return redirect(_page(event.id) + "#draft")


@bp.route("/events/<int:event_id>/matching/remove", methods=["POST"])
@login_required
@own_transactions
def remove_person(event_id: int):
    """Take someone out of matching (they left early, say) and re-run, keeping locked groups.

    The new draft is made first; only when it works are the exclusion and the
    draft stored together, so a failure leaves everything as it was.
    """
    event = event_for_hosts(event_id)
    setup = runs.setup_of(event)
    form = forms.PersonForm(request.form)
    person = attendee_of_event_or_404(event, form.attendee_id.data if form.validate() else None)
    setup.excluded = sorted(set(setup.excluded or []) | {person.id})
    old = runs.draft(event)
    fresh = None
    if old is not None:
        try:
            fresh = runs.compute(event, setup, previous=old)
        except MatchingError as exc:
            db.session.rollback()
            flash(_("%(name)s was not taken out: %(reason)s", name=person.name, reason=str(exc)),
                  "error")
            return redirect(_page(event.id))
    db.session.add(setup)
    if fresh is not None:
        runs.store_draft(event, fresh)  # commits the exclusion with the new draft
    else:
        db.session.commit()
    flash(_("%(name)s is out of matching; the draft was made again without them.",
            name=person.name) if fresh
          else _("%(name)s is out of matching.", name=person.name), "success")
    return redirect(_page(event.id) + "#draft")


@bp.route("/events/<int:event_id>/matching/include", methods=["POST"])
@login_required
def include_person(event_id: int):
    event = event_for_hosts(event_id)
    setup = runs.setup_of(event)
    form = forms.PersonForm(request.form)
    person = form.attendee_id.data if form.validate() else None
    setup.excluded = [i for i in setup.excluded or [] if i != person]
    db.session.add(setup)
    db.session.commit()
    flash(_("They take part again. Run matching to include them."), "success")
    return redirect(_page(event.id))


@bp.route("/events/<int:event_id>/matching/nudge", methods=["POST"])
@login_required
def nudge(event_id: int):
    """Mail the people taking part without a profile, once each."""
    event = event_for_hosts(event_id)
    if event.status != "published" or event.ends_at <= utcnow():
        flash(_("Reminders go out for published events that are still ahead."), "error")
        return redirect(_page(event.id))
    people = [a for a, _ in runs.participants(event, runs.setup_of(event))]
    sent = nudges.send(event, people)
    flash(ngettext("Asked %(num)d person to fill in a profile.",
                   "Asked %(num)d people to fill in a profile.", sent)
          if sent else _("Everyone without a profile has been asked already."), "success")
    return redirect(_page(event.id) + "#profiles")


@bp.route("/events/<int:event_id>/matching/publish", methods=["POST"])
@login_required
def publish(event_id: int):
    event = event_for_hosts(event_id)
    found = _draft_or_404(event)
    try:
        if not runs.publish(found, event, runs.setup_of(event)):
            flash(_("This draft was already published."), "info")
            return redirect(_page(event.id))
    except MatchingError as exc:
        flash(str(exc), "error")
        return redirect(_page(event.id) + "#draft")
    flash(_("Published: everyone's introduction is on its way. Follow the mail below."),
          "success")
    return redirect(url_for("messages.show", event_id=event.id))
