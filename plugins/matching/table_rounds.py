"""Lunch tables over several rounds: first no pair meets twice, then the best scores.

The whole schedule is planned at once. Avoiding repeated pairs is the
social golfer problem; the search follows Dotú and Van Hentenryck
("Scheduling social golfers locally", 2005): tabu search over swaps of two
people at different tables of one round, moves chosen among people in
conflict, with random tenures and perturbation from the best plan when
stuck; then the same search for colleagues kept apart, then for the
score. Tight instances of structured sizes start from algebraic
constructions: ``n = q^d`` people (``q`` a prime power) at tables of
``s = q^k`` from subspaces of a vector space over GF(p) that pairwise meet
only in 0 (a spread gives ``(n - 1)/(s - 1)`` rounds, the most possible),
and ``n = s²`` from rows, columns and cyclic Latin squares.

Priorities, from first to last: must-not-meet rules (never broken; an
error when they cannot be met), repeated pairs, colleagues or people
without a shared language at one table, and the total score. Randomness
comes from ``seed`` only; the search stops after a fixed number of steps
without progress, so the plan is the same for the same input unless
``time_limit`` cuts it short on a slow machine.
"""
from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from itertools import product

import numpy as np

from organizer.plugin_api import gettext as _, ngettext

from .errors import MatchingError
from .scoring import (
    DEFAULT_WEIGHTS,
    Profile,
    SameOrg,
    Weights,
    pair_indices,
    score_matrix,
)
from .words import ordinal

# Number of mutually orthogonal Latin squares of order s, where known exactly.
# n = s² people at s tables of s can have at most N(s) + 2 rounds without a
# repeated pair (an (s, r)-net exists iff r - 2 MOLS of order s do).
MOLS = {2: 1, 3: 2, 4: 3, 5: 4, 6: 1, 7: 6, 8: 7, 9: 8}

CONFLICT_ROWS = 96  # (round, person) rows examined per step while conflicts remain
SCORE_ROWS = 32  # rows examined per step in the score phase
STALL = 400  # steps without a new best before perturbing from the best plan
TENURE = (4, 16)  # a swapped person may not return to their table for this many steps
SOFT_PATIENCE = 300  # steps without a new best before leaving colleagues as they are
SCORE_PATIENCE = 600  # score-phase steps without a new best before stopping
CONFLICT_PATIENCE = 20_000  # steps without a new best before giving up on conflicts
MAX_STEPS = 400_000


@dataclass
class TablePlan:
    """Rounds of tables (tuples of keys); extra meetings of pairs in the plan and a proven
    lower bound on them; the summed pair scores over all tables; notes for the host."""

    rounds: list[list[tuple[int, ...]]]
    repeats: int
    min_repeats: int
    total: float
    warnings: list[str] = field(default_factory=list)


