"""The matching algorithms: scores, pairs (against exact optima) and multi-round tables."""
from __future__ import annotations

import dataclasses
import itertools
import math
import random

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from organizer_plugins.matching.errors import MatchingError
from organizer_plugins.matching.pairing import pair
from organizer_plugins.matching.scoring import (
    DIVERSE_WEIGHTS,
    FORBIDDEN,
    Profile,
    Weights,
    reasons,
    score,
    score_matrix,
)
from organizer_plugins.matching.table_rounds import (
    constructed_rounds,
    plan_tables,
    table_sizes,
)

SKILLS = ["fundraising", "hiring", "design", "python", "sales", "mentoring"]
TOPICS = ["climbing", "ai", "jazz", "chess", "poetry", "cycling", "film", "wine"]


def person(key: int, **fields) -> Profile:
    return Profile(key, fields.pop("name", f"P{key}"), fields.pop("interests", frozenset()),
                   **fields)


def population(n: int, seed: int, orgs: int = 0) -> list[Profile]:
    """Random profiles from small vocabularies (many ties, like real events)."""
    rng = random.Random(seed)
    return [Profile(i, f"P{i}", frozenset(rng.sample(TOPICS, rng.randint(0, 3))),
                    field=rng.choice(["", "climate", "finance", "health"]),
                    organisation=f"org{rng.randrange(orgs)}" if orgs else "",
                    offers=frozenset(rng.sample(SKILLS, rng.randint(0, 2))),
                    seeks=frozenset(rng.sample(SKILLS, rng.randint(0, 2))))
            for i in range(n)]


def group_total(matrix: np.ndarray, groups: list[tuple[int, ...]]) -> float:
    """Summed pair scores of groups of keys, where keys are matrix indices."""
    return sum(float(matrix[a, b]) for g in groups for a, b in itertools.combinations(g, 2))


def exact_pairs(matrix: np.ndarray) -> float | None:
    """networkx's maximum-weight perfect matching value, or None when none is perfect."""
    n = len(matrix)
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    for a, b in itertools.combinations(range(n), 2):
        if np.isfinite(matrix[a, b]):
            graph.add_edge(a, b, weight=float(matrix[a, b]) + 100.0)  # shift keeps optimum
    found = nx.max_weight_matching(graph, maxcardinality=True)
    if 2 * len(found) != n:
        return None
    return sum(float(matrix[a, b]) for a, b in found)


def brute_force(matrix: np.ndarray, people: tuple[int, ...]) -> float | None:
    """Best cover by pairs plus one trio when odd, trying every arrangement."""
    if not people:
        return 0.0
    first, rest = people[0], people[1:]
    best = None
    shapes = [(j,) for j in rest]
    if len(people) % 2:
        shapes += list(itertools.combinations(rest, 2))
    for others in shapes:
        group = (first, *others)
        value = sum(float(matrix[a, b]) for a, b in itertools.combinations(group, 2))
        if not math.isfinite(value):
            continue
        below = brute_force(matrix, tuple(v for v in rest if v not in others))
        if below is not None and (best is None or value + below > best):
            best = value + below
    return best


def greedy(matrix: np.ndarray) -> float:
    """Heaviest pair first: the baseline the optimiser has to beat."""
    taken: set[int] = set()
    total = 0.0
    edges = sorted(((float(matrix[a, b]), a, b) for a, b in
                    itertools.combinations(range(len(matrix)), 2)), reverse=True)
    for value, a, b in edges:
        if a not in taken and b not in taken:
            taken |= {a, b}
            total += value
    return total


def assert_partition(groups: list[tuple[int, ...]], keys: list[int]) -> None:
    members = [k for g in groups for k in g]
    assert sorted(members) == sorted(keys)


# -- profiles and scores ----------------------------------------------------------------


ANA = person(1, name="Ana", offers={"Fundraising"}, seeks={"hiring"},
             interests={"climbing", "AI"}, field="climate", languages={"en"})
BEN = person(2, name="Ben", offers={"hiring"}, seeks={"fundraising"},
             interests={"ai", "Climbing ", "chess"}, field="finance", languages={"en", "fr"})


def test_profiles_normalise_tags():
    assert ANA.offers == {"fundraising"}
    assert BEN.interests == {"ai", "climbing", "chess"}
    assert person(3, interests="  Rock   Climbing ").interests == {"rock climbing"}


def test_score_adds_the_parts():
    # 3 + 3 for offers/seeks both ways, 2 shared interests, 1 for different fields.
    assert score(ANA, BEN) == 9.0
    assert score(ANA, BEN, met_before=True) == 9.0 - 2.5
    assert score(ANA, BEN, Weights(forbid_met_before=True), met_before=True) == FORBIDDEN
    assert score(ANA, person(3, languages={"de"})) == FORBIDDEN
    assert score(ANA, person(3)) == 0.0  # no language listed: no rule


