"""A diverse mix: on a seeded community whose fields each talk among themselves, the
preference raises the share of cross-field and newcomer–regular pairs over the plain run of
the same people, and the draft shows both."""
from __future__ import annotations

from sqlalchemy import select

from organizer.db import db
from organizer.models import Event

from ..community import join, seed
from ..conftest import post, signin


def _next_date(app):
    community = seed(dates=12, people=200, regulars=40)
    everyone_before = {n for e in community.dates for n in community.came[e]}
    regulars = [n for n in range(40) if sum(n in community.came[e]
                                           for e in community.dates) >= 3][:30]
    newcomers = [n for n in community.people if n not in everyone_before][:20]
    event = db.session.get(Event, community.upcoming[0])
    join(community, event.id, regulars + newcomers)
    return community, event, set(regulars), set(newcomers)


def test_the_preference_raises_cross_field_and_newcomer_regular_pairs(app):
    from organizer_plugins.matching import runs
    community, event, regulars, newcomers = _next_date(app)
    setup = runs.setup_of(event)
    plain = runs.compute(event, setup)
    setup.mix_fields = setup.mix_newcomers = True
    diverse = runs.compute(event, setup)
    mix = diverse.mix
    # The draft's own numbers agree with the pairs it holds.
    field_of = {community.going[event.id][n]: community.people[n][3]
                for n in community.going[event.id]}
    pairs = [g["members"] for g in diverse.rounds[0] if len(g["members"]) == 2]
    assert abs(mix["cross_field"] - sum(field_of[a] != field_of[b] for a, b in pairs)
               / len(pairs)) < 0.05  # (a trio, if any, counts its three pairs)
    assert plain.mix == {}  # nothing to compare without a preference
    print(f"cross-field {mix['cross_field_plain']:.0%} -> {mix['cross_field']:.0%}, "
          f"newcomer-regular {mix['newcomer_regular_plain']:.0%} -> "
          f"{mix['newcomer_regular']:.0%}")
    assert mix["cross_field"] >= mix["cross_field_plain"] + 0.25
    assert mix["newcomer_regular"] >= mix["newcomer_regular_plain"] + 0.15
    newcomer_ids = {community.going[event.id][n] for n in newcomers}
    regular_ids = {community.going[event.id][n] for n in regulars}
    mixed = sum(bool({a, b} & newcomer_ids) and bool({a, b} & regular_ids) for a, b in pairs)
    assert mixed >= 0.6 * len(newcomer_ids)  # most newcomers sit with a regular


def test_the_host_sets_the_preference_and_the_draft_shows_what_it_did(app):
    community, event, _, _ = _next_date(app)
    host = app.test_client()
    from organizer.models import Host
    email = db.session.scalar(select(Host.email))
    signin(host, email, "a community passphrase")
    page = f"/events/{event.id}/matching"
    assert post(host, f"{page}/setup", {"mode": "pairs", "group_size": "4", "rounds": "1",
                                        "slot_minutes": "20", "same_org": "avoid",
                                        "mix_fields": "1", "mix_newcomers": "1"},
                page=page).status_code == 302
    assert post(host, f"{page}/run", page=page).status_code == 302
    html = host.get(page).text
    assert "What the diverse mix changed" in html
    assert "from different fields" in html and "a newcomer with a regular" in html
    assert 'name="mix_fields" value="1" checked' in html
