"""The host's matching page: set-up, rules, run, preview with reasons, lock/swap/remove, publish."""
from __future__ import annotations

import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import select

from organizer.plugin_api import (Attendee, AttendeeStatus, attendee_of_event_or_404, db,
                                  event_for_hosts, own_transactions)

from . import explain, profiles, runs
from .errors import MatchingError
from .models import Rule

bp = Blueprint("matching_host", __name__, template_folder="templates")
ID_RE = re.compile(r"[0-9]{1,12}")
SMALL_RE = re.compile(r"[0-9]{1,4}")  # ASCII digits only: "²" is a digit to str.isdigit
MAX_ROUNDS = 12
MAX_GROUP = 20


def _page(event_id: int):
    return url_for("matching_host.page", event_id=event_id)


def _int(name: str, low: int, high: int, label: str, errors: dict) -> int | None:
    raw = (request.form.get(name) or "").strip()
    if not SMALL_RE.fullmatch(raw) or not low <= int(raw) <= high:
        errors[name] = f"{label}: a whole number from {low} to {high}."
        return None
    return int(raw)


def _attendee_id(name: str) -> int | None:
    raw = request.form.get(name, "")
    return int(raw) if ID_RE.fullmatch(raw) else None


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
    return render_template(
        "matching/host.html", event=event, setup=setup, people=people, run=run, shown=shown,
        names=names, detail=detail, rules=runs.rules(event), everyone=everyone,
        profiles_count=profiles.count(event.id), errors=errors or {},
        excluded=[a for a in (db.session.get(Attendee, i) for i in setup.excluded or [])
                  if a is not None and a.event_id == event.id]), status


@bp.route("/events/<int:event_id>/matching/setup", methods=["POST"])
@login_required
def save_setup(event_id: int):
    event = event_for_hosts(event_id)
    setup = runs.setup_of(event)
    errors: dict[str, str] = {}
    mode = request.form.get("mode")
    if mode not in ("pairs", "groups"):
        errors["mode"] = "Choose pairs or groups."
    size = _int("group_size", 2, MAX_GROUP, "People per group", errors)
    rounds = _int("rounds", 1, MAX_ROUNDS, "Rounds", errors)
    minutes = _int("slot_minutes", 5, 240, "Minutes per round", errors)
    same_org = request.form.get("same_org")
    if same_org not in ("avoid", "allow"):
        errors["same_org"] = "Choose whether colleagues may be matched."
    if errors:
        flash("The set-up was not saved: see below.", "error")
        return page(event_id, errors, 400)
    setup.mode, setup.group_size, setup.rounds = mode, size, rounds
    setup.slot_minutes, setup.same_org = minutes, same_org
    setup.checked_in_only = bool(request.form.get("checked_in_only"))
    db.session.add(setup)
    db.session.commit()
    flash("Set-up saved.", "success")
    return redirect(_page(event.id))


@bp.route("/events/<int:event_id>/matching/rules", methods=["POST"])
@login_required
def add_rule(event_id: int):
    event = event_for_hosts(event_id)
    kind = request.form.get("kind")
    first, second = _attendee_id("first"), _attendee_id("second")
    going = {a.id for a in db.session.scalars(select(Attendee).where(
        Attendee.event_id == event.id, Attendee.status == AttendeeStatus.GOING))}
    if kind not in ("must", "never"):
        flash("Choose “must meet” or “must not meet”.", "error")
    elif first not in going or second not in going:
        flash("Choose two people from the guest list.", "error")
    elif first == second:
        flash("Choose two different people.", "error")
    else:
        a, b = sorted((first, second))
        existing = db.session.scalar(select(Rule).where(
            Rule.event_id == event.id, Rule.first_id == a, Rule.second_id == b))
        if existing is not None and existing.kind != kind:
            flash("These two already have the opposite rule; remove it first.", "error")
        elif existing is None:
            db.session.add(Rule(event_id=event.id, kind=kind, first_id=a, second_id=b))
            db.session.commit()
            flash("Rule added. Run matching again to apply it.", "success")
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
    flash("Rule removed.", "success")
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
    flash("Here is a draft. Check it, lock the groups you like, and run again or publish.",
          "success")
    return redirect(_page(event.id) + "#draft")