def test_reasons_are_sentences():
    assert reasons(ANA, BEN) == ["Ana can help Ben with fundraising",
                                 "Ben can help Ana with hiring",
                                 "both into ai, climbing",
                                 "different fields: climate / finance"]
    assert reasons(ANA, person(3, name="Cy")) == []


def test_score_matrix_matches_score():
    people = population(40, seed=1, orgs=5)
    met = {frozenset((0, 1)), frozenset((2, 3))}
    matrix = score_matrix(people, met_before=met, same_org="allow")
    for a, b in itertools.combinations(range(40), 2):
        assert matrix[a, b] == matrix[b, a] == score(people[a], people[b],
                                                     met_before=frozenset((a, b)) in met)
    assert np.all(np.isneginf(np.diag(matrix)))


def test_score_matrix_matches_score_with_the_diverse_weights():
    people = population(40, seed=2, orgs=5)
    people = [dataclasses.replace(p, tenure=("new", "regular", "")[i % 3])
              for i, p in enumerate(people)]
    matrix = score_matrix(people, DIVERSE_WEIGHTS, same_org="allow")
    for a, b in itertools.combinations(range(40), 2):
        assert matrix[a, b] == matrix[b, a] == score(people[a], people[b], DIVERSE_WEIGHTS)
    assert score(person(0, organisation="A", tenure="new"),
                 person(1, organisation="B", tenure="regular"), DIVERSE_WEIGHTS) == 4.5


def test_score_matrix_forbids_rules_and_colleagues():
    people = [person(0, organisation="Acme"), person(1, organisation="acme "),
              person(2, organisation="Other"), person(3)]
    matrix = score_matrix(people, forbidden={frozenset((2, 3))})
    assert matrix[0, 1] == FORBIDDEN  # same organisation, ignoring case
    assert matrix[2, 3] == matrix[3, 2] == FORBIDDEN
    assert np.isfinite(matrix[0, 2]) and np.isfinite(matrix[0, 3])
    assert np.isfinite(score_matrix(people, same_org="allow")[0, 1])


# -- pairs -----------------------------------------------------------------------------


def test_hand_made_case_beats_greedy():
    # Ana and Ben help each other (6), the best single pair; but then Cy and Di
    # have nothing to say (0). Ana–Cy and Ben–Di score 5 each: 10 beats 6.
    people = [
        person(0, name="Ana", offers={"fundraising"}, seeks={"hiring"}, interests={"jazz", "ai"}),
        person(1, name="Ben", offers={"hiring"}, seeks={"fundraising"},
               interests={"chess", "film"}),
        person(2, name="Cy", seeks={"fundraising"}, interests={"jazz", "ai"}),
        person(3, name="Di", seeks={"hiring"}, interests={"chess", "film"}),
    ]
    assert greedy(score_matrix(people)) == 6.0
    result = pair(people)
    assert result.groups == [(0, 2), (1, 3)]
    assert result.total == 10.0
    assert result.warnings == []


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(2, 12), seed=st.integers(0, 10**6), cuts=st.integers(0, 12))
def test_small_populations_reach_the_exact_optimum(n, seed, cuts):
    people = population(n, seed)
    rng = random.Random(seed)
    never = {frozenset(rng.sample(range(n), 2)) for _ in range(cuts)} if n > 2 else set()
    matrix = score_matrix(people, forbidden=never, same_org="allow")
    best = exact_pairs(matrix) if n % 2 == 0 else brute_force(matrix, tuple(range(n)))
    assume(best is not None)  # the cuts left some legal arrangement
    result = pair(people, must_not_meet=never, same_org="allow")
    assert_partition(result.groups, list(range(n)))
    assert sorted(map(len, result.groups)) == [2] * (n // 2 - n % 2) + [3] * (n % 2)
    assert result.total == pytest.approx(best)
    assert group_total(matrix, result.groups) == pytest.approx(best)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(13, 160), seed=st.integers(0, 10**6), cuts=st.integers(0, 40))