def table_sizes(n: int, table_size: int) -> list[int]:
    """Fewest tables of at most ``table_size`` seating ``n``, sizes differing by at most one."""
    count = -(-n // table_size)
    return [n // count + (1 if t < n % count else 0) for t in range(count)]


def _spread_pairs(people: int, groups: int) -> int:
    """The fewest pairs sharing a group when ``people`` are spread over ``groups`` (evenly)."""
    size, extra = divmod(people, groups)
    return extra * (size + 1) * size // 2 + (groups - extra) * size * (size - 1) // 2


def repeat_bound(n: int, table_size: int, rounds: int,
                 blocked: np.ndarray | None = None) -> tuple[int, str | None]:
    """A proven lower bound on repeated meetings, and a sentence explaining it when positive
    (in the language being spoken).

    ``blocked[i]`` is how many people person ``i`` may never meet. Four
    arguments, the strongest wins: all meetings versus the distinct pairs
    there are; each person's meetings versus the people they may meet (an
    extra meeting is shared by two people); pigeonholes (a table of ``s``
    in a later round takes people from the first round's ``t`` tables, so
    with ``s > t`` two of them met there); and, for ``s²`` people at ``s``
    tables of ``s``, the Latin-square limit of ``N(s) + 2`` rounds (each
    repeat can be removed with one round, so ``rounds - N(s) - 2`` remain).
    """
    sizes = table_sizes(n, table_size)
    count = len(sizes)
    blocked = np.zeros(n, dtype=np.int64) if blocked is None else blocked
    per_round = sum(s * (s - 1) // 2 for s in sizes)
    distinct = n * (n - 1) // 2 - int(blocked.sum()) // 2
    by_pairs = max(0, rounds * per_round - distinct)
    excess = np.maximum(0, rounds * (min(sizes) - 1) - (n - 1 - blocked))
    by_person = -(-int(excess.sum()) // 2)
    # Spreading a table's people evenly over the first round's tables is the
    # fewest pairs that met there; every such pair is an extra meeting.
    by_pigeons = (rounds - 1) * sum(_spread_pairs(s, count) for s in sizes)
    latin = 0
    if table_size in MOLS and n == table_size ** 2:
        latin = max(0, rounds - MOLS[table_size] - 2)
    bound = max(by_pairs, by_person, by_pigeons, latin)
    if not bound:
        return 0, None
    if latin == bound:
        free = MOLS[table_size] + 2
        return bound, ngettext(
            "A %(ordinal)s round without repeats is impossible for %(people)d people at tables "
            "of %(size)d; %(num)d round will repeat pairs.",
            "A %(ordinal)s round without repeats is impossible for %(people)d people at tables "
            "of %(size)d; %(num)d rounds will repeat pairs.", latin,
            ordinal=ordinal(free + 1), people=n, size=table_size)
    if by_pigeons == bound and count == 1:
        return bound, ngettext(
            "%(num)d repeated pair cannot be avoided: with only 1 table per round, a table of "
            "%(size)d always seats two people who met in an earlier round.",
            "%(num)d repeated pairs cannot be avoided: with only 1 table per round, a table of "
            "%(size)d always seats two people who met in an earlier round.", bound,
            size=max(sizes))
    if by_pigeons == bound:
        return bound, ngettext(
            "%(num)d repeated pair cannot be avoided: with only %(tables)d tables per round, a "
            "table of %(size)d always seats two people who met in an earlier round.",
            "%(num)d repeated pairs cannot be avoided: with only %(tables)d tables per round, a "
            "table of %(size)d always seats two people who met in an earlier round.", bound,
            tables=count, size=max(sizes))
    return bound, ngettext(
        "%(num)d repeated pair cannot be avoided: %(rounds)d rounds at tables of %(size)d need "
        "each person to meet up to %(most)d people, and there are %(people)d attending.",
        "%(num)d repeated pairs cannot be avoided: %(rounds)d rounds at tables of %(size)d "
        "need each person to meet up to %(most)d people, and there are %(people)d attending.",
        bound, rounds=rounds, size=table_size, most=rounds * (max(sizes) - 1), people=n)


def plan_tables(profiles: Sequence[Profile], table_size: int, rounds: int,
                weights: Weights = DEFAULT_WEIGHTS,
                met_before: Collection[frozenset[int]] = frozenset(),
                must_not_meet: Collection[frozenset[int]] = frozenset(),
                same_org: SameOrg = "avoid", time_limit: float = 10.0,
                seed: int = 0) -> TablePlan:
    """Seat everyone at tables for each round, planning all rounds together.

    Tables hold ``table_size`` people, or one fewer when the count does not
    divide (fewest tables, sizes differing by at most one). Must-not-meet
    pairs never share a table; then repeated pairs are minimised, then
    colleagues (``same_org="avoid"``) and pairs without a shared language at
    one table, then the total score (the sum over rounds and tables of the
    pair scores; pairs without a shared language count 0) is maximised.
    """
    n = len(profiles)
    if n < 2:
        raise MatchingError(_("Seating needs at least two people; there is 1.") if n == 1
                            else _("Seating needs at least two people; there are none."))
    if table_size < 2:
        raise MatchingError(_("A table needs at least two seats, not %(size)d.",
                              size=table_size))
    if table_size > n:
        raise MatchingError(_("Tables of %(size)d are larger than the %(people)d people "
                              "attending.", size=table_size, people=n))
    if rounds < 1:
        raise MatchingError(_("There must be at least one round, not %(rounds)d.",
                              rounds=rounds))
    if same_org not in ("avoid", "allow"):
        raise MatchingError(_('same_org must be "avoid" or "allow", not %(value)s.',
                              value=repr(same_org)))
    keys = [p.key for p in profiles]
    if len(set(keys)) != n:
        raise MatchingError(_("Two attendees have the same key."))
    known = set(keys)
    for rule in must_not_meet:
        if len(set(rule)) != 2:
            raise MatchingError(_("A must-not-meet rule needs two different people; got "
                                  "%(keys)s.", keys=str(tuple(rule))))
        for key in rule:
            if key not in known:
                raise MatchingError(_("The must-not-meet rules name someone who is not "
                                      "attending (key %(key)s).", key=key))

    problem = _Problem(profiles, table_size, rounds, weights, met_before, must_not_meet,
                       same_org)
    search = _Search(problem, np.random.default_rng(seed), time.monotonic() + time_limit)
    seats = search.run()
    return problem.plan(seats)


class _Problem:
    """The instance: sizes, penalty and score matrices, lower bound, and the plan report."""

    def __init__(self, profiles: Sequence[Profile], table_size: int, rounds: int,
                 weights: Weights, met_before: Collection[frozenset[int]],
                 must_not_meet: Collection[frozenset[int]], same_org: SameOrg):
        n = self.n = len(profiles)
        self.profiles = profiles
        self.table_size = table_size
        self.rounds = rounds
        self.sizes = table_sizes(n, table_size)
        self.tables = len(self.sizes)
        raw = score_matrix(profiles, weights, met_before, (), "allow").astype(np.float64)
        np.fill_diagonal(raw, 0.0)
        self.mute = np.isinf(raw)  # no shared language (or a forbidden repeat of a meeting)
        self.score = np.where(self.mute, 0.0, raw)
        orgs = [p.organisation.strip().casefold() for p in profiles]
        self.colleagues = np.zeros((n, n), dtype=bool)
        if same_org == "avoid":
            ids = {o: i for i, o in enumerate(sorted(set(orgs) - {""}))}
            org = np.array([ids.get(o, -1) for o in orgs])
            self.colleagues = (org[:, None] == org[None, :]) & (org >= 0)[:, None]
            np.fill_diagonal(self.colleagues, False)
        # Spreading each organisation evenly over the tables seats the fewest colleagues.
        staff = Counter(o for o in orgs if o) if same_org == "avoid" else Counter()
        self.min_colleagues = rounds * sum(_spread_pairs(c, self.tables) for c in staff.values())
        self.never = np.zeros((n, n), dtype=bool)
        rows, cols = pair_indices(profiles, must_not_meet)
        self.never[rows, cols] = self.never[cols, rows] = True
        self.min_repeats, self.bound_note = repeat_bound(n, table_size, rounds,
                                                         self.never.sum(axis=1))
        # Lexicographic priorities as weights: one step changes at most
        # 4 × table_size pair terms, so each level outweighs any change below it.
        span = float(np.abs(self.score).max()) + 1.0
        moves = 4.0 * table_size
        self.soft_weight = moves * span
        self.repeat_weight = moves * (self.soft_weight + span)
        self.hard_weight = moves * (self.repeat_weight + self.soft_weight + span)
        penalty = (self.soft_weight * (self.colleagues | self.mute)
                   + self.hard_weight * self.never)
        np.fill_diagonal(penalty, 0.0)
        self.cost = penalty - self.score  # what the search minimises below the repeats
        self.soft = (self.colleagues | self.mute) & ~np.eye(n, dtype=bool)
        # Nothing to improve once repeats are settled: the later phases are skipped.
        off_diagonal = self.score[~np.eye(n, dtype=bool)]
        self.flat = float(np.ptp(off_diagonal)) == 0.0 and not self.soft.any()

    def plan(self, seats: np.ndarray) -> TablePlan:
        """The report for a seating (``rounds × n`` table numbers)."""
        names = [p.name or f"#{p.key}" for p in self.profiles]
        meets = np.zeros((self.n, self.n), dtype=np.int64)
        plan, total = [], 0.0
        colleagues = mute = 0
        for r in range(self.rounds):
            tables = []
            for t in range(self.tables):
                members = np.flatnonzero(seats[r] == t)
                block = np.ix_(members, members)
                meets[block] += 1
                total += float(np.triu(self.score[block], 1).sum())
                colleagues += int(np.triu(self.colleagues[block], 1).sum())
                mute += int(np.triu(self.mute[block], 1).sum())
                broken = np.argwhere(np.triu(self.never[block], 1))
                if len(broken):
                    a, b = members[broken[0]]
                    raise MatchingError(_(
                        "No seating keeps everyone apart who must not meet: the closest plan "
                        "found still seats %(first)s with %(second)s in round %(round)d. "
                        "Fewer must-not-meet rules or smaller tables would help.",
                        first=names[a], second=names[b], round=r + 1))
                tables.append(tuple(self.profiles[i].key for i in members))
            plan.append(tables)
        np.fill_diagonal(meets, 0)
        repeats = int(np.triu(np.maximum(meets - 1, 0), 1).sum())
        warnings = [self.bound_note] if self.bound_note else []
        if repeats > self.min_repeats:
            warnings.append(ngettext(
                "The plan repeats %(num)d pair (at least %(least)d unavoidable); the search "
                "found no plan with fewer.",
                "The plan repeats %(num)d pairs (at least %(least)d unavoidable); the search "
                "found no plan with fewer.", repeats, least=self.min_repeats))
        if colleagues and self.tables == 1:
            warnings.append(ngettext(
                "%(num)d pair of colleagues share a table (%(least)d unavoidable with 1 table "
                "per round).",
                "%(num)d pairs of colleagues share a table (%(least)d unavoidable with 1 table "
                "per round).", colleagues, least=self.min_colleagues))
        elif colleagues:
            warnings.append(ngettext(
                "%(num)d pair of colleagues share a table (%(least)d unavoidable with "
                "%(tables)d tables per round).",
                "%(num)d pairs of colleagues share a table (%(least)d unavoidable with "
                "%(tables)d tables per round).", colleagues, least=self.min_colleagues,
                tables=self.tables))
        if mute:
            warnings.append(ngettext(
                "%(num)d pair at a shared table have no language in common (or are not to "
                "meet again).",
                "%(num)d pairs at a shared table have no language in common (or are not to "
                "meet again).", mute))
        return TablePlan(plan, repeats, self.min_repeats, total, warnings)


class _Search:
    """Tabu search over swaps within a round, on one ``rounds × n`` seating.

    Besides the seating it keeps, for every round, person and table, how
    many of that table's people the person has met at least once and at
    least twice in the plan, and their summed cost and rule breaches. A
    swap updates these in O(n + rounds × table size), and the effect of
    every candidate swap is then a handful of look-ups.
    """

    def __init__(self, problem: _Problem, rng: np.random.Generator, deadline: float):
        self.p = problem
        self.rng = rng
        self.deadline = deadline

    # -- state ---------------------------------------------------------------

    def _load(self, seats: np.ndarray) -> None:
        """Set the seating and rebuild the derived arrays."""
        p = self.p
        n, width = p.n, max(p.sizes)
        self.seats = seats.copy()
        # members[r, t] lists table t's people in round r, padded with n.
        self.members = np.full((p.rounds, p.tables, width), n, dtype=np.int64)
        self.slot = np.empty((p.rounds, n), dtype=np.int64)
        self.meets = np.zeros((n, n), dtype=np.int64)
        for r in range(p.rounds):
            for t in range(p.tables):
                people = np.flatnonzero(seats[r] == t)
                self.members[r, t, :len(people)] = people
                self.slot[r, people] = np.arange(len(people))
                self.meets[np.ix_(people, people)] += 1
        np.fill_diagonal(self.meets, 0)
        self.repeats = int(np.triu(np.maximum(self.meets - 1, 0)).sum())
        onehot = np.zeros((p.rounds, n, p.tables))
        onehot[np.arange(p.rounds)[:, None], np.arange(n)[None, :], seats] = 1.0
        # Per round r, person v, table t: sums over the people at table t.
        self.once = np.rint((self.meets >= 1) @ onehot).astype(np.int64)
        self.twice = np.rint((self.meets >= 2) @ onehot).astype(np.int64)
        self.cost_at = p.cost @ onehot
        self.hard_at = np.rint(p.never @ onehot).astype(np.int64)
        self.soft_at = np.rint(p.soft @ onehot).astype(np.int64)
        own = self.cost_at[np.arange(p.rounds)[:, None], np.arange(n)[None, :], seats]
        self.weight = float(own.sum()) / 2

    def _value(self) -> float:
        return self.p.repeat_weight * self.repeats + self.weight

    def _own(self, table: np.ndarray) -> np.ndarray:
        """``table``'s entries at each (round, person)'s own table."""
        return table[np.arange(self.p.rounds)[:, None], np.arange(self.p.n)[None, :], self.seats]

    # -- moves ---------------------------------------------------------------

    def _moves(self, rows: np.ndarray, people: np.ndarray,
               tabu: np.ndarray, step: int) -> tuple[np.ndarray, ...]:
        """For swapping each row's person with everyone in its round: the changes in
        repeats and weight, whether the two sit at the same table, whether it is tabu."""
        p = self.p
        own = self.seats[rows, people][:, None]  # table A of each row's person
        other = self.seats[rows]  # table B of every candidate q, |rows| × n
        # Flat indices into the (round, person, table) arrays.
        base_q = (rows[:, None] * p.n + np.arange(p.n)[None, :]) * p.tables
        base_p = ((rows * p.n + people) * p.tables)[:, None]
        p_at_b, p_at_a = base_p + other, base_p + own
        q_at_b, q_at_a = base_q + other, base_q + own
        once, twice, cost = self.once.ravel(), self.twice.ravel(), self.cost_at.ravel()
        pair_once = self.meets[people] >= 1
        pair_cost = p.cost[people]
        d_repeats = (once[p_at_b] - twice[p_at_a] + once[q_at_a] - twice[q_at_b]
                     - 2 * pair_once)
        d_weight = cost[p_at_b] - cost[p_at_a] + cost[q_at_a] - cost[q_at_b] - 2 * pair_cost
        flat_tabu = tabu.ravel()
        banned = (flat_tabu[p_at_b] > step) | (flat_tabu[q_at_a] > step)
        return d_repeats, d_weight, other == own, banned

    def _swap(self, r: int, a: int, b: int) -> None:
        """Swap people ``a`` and ``b`` (at different tables) in round ``r``."""
        p = self.p
        n = p.n
        ta, tb = self.seats[r, a], self.seats[r, b]
        left_a = self.members[r, ta][(self.members[r, ta] != a) & (self.members[r, ta] < n)]
        left_b = self.members[r, tb][(self.members[r, tb] != b) & (self.members[r, tb] < n)]
        # Membership of round r changes first, with the meeting counts as they were.
        for table, column in ((self.cost_at, lambda v: p.cost[:, v]),
                              (self.hard_at, lambda v: p.never[:, v]),
                              (self.soft_at, lambda v: p.soft[:, v]),
                              (self.once, lambda v: self.meets[:, v] >= 1),
                              (self.twice, lambda v: self.meets[:, v] >= 2)):
            moved = column(b).astype(table.dtype) - column(a)
            table[r, :, ta] += moved
            table[r, :, tb] -= moved
        self.members[r, ta, self.slot[r, a]], self.members[r, tb, self.slot[r, b]] = b, a
        self.slot[r, a], self.slot[r, b] = self.slot[r, b], self.slot[r, a]
        self.seats[r, a], self.seats[r, b] = tb, ta
        # Then the counts: a leaves left_a and joins left_b, b the other way.
        u = np.concatenate([np.full(len(left_a), a), np.full(len(left_b), a),
                            np.full(len(left_b), b), np.full(len(left_a), b)])
        w = np.concatenate([left_a, left_b, left_b, left_a])
        step = np.concatenate([np.full(len(left_a), -1), np.full(len(left_b), 1),
                               np.full(len(left_b), -1), np.full(len(left_a), 1)])
        before = self.meets[u, w]
        after = before + step
        self.meets[u, w] = after
        self.meets[w, u] = after
        everywhere = np.arange(p.rounds)[:, None]
        for table, level in ((self.once, 1), (self.twice, 2)):
            change = (after >= level).astype(np.int64) - (before >= level)
            hit = change != 0
            if hit.any():
                uu, ww, cc = u[hit], w[hit], change[hit]
                np.add.at(table, (everywhere, uu[None, :], self.seats[:, ww]), cc[None, :])
                np.add.at(table, (everywhere, ww[None, :], self.seats[:, uu]), cc[None, :])

    # -- starts ----------------------------------------------------------------

    def _greedy(self, seats: np.ndarray, start: int) -> None:
        """Fill rounds ``start…`` person by person, each at the cheapest table with a seat.

        The cost counts earlier meetings as repeats, then the rules and
        scores. The most constrained people go first (large organisations,
        many must-not-meet rules), so colleagues spread over the tables
        while seats are still free.
        """
        p = self.p
        n = p.n
        constrained = p.colleagues.sum(axis=1) + p.never.sum(axis=1)
        met = np.zeros((n, n), dtype=bool)
        for r in range(start):
            met |= seats[r][:, None] == seats[r][None, :]
        for r in range(start, p.rounds):
            free = np.array(p.sizes)
            load = np.zeros((n, p.tables))  # cost of joining each table so far
            order = np.lexsort((self.rng.random(n), -constrained))
            for person in order:
                # Cheapest first; among equals the emptiest, so late arrivals
                # still find a choice of tables.
                t = int(np.lexsort((-free, np.where(free > 0, load[person], np.inf)))[0])
                seats[r, person] = t
                free[t] -= 1
                load[:, t] += p.repeat_weight * met[:, person] + p.cost[:, person]
            met |= seats[r][:, None] == seats[r][None, :]

    def _start(self) -> np.ndarray:
        """A construction where one fits and the instance is tight, else greedy rounds."""
        p = self.p
        seats = np.zeros((p.rounds, p.n), dtype=np.int64)
        # Loose instances are easy for the search, and greedy rounds start it
        # with better scores than an arbitrary labelling of a design.
        tight = 2 * p.rounds * (p.table_size - 1) > p.n - 1
        built = constructed_rounds(p.n, p.table_size, p.rounds) if tight else []
        if p.never.any():
            built = []  # a design ignores the rules; the search handles them better
        # Random relabelling keeps the rounds repeat-free and varies with the seed.
        order = self.rng.permutation(p.n)
        for r, tables in enumerate(built):
            seats[r, order] = tables
        self._greedy(seats, len(built))
        return seats

    # -- search ------------------------------------------------------------------

    def run(self) -> np.ndarray:
        """Search from the start plan; return the best seating found.

        Three phases, each moving only the people it is about: people in a
        repeated pair or a broken must-not-meet rule; then people beside a
        colleague or someone without a shared language, while that improves;
        then everyone, for the score. The first two perturb the best plan
        when stuck.
        """
        p = self.p
        self._load(self._start())
        best_value, best = self._value(), self.seats.copy()
        tabu = np.zeros((p.rounds, p.n, p.tables), dtype=np.int64)
        since_best = 0
        phase = 0
        for step in range(MAX_STEPS):
            if time.monotonic() > self.deadline:
                break
            twice = self._own(self.twice)
            hard = self._own(self.hard_at) > 0
            soft = self._own(self.soft_at) > 0
            if phase == 0 and self.repeats <= p.min_repeats and not hard.any():
                phase, since_best = 1, 0
            if phase == 1 and (not soft.any() or since_best >= SOFT_PATIENCE):
                phase, since_best = 2, 0
            if phase == 2 and (p.flat or since_best >= SCORE_PATIENCE):
                break
            if phase == 0 and since_best >= CONFLICT_PATIENCE:
                break
            if phase == 0:
                rows, people = self._sample(np.nonzero((twice > 0) | hard), CONFLICT_ROWS)
            elif phase == 1:
                rows, people = self._sample(np.nonzero(soft), CONFLICT_ROWS)
            else:
                rows, people = self._sample(np.divmod(np.arange(p.rounds * p.n), p.n),
                                            SCORE_ROWS)
            d_repeats, d_weight, same, banned = self._moves(rows, people, tabu, step)
            delta = p.repeat_weight * d_repeats + d_weight
            # Aspiration: a tabu swap is allowed when it beats the best plan so far.
            aspire = self._value() + delta < best_value - 1e-9
            delta[same | (banned & ~aspire)] = np.inf
            low = delta.min()
            if not np.isfinite(low):
                if same.all():
                    break  # a single table: nothing can move
                tabu[:] = 0
                since_best += 1
                continue
            choices = np.argwhere(delta <= low + 1e-9)
            i, q = choices[self.rng.integers(len(choices))]
            r, a = int(rows[i]), int(people[i])
            ta, tb = self.seats[r, a], self.seats[r, q]
            self._swap(r, a, int(q))
            self.repeats += int(d_repeats[i, q])
            self.weight += float(d_weight[i, q])
            tenure = int(self.rng.integers(*TENURE))
            tabu[r, a, ta] = tabu[r, q, tb] = step + tenure
            if self._value() < best_value - 1e-9:
                best_value, best = self._value(), self.seats.copy()
                since_best = 0
            else:
                since_best += 1
                if since_best % STALL == 0 and phase < 2:
                    self._perturb(best)
                    tabu[:] = 0
        return best

    def _sample(self, rows_people: tuple[np.ndarray, np.ndarray],
                limit: int) -> tuple[np.ndarray, np.ndarray]:
        """At most ``limit`` of the given (round, person) rows, chosen at random."""
        rows, people = rows_people
        if len(rows) > limit:
            pick = self.rng.choice(len(rows), limit, replace=False)
            rows, people = rows[pick], people[pick]
        return rows, people

    def _perturb(self, best: np.ndarray) -> None:
        """Restart from the best plan with a few random swaps in rounds that have conflicts."""
        self._load(best)
        rounds = np.flatnonzero(((self._own(self.twice) > 0) | (self._own(self.hard_at) > 0))
                                .any(axis=1))
        if not len(rounds):
            rounds = np.arange(self.p.rounds)
        for _kick in range(int(self.rng.integers(1, 4))):
            r = int(self.rng.choice(rounds))
            a, b = self.rng.choice(self.p.n, 2, replace=False)
            if self.seats[r, a] != self.seats[r, b]:
                self._swap(r, int(a), int(b))
        self._load(self.seats)


# -- constructions ---------------------------------------------------------------


def _prime_power(x: int) -> tuple[int, int] | None:
    """``(p, e)`` with ``x = p**e`` for a prime ``p``, or None."""
    for p in range(2, math.isqrt(x) + 1):
        if x % p == 0:
            e = 0
            while x % p == 0:
                x //= p
                e += 1
            return (p, e) if x == 1 else None
    return (x, 1) if x > 1 else None


def constructed_rounds(n: int, table_size: int, want: int) -> list[np.ndarray]:
    """Repeat-free rounds (a table number per person) from algebra: the most found, up to
    ``want``; perhaps fewer, or none."""
    options = [_grid_rounds(n, table_size), _subspace_rounds(n, table_size, want)]
    return max(options, key=len)[:want]


def _grid_rounds(n: int, s: int) -> list[np.ndarray]:
    """For ``n = s²``: rows, columns and the cyclic Latin squares ``i + k·j mod s``.

    The squares for ``k = 1 … p - 1`` (``p`` the smallest prime factor of
    ``s``) are mutually orthogonal because their differences are units mod ``s``.
    """
    if s * s != n or s < 2:
        return []
    i, j = np.divmod(np.arange(n), s)
    smallest = next(p for p in range(2, s + 1) if s % p == 0)
    return [i, j] + [(i + k * j) % s for k in range(1, smallest)]


def _subspace_rounds(n: int, s: int, want: int) -> list[np.ndarray]:
    """For ``n = p^d``, ``s = p^k``: the cosets of subspaces that pairwise meet only in 0.

    Two people share a table in the round of subspace ``U`` iff their
    difference lies in ``U``, so subspaces with no common non-zero vector
    give rounds without a repeated pair.
    """
    whole, part = _prime_power(n), _prime_power(s)
    if not whole or not part or whole[0] != part[0] or part[1] >= whole[1]:
        return []
    p, d = whole
    k = part[1]
    digits = (np.arange(n)[:, None] // p ** np.arange(d)[None, :]) % p  # n × d vectors
    spaces = _spread(p, d, k) if d % k == 0 else _partial_spread(p, d, k, want)
    rounds = []
    for space in spaces[:want]:
        # A person's table is the smallest point of their coset v + U.
        shifted = (digits[:, None, :] + digits[space][None, :, :]) % p  # n × s × d
        ids = (shifted * p ** np.arange(d)).sum(axis=2)
        rounds.append(np.unique(ids.min(axis=1), return_inverse=True)[1])
    return rounds


def _spread(p: int, d: int, k: int) -> list[np.ndarray]:
    """The Desarguesian spread: the multiplicative cosets of GF(p^k)* inside GF(p^d)*."""
    powers = _primitive_powers(p, d)  # g^0, g^1, … as point numbers
    order = p ** d - 1
    step = order // (p ** k - 1)  # GF(p^k)* = <g^step>
    return [np.array([0] + [powers[(i + j * step) % order] for j in range(p ** k - 1)])
            for i in range(step)]


def _primitive_powers(p: int, d: int) -> list[int]:
    """Successive powers of a generator of GF(p^d)*, points numbered by base-p digits."""
    size = p ** d
    for tail in product(range(p), repeat=d):
        if tail[0] == 0:
            continue  # x^d = … + 0 would make x a zero divisor
        vector = [1] + [0] * (d - 1)
        powers = []
        while True:
            powers.append(sum(c * p ** i for i, c in enumerate(vector)))
            top = vector[-1]
            # Multiply by x, then replace x^d by -(tail) = -(c0 + c1 x + …).
            vector = [((vector[i - 1] if i else 0) - top * tail[i]) % p for i in range(d)]
            if vector == [1] + [0] * (d - 1) or len(powers) == size:
                break
        if len(powers) == size - 1:
            return powers
    raise AssertionError("GF(p^d) always has a primitive polynomial")


def _partial_spread(p: int, d: int, k: int, want: int) -> list[np.ndarray]:
    """Up to ``want`` ``k``-dimensional subspaces meeting pairwise only in 0 (random greedy).

    Without a full spread the largest partial one is not known in general;
    a few dozen seeded greedy attempts find 9 lines of GF(2)^5, the maximum.
    """
    rng = np.random.default_rng(0)
    most = min(want, (p ** d - 1) // (p ** k - 1))
    combos = np.array(list(product(range(p), repeat=k)))  # all coefficient vectors
    best: list[np.ndarray] = []
    for _attempt in range(30):
        used = np.zeros(p ** d, dtype=bool)
        chosen = []
        for _draw in range(20 * most):
            basis = rng.integers(0, p, size=(k, d))
            points = np.unique(((combos @ basis) % p) @ p ** np.arange(d))
            if len(points) < p ** k or used[points[1:]].any():
                continue
            used[points[1:]] = True
            chosen.append(points)
            if len(chosen) == most:
                break
        if len(chosen) > len(best):
            best = chosen
        if len(best) == most:
            break
    return best