def _draft_or_404(event):
    found = runs.draft(event)
    if found is None:
        abort(404)
    return found


def _position(found, name: str, count: int) -> int | None:
    raw = request.form.get(name, "")
    return int(raw) if SMALL_RE.fullmatch(raw) and int(raw) < count else None


@bp.route("/events/<int:event_id>/matching/lock", methods=["POST"])
@login_required
def lock(event_id: int):
    event = event_for_hosts(event_id)
    found = _draft_or_404(event)
    r = _position(found, "round", len(found.rounds))
    g = _position(found, "group", len(found.rounds[r]) if r is not None else 0)
    if r is None or g is None:
        abort(400, "That group is not in the draft.")
    if found.mode != "pairs" or r != 0:
        abort(400, "Groups can be locked in the first round of pairs; for tables, run again "
                   "or swap people.")
    try:
        locked = runs.toggle_lock(found, r, g)
    except MatchingError as exc:
        flash(str(exc), "error")
    else:
        flash("Locked: it stays when you run again." if locked else "Unlocked.", "success")
    return redirect(_page(event.id) + "#draft")


@bp.route("/events/<int:event_id>/matching/swap", methods=["POST"])
@login_required
def swap(event_id: int):
    event = event_for_hosts(event_id)
    found = _draft_or_404(event)
    r = _position(found, "round", len(found.rounds))
    first, second = _attendee_id("first"), _attendee_id("second")
    try:
        if r is None or first is None or second is None:
            raise MatchingError("Choose a round and two people to swap.")
        runs.swap(found, event, runs.setup_of(event), r, first, second)
    except MatchingError as exc:
        flash(str(exc), "error")
    else:
        flash("Swapped.", "success")
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
    person = attendee_of_event_or_404(event, _attendee_id("attendee_id"))
    setup.excluded = sorted(set(setup.excluded or []) | {person.id})
    old = runs.draft(event)
    fresh = None
    if old is not None:
        try:
            fresh = runs.compute(event, setup, previous=old)
        except MatchingError as exc:
            db.session.rollback()
            flash(f"{person.name} was not taken out: {exc}", "error")
            return redirect(_page(event.id))
    db.session.add(setup)
    if fresh is not None:
        runs.store_draft(event, fresh)  # commits the exclusion with the new draft
    else:
        db.session.commit()
    flash(f"{person.name} is out of matching"
          + ("; the draft was made again without them." if fresh else "."), "success")
    return redirect(_page(event.id) + "#draft")


@bp.route("/events/<int:event_id>/matching/include", methods=["POST"])
@login_required
def include_person(event_id: int):
    event = event_for_hosts(event_id)
    setup = runs.setup_of(event)
    person = _attendee_id("attendee_id")
    setup.excluded = [i for i in setup.excluded or [] if i != person]
    db.session.add(setup)
    db.session.commit()
    flash("They take part again. Run matching to include them.", "success")
    return redirect(_page(event.id))


@bp.route("/events/<int:event_id>/matching/publish", methods=["POST"])
@login_required
def publish(event_id: int):
    event = event_for_hosts(event_id)
    found = _draft_or_404(event)
    try:
        if not runs.publish(found, event, runs.setup_of(event)):
            flash("This draft was already published.", "info")
            return redirect(_page(event.id))
    except MatchingError as exc:
        flash(str(exc), "error")
        return redirect(_page(event.id) + "#draft")
    flash("Published: everyone's introduction is on its way. Follow the mail below.", "success")
    return redirect(url_for("messages.show", event_id=event.id))