def test_everyone_is_placed_once_and_rules_hold(n, seed, cuts):
    people = population(n, seed, orgs=n // 6)
    rng = random.Random(seed)
    # At most n/3 cuts leave everyone free to meet most people, so pairs exist.
    never = {frozenset(rng.sample(range(n), 2)) for _ in range(min(cuts, n // 3))}
    never = {rule for rule in never if not rule <= {2, 3, 4}}
    must = {frozenset((0, 1))} - never
    result = pair(people, must_not_meet=never, must_meet=must, locked=[(2, 3, 4)],
                  same_org="allow")
    assert_partition(result.groups, list(range(n)))
    assert result.groups[0] == (2, 3, 4)
    assert any(set(g) >= {0, 1} for g in result.groups) or not must
    sizes = sorted(len(g) for g in result.groups[1:])
    assert sizes == [2] * ((n - 3) // 2 - (n - 3) % 2) + [3] * ((n - 3) % 2)
    for group in result.groups:
        for a, b in itertools.combinations(group, 2):
            assert frozenset((a, b)) not in never
    matrix = score_matrix(people, same_org="allow")
    assert result.total == pytest.approx(group_total(matrix, result.groups))


@pytest.mark.parametrize("n", [90, 120])
def test_larger_populations_are_near_the_exact_optimum(n):
    people = population(n, seed=n, orgs=n // 8)
    matrix = score_matrix(people)
    best = exact_pairs(matrix)
    result = pair(people)
    assert_partition(result.groups, list(range(n)))
    assert group_total(matrix, result.groups) >= 0.995 * best
    assert group_total(matrix, result.groups) > greedy(matrix)


def test_odd_count_gets_one_best_trio():
    people = population(9, seed=3)
    result = pair(people, same_org="allow")
    trios = [g for g in result.groups if len(g) == 3]
    assert len(trios) == 1
    assert "meet as a trio" in result.warnings[-1]
    matrix = score_matrix(people, same_org="allow")
    assert result.total == pytest.approx(brute_force(matrix, tuple(range(9))))


def test_an_odd_person_may_join_a_must_meet_pair():
    people = [person(k) for k in range(3)]
    result = pair(people, must_meet={frozenset((0, 1))})
    assert result.groups == [(0, 1, 2)]


def test_must_meet_beats_score_and_locked_groups_stay():
    people = population(30, seed=5)
    free = pair(people, same_org="allow")
    a, b = free.groups[0]
    c, d = free.groups[1]
    result = pair(people, must_meet={frozenset((a, c))}, locked=[(b, d)], same_org="allow")
    assert result.groups[0] == (b, d)
    assert (min(a, c), max(a, c)) in result.groups


def test_colleagues_are_paired_only_when_unavoidable():
    people = [person(k, organisation="Acme" if k < 4 else "Other") for k in range(6)]
    result = pair(people)
    colleagues = sum(1 for g in result.groups if len({people[k].organisation for k in g}) == 1)
    assert colleagues == 1  # four from Acme, two others: one Acme pair is forced
    assert "colleagues" in result.warnings[0]


def test_isolated_person_is_named():
    people = [person(0, name="Zoé", languages={"de"})] + [
        person(k, languages={"en"}) for k in range(1, 6)]
    with pytest.raises(MatchingError, match="^Zoé cannot be placed"):
        pair(people)


def test_rules_that_leave_no_perfect_pairing_use_extra_trios():
    # 0, 1, 2 may not meet 3, 4, 5: two groups of three people each.
    people = [person(k) for k in range(6)]
    never = {frozenset((a, b)) for a in (0, 1, 2) for b in (3, 4, 5)}
    result = pair(people, must_not_meet=never)
    assert result.groups == [(0, 1, 2), (3, 4, 5)]
    assert result.warnings == ["The rules leave no way to pair everyone, so 2 groups are trios."]


@pytest.mark.parametrize("people, kwargs, message", [
    ([], {}, "Matching needs at least two people; there are none."),
    ([person(1)], {}, "Matching needs at least two people; there is 1."),
    ([person(1), person(2)], {"must_meet": {frozenset((1, 2))},
                              "must_not_meet": {frozenset((1, 2))}},
     "P1 and P2 are both required and forbidden to meet."),
    ([person(k) for k in range(4)], {"must_meet": {frozenset((0, 1)), frozenset((0, 2))}},
     "P0 is in two must-meet pairs"),
    ([person(k) for k in range(4)], {"locked": [(0, 1), (1, 2)]},
     "P1 is in two locked groups."),
    ([person(k) for k in range(4)], {"locked": [(0, 1, 2)], "must_not_meet": {frozenset((0, 2))}},
     r"A locked group \(P0, P1, P2\) puts P0 with P2, who must not meet."),
    ([person(k) for k in range(4)], {"must_meet": {frozenset((0, 9))}},
     r"not attending \(key 9\)"),
    ([person(k) for k in range(4)], {"locked": [(0, 1, 2)]},
     "P3 cannot be placed: everyone else is in a locked group."),
])
def test_bad_input_is_explained(people, kwargs, message):
    with pytest.raises(MatchingError, match=message):
        pair(people, **kwargs)


def test_same_input_same_pairs():
    people = population(200, seed=9, orgs=20)
    assert pair(people).groups == pair(people).groups


# -- tables ----------------------------------------------------------------------------


def plain(n: int) -> list[Profile]:
    return [person(k) for k in range(n)]


def repeats_in(rounds: list[list[tuple[int, ...]]]) -> int:
    seen: dict[frozenset[int], int] = {}
    for tables in rounds:
        for table in tables:
            for pair_ in itertools.combinations(table, 2):
                seen[frozenset(pair_)] = seen.get(frozenset(pair_), 0) + 1
    return sum(count - 1 for count in seen.values())


def assert_rounds_partition(plan, n: int, size: int) -> None:
    for tables in plan.rounds:
        assert_partition(tables, list(range(n)))
        assert sorted(map(len, tables)) == sorted(table_sizes(n, size))


@pytest.mark.parametrize("n, size, rounds", [(15, 3, 7), (16, 4, 5), (32, 4, 9), (36, 6, 3)])
def test_social_golfer_instances_have_no_repeats(n, size, rounds):
    plan = plan_tables(plain(n), size, rounds)
    assert_rounds_partition(plan, n, size)
    assert plan.repeats == repeats_in(plan.rounds) == plan.min_repeats == 0
    assert plan.warnings == []


def test_kirkman_from_search_alone():
    # 15 is neither a prime power nor a square: no construction, the search does it.
    assert constructed_rounds(15, 3, 7) == []
    for seed in range(3):
        plan = plan_tables(plain(15), 3, 7, seed=seed)
        assert repeats_in(plan.rounds) == 0


def test_a_fourth_round_of_six_by_six_is_impossible():
    plan = plan_tables(plain(36), 6, 4, time_limit=2)
    assert plan.min_repeats >= 1
    assert plan.repeats == repeats_in(plan.rounds) >= 1
    assert plan.warnings[0] == ("A 4th round without repeats is impossible for 36 people at "
                                "tables of 6; 1 round will repeat pairs.")
    assert_rounds_partition(plan, 36, 6)


def test_uneven_counts_use_smaller_tables():
    assert table_sizes(10, 4) == [4, 3, 3]
    assert table_sizes(120, 8) == [8] * 15
    assert table_sizes(5, 4) == [3, 2]
    plan = plan_tables(plain(10), 4, 2)
    assert_rounds_partition(plan, 10, 4)
    # A table of 4 from 3 earlier tables must reunite two people.
    assert plan_tables(plain(10), 4, 3).min_repeats == 2


def test_counting_bound():
    plan = plan_tables(plain(12), 4, 5)
    # Each person meets 15 others over 5 rounds but only 11 exist: 12 × 4 / 2 extra meetings.
    assert plan.min_repeats == plan.repeats == 24
    assert "cannot be avoided" in plan.warnings[0]


def test_tables_respect_must_not_meet_and_beat_random_seating():
    people = population(48, seed=4, orgs=8)
    rng = random.Random(4)
    never = {frozenset(rng.sample(range(48), 2)) for _ in range(30)}
    matrix = score_matrix(people, same_org="allow")
    colleagues = np.array([[a.organisation == b.organisation for b in people] for a in people])
    np.fill_diagonal(colleagues, False)
    order = list(range(48))
    random_rounds = []
    for _ in range(4):
        rng.shuffle(order)
        random_rounds.append([tuple(order[i:i + 6]) for i in range(0, 48, 6)])
    random_total = sum(group_total(matrix, tables) for tables in random_rounds)

    kept_apart = plan_tables(people, 6, 4, must_not_meet=never, seed=1)
    scored = plan_tables(people, 6, 4, must_not_meet=never, same_org="allow", seed=1)
    for plan in (kept_apart, scored):
        assert_rounds_partition(plan, 48, 6)
        assert repeats_in(plan.rounds) == plan.repeats == 0
        for tables in plan.rounds:
            for table in tables:
                assert not any(frozenset(p) in never for p in itertools.combinations(table, 2))
        total = sum(group_total(matrix, tables) for tables in plan.rounds)
        assert plan.total == pytest.approx(total)
    assert scored.total > 1.1 * random_total
    assert (sum(group_total(colleagues, tables) for tables in kept_apart.rounds)
            < 0.6 * sum(group_total(colleagues, tables) for tables in random_rounds))


def test_tables_are_deterministic_for_a_seed():
    people = population(40, seed=2, orgs=6)
    assert plan_tables(people, 5, 3, seed=7).rounds == plan_tables(people, 5, 3, seed=7).rounds


@pytest.mark.parametrize("n, size, rounds, message", [
    (1, 2, 1, "Seating needs at least two people; there is 1."),
    (5, 1, 1, "A table needs at least two seats, not 1."),
    (5, 8, 1, "Tables of 8 are larger than the 5 people attending."),
    (5, 2, 0, "There must be at least one round, not 0."),
])
def test_bad_table_input_is_explained(n, size, rounds, message):
    with pytest.raises(MatchingError, match=message):
        plan_tables(plain(n), size, rounds)
