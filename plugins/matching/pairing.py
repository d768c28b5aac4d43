"""Coffee-chat pairs: everyone in a pair (one trio for an odd count), best total score.

The core problem is a maximum-weight perfect matching on the score matrix.
Small inputs are solved exactly (a search over pairs and trios up to
``EXACT_SMALL`` people, the blossom algorithm of networkx up to
``EXACT_LIMIT``). Larger inputs use the assignment relaxation: a maximum
assignment on a graph of each person's best ``NEIGHBOURS`` partners,
whose permutation splits into cycles; 2-cycles are pairs, even cycles give
their better alternate half, odd cycles all but one person. Local search
(2-opt over two pairs, alternating 6-cycles over three) then removes what
the rounding lost. Half the dense assignment optimum bounds every matching
from above, so the gap to it is a proven quality measure (see
``benchmarks/matching.py``). No randomness is used: the same input gives the
same pairs.
"""
from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

import networkx as nx
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from organizer.plugin_api import gettext as _, ngettext

from .errors import MatchingError
from .scoring import (
    DEFAULT_WEIGHTS,
    FORBIDDEN,
    Profile,
    SameOrg,
    Weights,
    score,
    score_matrix,
)
from .words import joined, listing

EXACT_SMALL = 12  # exhaustive search over pairs and one trio
EXACT_LIMIT = 60  # networkx's blossom algorithm takes ~30 ms here, seconds at a few hundred
NEIGHBOURS = 64  # candidate partners per person for the relaxation and the local search
CYCLE_NEIGHBOURS = 8  # the 6-cycle move tries the best 8 × 8 continuations
COLLEAGUE_PENALTY = 1_000.0  # when colleagues must be paired, as few as possible
_EPS = 1e-6
_CHUNK = 512


@dataclass
class PairingResult:
    """The groups of keys (locked groups first, then pairs and trios), the summed pair
    scores within every group, and notes for the host."""

    groups: list[tuple[int, ...]]
    total: float
    warnings: list[str] = field(default_factory=list)


class _Stranded(Exception):
    """Some people (pool indices) fit in no group under the rules."""

    def __init__(self, people: list[int]):
        super().__init__(people)
        self.people = people


def _name(p: Profile) -> str:
    return p.name or f"#{p.key}"


def _rule_pairs(rules: Iterable[Collection[int]], what: str,
                index: dict[int, int]) -> list[tuple[int, int]]:
    """The rules' pairs as indices; ``what`` is "must-meet" or "must-not-meet"."""
    pairs = []
    for rule in rules:
        keys = tuple(rule)
        if len(set(keys)) != 2:
            if what == "must-meet":
                raise MatchingError(_("A must-meet rule needs two different people; got "
                                      "%(keys)s.", keys=str(keys)))
            raise MatchingError(_("A must-not-meet rule needs two different people; got "
                                  "%(keys)s.", keys=str(keys)))
        for key in keys:
            if key not in index:
                if what == "must-meet":
                    raise MatchingError(_("The must-meet rules name someone who is not "
                                          "attending (key %(key)s).", key=key))
                raise MatchingError(_("The must-not-meet rules name someone who is not "
                                      "attending (key %(key)s).", key=key))
        pairs.append((index[keys[0]], index[keys[1]]))
    return pairs


def _check(profiles: Sequence[Profile], must_meet: Iterable[Collection[int]],
           must_not_meet: Iterable[Collection[int]], locked: Iterable[Sequence[int]],
           same_org: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]],
                                   list[tuple[int, ...]]]:
    """Validate the rules; return must-meet pairs, must-not-meet pairs and locked groups
    as indices."""
    n = len(profiles)
    if n < 2:
        raise MatchingError(_("Matching needs at least two people; there is 1.") if n == 1
                            else _("Matching needs at least two people; there are none."))
    if same_org not in ("avoid", "allow"):
        raise MatchingError(_('same_org must be "avoid" or "allow", not %(value)s.',
                              value=repr(same_org)))
    index: dict[int, int] = {}
    for i, p in enumerate(profiles):
        if p.key in index:
            raise MatchingError(_("Two attendees have the key %(key)s.", key=p.key))
        index[p.key] = i
    names = [_name(p) for p in profiles]
    must = _rule_pairs(must_meet, "must-meet", index)
    never = _rule_pairs(must_not_meet, "must-not-meet", index)
    never_set = {frozenset(pair) for pair in never}

    groups = []
    group_of: dict[int, int] = {}
    for keys in locked:
        keys = tuple(keys)
        if len(keys) < 2 or len(set(keys)) != len(keys):
            raise MatchingError(_("A locked group needs at least two different people; got "
                                  "%(keys)s.", keys=str(keys)))
        for key in keys:
            if key not in index:
                raise MatchingError(_("A locked group names someone who is not attending "
                                      "(key %(key)s).", key=key))
            if index[key] in group_of:
                raise MatchingError(_("%(name)s is in two locked groups.",
                                      name=names[index[key]]))
            group_of[index[key]] = len(groups)
        members = tuple(index[key] for key in keys)
        for a in members:
            for b in members:
                if a < b and frozenset((a, b)) in never_set:
                    raise MatchingError(_(
                        "A locked group (%(group)s) puts %(first)s with %(second)s, who must "
                        "not meet.", group=listing(names[i] for i in members), first=names[a],
                        second=names[b]))
        groups.append(members)

    partner: dict[int, int] = {}
    kept = []
    for a, b in must:
        if frozenset((a, b)) in never_set:
            raise MatchingError(_("%(first)s and %(second)s are both required and forbidden "
                                  "to meet.", first=names[a], second=names[b]))
        if a in group_of or b in group_of:
            if group_of.get(a) == group_of.get(b):
                continue  # already together in a locked group
            raise MatchingError(_("%(first)s must meet %(second)s, but a locked group keeps "
                                  "them apart.", first=names[a], second=names[b]))
        for x, y in ((a, b), (b, a)):
            if x in partner and partner[x] != y:
                raise MatchingError(_("%(name)s is in two must-meet pairs (with %(first)s "
                                      "and with %(second)s); a person can have only one.",
                                      name=names[x], first=names[partner[x]],
                                      second=names[y]))
        if a not in partner:
            kept.append((a, b))
        partner[a], partner[b] = b, a
    return kept, never, groups


def pair(profiles: Sequence[Profile], weights: Weights = DEFAULT_WEIGHTS,
         met_before: Collection[frozenset[int]] = frozenset(),
         must_meet: Collection[frozenset[int]] = frozenset(),
         must_not_meet: Collection[frozenset[int]] = frozenset(),
         locked: Sequence[Sequence[int]] = (), same_org: SameOrg = "avoid") -> PairingResult:
    """Put everybody in a pair (one trio if the count outside locked groups is odd).

    Maximises the total score. ``must_meet`` pairs stay together (an odd
    person may join one as a trio), ``must_not_meet`` pairs never share a
    group, ``locked`` groups are returned unchanged. With
    ``same_org="avoid"`` colleagues are kept apart; if that leaves no
    arrangement for everyone, as few colleagues as possible are paired and a
    warning says so. When the rules allow no pairing of everyone, extra
    trios are used; when not even that places everybody, ``MatchingError``
    names who cannot be placed. Bad input raises ``MatchingError``.
    """
    must, never, locked_groups = _check(profiles, must_meet, must_not_meet, locked, same_org)
    history = {frozenset(pair) for pair in met_before}
    in_locked = {i for group in locked_groups for i in group}
    pool = np.array([i for i in range(len(profiles)) if i not in in_locked], dtype=np.int64)
    position = {int(v): k for k, v in enumerate(pool)}
    local_must = [(position[a], position[b]) for a, b in must]
    names = [_name(p) for p in profiles]
    warnings = []

    groups: list[tuple[int, ...]] = []
    if len(pool) == 1:
        raise MatchingError(_("%(name)s cannot be placed: everyone else is in a locked "
                              "group.", name=names[pool[0]]))
    if len(pool):
        never_keys = [frozenset((profiles[a].key, profiles[b].key)) for a, b in never]

        def matrix(rule: SameOrg) -> np.ndarray:
            full = score_matrix(profiles, weights, history, never_keys, rule)
            return full if len(pool) == len(profiles) else full[np.ix_(pool, pool)]

        scores = matrix(same_org)
        try:
            local = _arrange(scores, local_must)
        except _Stranded as stranded:
            if same_org != "avoid":
                raise _unplaceable(stranded.people, pool, names) from None
            relaxed = matrix("allow")
            colleagues = np.isinf(scores) & np.isfinite(relaxed)
            relaxed[colleagues] -= COLLEAGUE_PENALTY
            del scores
            try:
                local = _arrange(relaxed, local_must)
            except _Stranded as again:
                raise _unplaceable(again.people, pool, names) from None
            together = sum(1 for g in local for a in g for b in g if a < b and colleagues[a, b])
            warnings.append(ngettext(
                "Keeping colleagues apart left no way to place everyone, so %(num)d group "
                "includes colleagues from the same organisation.",
                "Keeping colleagues apart left no way to place everyone, so %(num)d groups "
                "include colleagues from the same organisation.", together))
        groups = [tuple(int(pool[v]) for v in g) for g in local]

    total, notes = _total(profiles, locked_groups + groups, weights, history)
    warnings += notes
    trios = [g for g in groups if len(g) == 3]
    if len(trios) == 1:
        warnings.append(_("With an odd number of people, %(names)s meet as a trio.",
                          names=joined(names[i] for i in trios[0])))
    elif trios:
        warnings.append(ngettext("The rules leave no way to pair everyone, so %(num)d group "
                                 "is a trio.",
                                 "The rules leave no way to pair everyone, so %(num)d groups "
                                 "are trios.", len(trios)))
    ordered = locked_groups + sorted(groups)
    return PairingResult([tuple(profiles[i].key for i in g) for g in ordered], total, warnings)


def _unplaceable(people: list[int], pool: np.ndarray, names: list[str]) -> MatchingError:
    return MatchingError(ngettext(
        "%(names)s cannot be placed: the must-not-meet, language and organisation rules "
        "leave no group this person may join.",
        "%(names)s cannot be placed: the must-not-meet, language and organisation rules "
        "leave no group they may join.", len(people),
        names=joined(names[pool[v]] for v in people)))


def _total(profiles: Sequence[Profile], groups: list[tuple[int, ...]], weights: Weights,
           history: set[frozenset[int]]) -> tuple[float, list[str]]:
    """The groups' summed pair scores; forced pairs that are forbidden count 0, with a note."""
    total = 0.0
    notes = []
    for group in groups:
        for x, a in enumerate(group):
            for b in group[x + 1:]:
                pa, pb = profiles[a], profiles[b]
                value = score(pa, pb, weights, frozenset((pa.key, pb.key)) in history)
                if value == FORBIDDEN:
                    notes.append(_("%(first)s and %(second)s are kept together by a rule "
                                   "although they share no language or have met before.",
                                   first=_name(pa), second=_name(pb)))
                else:
                    total += value
    return total, notes


def _arrange(scores: np.ndarray, must: list[tuple[int, int]]) -> list[tuple[int, ...]]:
    """Groups of pool indices covering everyone: best pairs, trios only where needed."""
    m = len(scores)
    for a, b in must:  # a rule keeps them together whatever they score
        if not np.isfinite(scores[a, b]):
            scores[a, b] = scores[b, a] = 0.0
    if m <= EXACT_SMALL:
        exact = _exact_small(scores, must)
        if exact is not None:
            return exact
    fixed = np.zeros(m, dtype=bool)
    for a, b in must:
        fixed[a] = fixed[b] = True
    free = np.flatnonzero(~fixed)
    cand = _candidates(scores, ~fixed, NEIGHBOURS)
    if len(free) <= EXACT_LIMIT:
        mate = _match_exact(scores, free)
    else:
        mate = _match_large(scores, free, cand)
    stranded = [int(v) for v in free if mate[v] < 0]
    trios = _seat(scores, mate, must, stranded)
    return _polish(scores, mate, must, trios, cand)


def _exact_small(scores: np.ndarray, must: list[tuple[int, int]]) -> list[tuple[int, ...]] | None:
    """The best cover by pairs (plus one trio for an odd count), or None if there is none.

    Always groups the lowest remaining person; a trio is allowed exactly while
    the remaining count is odd, so an odd count gets one trio and an even
    count none.
    """
    m = len(scores)
    w = scores.astype(np.float64).tolist()
    partner = [-1] * m
    for a, b in must:
        partner[a], partner[b] = b, a

    def intact(group: tuple[int, ...]) -> bool:
        return all(partner[v] < 0 or partner[v] in group for v in group)

    @cache
    def best(mask: int) -> tuple[float, tuple[tuple[int, ...], ...]]:
        if not mask:
            return 0.0, ()
        i = (mask & -mask).bit_length() - 1
        rest = [j for j in range(i + 1, m) if mask >> j & 1]
        found: tuple[float, tuple[tuple[int, ...], ...]] = (FORBIDDEN, ())
        options = [((i, j), w[i][j]) for j in rest]
        if len(rest) % 2 == 0:  # odd count including i
            options += [((i, j, k), w[i][j] + w[i][k] + w[j][k])
                        for x, j in enumerate(rest) for k in rest[x + 1:]]
        for group, value in options:
            if value == FORBIDDEN or not intact(group):
                continue
            below, groups = best(mask & ~sum(1 << v for v in group))
            if value + below > found[0]:
                found = (value + below, (group, *groups))
        return found

    value, groups = best((1 << m) - 1)
    return list(groups) if value > FORBIDDEN else None


def _match_exact(scores: np.ndarray, free: np.ndarray) -> np.ndarray:
    """A maximum-cardinality, maximum-weight matching of ``free`` (networkx blossom)."""
    mate = np.full(len(scores), -1, dtype=np.int64)
    sub = scores[np.ix_(free, free)].astype(np.float64)
    allowed = np.isfinite(sub)
    if not allowed.any():
        return mate
    # Positive weights: among maximum-cardinality matchings every one has the
    # same number of edges, so a shift keeps the optimum and avoids any doubt
    # about negative weights.
    shift = 1.0 - sub[allowed].min()
    graph = nx.Graph()
    graph.add_nodes_from(range(len(free)))
    rows, cols = np.nonzero(np.triu(allowed, 1))
    graph.add_weighted_edges_from(zip(rows.tolist(), cols.tolist(),
                                      (sub[rows, cols] + shift).tolist()))
    for a, b in nx.max_weight_matching(graph, maxcardinality=True):
        mate[free[a]], mate[free[b]] = free[b], free[a]
    return mate


def _candidates(scores: np.ndarray, free: np.ndarray, k: int) -> np.ndarray:
    """Each person's ``k`` best allowed free partners, best first; -1 pads missing ones."""
    m = len(scores)
    k = min(k, m - 1)
    out = np.empty((m, k), dtype=np.int64)
    for start in range(0, m, _CHUNK):
        block = np.where(free[None, :], scores[start:start + _CHUNK], FORBIDDEN)
        top = np.argpartition(block, m - k, axis=1)[:, m - k:]
        values = np.take_along_axis(block, top, axis=1)
        order = np.argsort(-values, axis=1, kind="stable")
        top = np.take_along_axis(top, order, axis=1)
        top[~np.isfinite(np.take_along_axis(values, order, axis=1))] = -1
        out[start:start + _CHUNK] = top
    return out


def _match_large(scores: np.ndarray, free: np.ndarray, cand: np.ndarray) -> np.ndarray:
    """A near-optimal matching of ``free``: relaxation, rounding, repair, local search."""
    mate = np.full(len(scores), -1, dtype=np.int64)
    perm = _relaxation(scores, free, cand)
    if perm is not None:
        _pair_odd_cycles(scores, _round(scores, free, perm, mate), mate)
    else:
        # No assignment exists on the candidate graph (the rules cut too many
        # pairs): start from candidate edges, heaviest first.
        rows = np.repeat(np.arange(len(scores)), cand.shape[1])
        cols = cand.ravel()
        ok = (cols >= 0) & np.isin(rows, free)
        _greedy(scores, rows[ok], cols[ok], mate)
    leftovers = np.array([v for v in free if mate[v] < 0], dtype=np.int64)
    if len(leftovers):
        rows, cols = np.nonzero(np.triu(np.isfinite(scores[np.ix_(leftovers, leftovers)]), 1))
        _greedy(scores, leftovers[rows], leftovers[cols], mate)
    _augment(scores, free, mate)
    _local_search(scores, mate, cand)
    return mate


def _relaxation(scores: np.ndarray, free: np.ndarray, cand: np.ndarray) -> np.ndarray | None:
    """A maximum assignment (permutation of ``free``) on the symmetric candidate graph."""
    f = len(free)
    position = np.full(len(scores), -1, dtype=np.int64)
    position[free] = np.arange(f)
    rows = np.repeat(free, cand.shape[1])
    cols = cand[free].ravel()
    ok = cols >= 0
    r, c = position[rows[ok]], position[cols[ok]]
    if not len(r):
        return None
    # The union of both directions, each edge once: a 0/1 pattern plus its transpose.
    pattern = csr_matrix((np.ones(len(r)), (r, c)), shape=(f, f))
    pattern = (pattern + pattern.T).tocoo()
    r, c = pattern.row, pattern.col
    weight = scores[free[r], free[c]].astype(np.float64)
    # csgraph treats stored zeros as absent edges: keep every weight positive.
    graph = csr_matrix((weight - weight.min() + 1.0, (r, c)), shape=(f, f))
    try:
        _rows, col = min_weight_full_bipartite_matching(graph, maximize=True)
    except ValueError:
        return None
    return col


def _round(scores: np.ndarray, free: np.ndarray, perm: np.ndarray,
           mate: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Turn the assignment's even cycles into pairs in ``mate``; return the odd cycles.

    A cycle's edges alternate between two matchings of it; an even cycle
    takes the better one. An odd cycle must leave one person out: it is
    returned with, for each of its people, the value of matching the rest.
    """
    seen = np.zeros(len(perm), dtype=bool)
    odd = []
    for start in range(len(perm)):
        if seen[start]:
            continue
        cycle = []
        v = start
        while not seen[v]:
            seen[v] = True
            cycle.append(v)
            v = perm[v]
        nodes = free[cycle]
        length = len(nodes)
        edges = scores[nodes, np.roll(nodes, -1)].astype(np.float64)  # edge i joins i, i+1
        if length % 2:
            # Leaving out node j matches the path j+1 … j-1, i.e. edges j+1, j+3, …,
            # j+length-2: a difference of same-parity prefix sums over the doubled cycle.
            doubled = np.concatenate([edges, edges])
            prefix = np.zeros(2 * length + 2)
            for parity in (0, 1):
                prefix[parity + 2::2] = np.cumsum(doubled[parity::2])
            j = np.arange(length)
            odd.append((nodes, prefix[j + length] - prefix[j + 1]))
            continue
        first = int(edges[1::2].sum() > edges[0::2].sum())
        _take_path(np.roll(nodes, -first), mate)
    return odd


def _take_path(nodes: np.ndarray, mate: np.ndarray) -> None:
    """Pair consecutive people: (0, 1), (2, 3), …"""
    for a, b in zip(nodes[0::2], nodes[1::2]):
        mate[a], mate[b] = b, a


def _pair_odd_cycles(scores: np.ndarray, odd: list[tuple[np.ndarray, np.ndarray]],
                     mate: np.ndarray) -> None:
    """Leave one person out of each odd cycle and pair those people across cycles.

    Pairing cycles i and j through x in i and y in j is worth the rest of
    both cycles plus the score of (x, y); the best x, y for every two cycles
    give a small matching problem between cycles, solved like the big one.
    With an odd number of cycles one stays unpaired and leaves out its
    cheapest person (who then joins a pair as the trio).
    """
    if not odd:
        return
    count = len(odd)
    between = np.full((count, count), FORBIDDEN, dtype=np.float64)
    choice = np.zeros((count, count, 2), dtype=np.int64)
    for i, j in itertools.combinations(range(count), 2):
        (nodes_i, rest_i), (nodes_j, rest_j) = odd[i], odd[j]
        value = (scores[np.ix_(nodes_i, nodes_j)] + rest_i[:, None]) + rest_j[None, :]
        x, y = np.unravel_index(int(np.argmax(value)), value.shape)
        if np.isfinite(value[x, y]):
            between[i, j] = between[j, i] = value[x, y]
            choice[i, j], choice[j, i] = (x, y), (y, x)
    everyone = np.arange(count)
    if count <= EXACT_LIMIT:
        cycle_mate = _match_exact(between, everyone)
    else:
        cycle_mate = _match_large(between, everyone,
                                  _candidates(between, np.ones(count, dtype=bool), NEIGHBOURS))
    for i, (nodes, rest) in enumerate(odd):
        out = choice[i, cycle_mate[i], 0] if cycle_mate[i] >= 0 else int(np.argmax(rest))
        _take_path(np.roll(nodes, -(out + 1))[:-1], mate)
        if cycle_mate[i] > i:
            j = cycle_mate[i]
            a, b = nodes[out], odd[j][0][choice[i, j, 1]]
            mate[a], mate[b] = b, a


def _greedy(scores: np.ndarray, rows: np.ndarray, cols: np.ndarray, mate: np.ndarray) -> None:
    """Add the given edges heaviest first wherever both ends are still unmatched."""
    weight = scores[rows, cols]
    for e in np.argsort(-weight, kind="stable"):
        a, b = rows[e], cols[e]
        if a != b and mate[a] < 0 and mate[b] < 0 and np.isfinite(weight[e]):
            mate[a], mate[b] = b, a


def _augment(scores: np.ndarray, free: np.ndarray, mate: np.ndarray) -> None:
    """Match unmatched pairs of people through alternating paths where possible.

    A breadth-first search from each unmatched person; it ignores odd
    cycles (blossoms), so it can miss a path, but only rule-heavy inputs
    need it at all and the trio step catches what is left.
    """
    allowed_free = np.zeros(len(scores), dtype=bool)
    allowed_free[free] = True
    for u in [int(v) for v in free if mate[v] < 0]:
        if mate[u] >= 0:
            continue
        parent = {u: -1}
        queue = deque([u])
        found = -1
        while queue and found < 0:
            x = queue.popleft()
            for y in np.flatnonzero(np.isfinite(scores[x]) & allowed_free).tolist():
                if y in parent or y == x:
                    continue
                if mate[y] < 0:
                    parent[y] = x
                    found = y
                    break
                parent[y] = x
                parent[int(mate[y])] = y
                queue.append(int(mate[y]))
        # Flip the path u … x → found: each outer vertex x takes the vertex that
        # reached it (found, then its old partner's predecessor, and so on).
        y = found
        while y >= 0:
            x = parent[y]
            previous = int(mate[x])
            mate[x], mate[y] = y, x
            y = previous if x != u else -1


def _w(scores: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Scores of pairs ``(a, b)`` in float64, so sums of many gains stay exact."""
    return scores[a, b].astype(np.float64)


def _apply(moves: np.ndarray, gains: np.ndarray, size: int,
           do: Callable[[np.ndarray], None]) -> None:
    """Apply improving moves best first, skipping any that touch a pair already changed.

    Each row of ``moves`` lists every person the move re-pairs, so moves
    applied in one batch are independent and each keeps its computed gain.
    """
    used = np.zeros(size, dtype=bool)
    for e in np.argsort(-gains, kind="stable"):
        if used[moves[e]].any():
            continue
        used[moves[e]] = True
        do(moves[e])


def _local_search(scores: np.ndarray, mate: np.ndarray, cand: np.ndarray) -> None:
    """2-opt and alternating 6-cycle moves over free pairs until neither improves."""
    while _two_opt(scores, mate, cand) | _six_cycles(scores, mate, cand):
        pass


def _two_opt(scores: np.ndarray, mate: np.ndarray, cand: np.ndarray) -> bool:
    """Re-pair (v, mv), (c, mc) as (v, c), (mv, mc) for candidates c of v. True if improved."""
    improved = False
    while True:
        v = np.flatnonzero(mate >= 0)
        if not len(v):
            return improved
        c = cand[v]
        cc = np.where(c >= 0, c, 0)
        mv, mc = mate[v][:, None], mate[cc]
        valid = (c >= 0) & (mc >= 0) & (c != mv)
        mc = np.where(valid, mc, 0)
        with np.errstate(invalid="ignore"):  # -inf - -inf on masked entries only
            gain = (_w(scores, v[:, None], cc) + _w(scores, mv, mc)
                    - _w(scores, v, mate[v])[:, None] - _w(scores, cc, mc))
        gain[~valid] = FORBIDDEN
        rows, cols = np.nonzero(gain > _EPS)
        if not len(rows):
            return improved
        a, b = v[rows], cc[rows, cols]
        quads = np.stack([a, mate[a], b, mate[b]], axis=1)

        def do(q: np.ndarray) -> None:
            mate[q[0]], mate[q[2]] = q[2], q[0]
            mate[q[1]], mate[q[3]] = q[3], q[1]

        _apply(quads, gain[rows, cols], len(mate), do)
        improved = True


def _six_cycles(scores: np.ndarray, mate: np.ndarray, cand: np.ndarray) -> bool:
    """Re-pair three pairs (v,mv), (c,mc), (e,me) as (v,c), (mc,e), (me,mv). True if improved."""
    k = min(CYCLE_NEIGHBOURS, cand.shape[1])
    v = np.flatnonzero(mate >= 0)
    if len(v) < 6:
        return False
    c = cand[v, :k]
    cc = np.where(c >= 0, c, 0)
    mv, mc = mate[v], mate[cc]
    ok_c = (c >= 0) & (mc >= 0) & (c != mv[:, None])
    mc = np.where(ok_c, mc, 0)
    e = cand[mc, :k]  # |v| × k × k
    ee = np.where(e >= 0, e, 0)
    me = mate[ee]
    ok = ok_c[:, :, None] & (e >= 0) & (me >= 0)
    ok &= (ee != v[:, None, None]) & (ee != mv[:, None, None])
    ok &= (ee != cc[:, :, None]) & (ee != mc[:, :, None])
    me = np.where(ok, me, 0)
    with np.errstate(invalid="ignore"):  # -inf - -inf on masked entries only
        gain = (_w(scores, v[:, None], cc)[:, :, None] + _w(scores, mc[:, :, None], ee)
                + _w(scores, me, mv[:, None, None])
                - _w(scores, v, mv)[:, None, None] - _w(scores, cc, mc)[:, :, None]
                - _w(scores, ee, me))
    gain[~ok] = FORBIDDEN
    i, j, l = np.nonzero(gain > _EPS)
    if not len(i):
        return False
    va, ca, ea = v[i], cc[i, j], ee[i, j, l]
    six = np.stack([va, mate[va], ca, mate[ca], ea, mate[ea]], axis=1)

    def do(s: np.ndarray) -> None:
        mate[s[0]], mate[s[2]] = s[2], s[0]
        mate[s[3]], mate[s[4]] = s[4], s[3]
        mate[s[5]], mate[s[1]] = s[1], s[5]

    _apply(six, gain[i, j, l], len(mate), do)
    return True


def _seat(scores: np.ndarray, mate: np.ndarray, must: list[tuple[int, int]],
          stranded: list[int]) -> list[tuple[int, ...]]:
    """Add each unmatched person to a different pair as its third, best fit first."""
    hosts = _pairs_of(mate) + must
    if not stranded:
        return []
    if not hosts:
        raise _Stranded(stranded)
    host_a = np.array([h[0] for h in hosts])
    host_b = np.array([h[1] for h in hosts])
    people = np.array(stranded)
    fit = (scores[people[:, None], host_a[None, :]].astype(np.float64)
           + scores[people[:, None], host_b[None, :]])
    trios = []
    taken = np.zeros(len(hosts), dtype=bool)
    left = []
    for x in range(len(people)):
        options = np.where(taken, FORBIDDEN, fit[x])
        h = int(np.argmax(options))
        if not np.isfinite(options[h]):
            left.append(stranded[x])
            continue
        taken[h] = True
        a, b = hosts[h]
        mate[a] = mate[b] = -1
        trios.append((a, b, stranded[x]))
    if left:
        raise _Stranded(left)
    return trios


_SPLITS = [(i, j) for i in range(5) for j in range(i + 1, 5)]


def _pairs_of(mate: np.ndarray) -> list[tuple[int, int]]:
    return [(int(a), int(mate[a])) for a in np.flatnonzero(mate >= 0) if a < mate[a]]


def _polish(scores: np.ndarray, mate: np.ndarray, must: list[tuple[int, int]],
            trios: list[tuple[int, ...]], cand: np.ndarray) -> list[tuple[int, ...]]:
    """Improve the trios against every pair (then the pairs again); return all groups.

    A trio and a pair can regroup their five people into a pair and a trio
    in ten ways; the best one that keeps must-meet pairs together is taken.
    """
    partner = np.full(len(scores), -1, dtype=np.int64)
    for a, b in must:
        partner[a], partner[b] = b, a
    in_trio = {v for trio in trios for v in trio}
    fixed = [(a, b) for a, b in must if a not in in_trio]
    for _pass in range(len(scores)):  # each pass strictly improves; this only bounds the loop
        changed = False
        for t, trio in enumerate(trios):
            hosts = np.array(_pairs_of(mate) + fixed, dtype=np.int64).reshape(-1, 2)
            if not len(hosts):
                break
            union = np.hstack([np.tile(np.array(trio), (len(hosts), 1)), hosts])
            # Where in the row each person's must-meet partner sits (-1: elsewhere or none).
            partner_at = np.full(union.shape, -1)
            for k in range(5):
                for slot in range(5):
                    hit = (partner[union[:, k]] >= 0) & (union[:, slot] == partner[union[:, k]])
                    partner_at[hit, k] = slot
            current = _group_value(scores, union[:, :3]) + _group_value(scores, union[:, 3:])
            best_gain, best = _EPS, None
            for split in _SPLITS:
                in_pair = np.array([k in split for k in range(5)])
                rest = [k for k in range(5) if k not in split]
                split_up = in_pair[None, :] != in_pair[partner_at]
                broken = ((partner_at >= 0) & split_up).any(axis=1)
                gain = (_group_value(scores, union[:, list(split)])
                        + _group_value(scores, union[:, rest]) - current)
                gain[broken] = FORBIDDEN
                h = int(np.argmax(gain))
                if gain[h] > best_gain:
                    best_gain, best = gain[h], (h, split, rest)
            if best is None:
                continue
            h, split, rest = best
            old = (int(hosts[h, 0]), int(hosts[h, 1]))
            if old in fixed:
                fixed.remove(old)
            else:
                mate[old[0]] = mate[old[1]] = -1
            a, b = (int(union[h, k]) for k in split)
            if partner[a] == b:
                fixed.append((a, b))
            else:
                mate[a], mate[b] = b, a
            trios[t] = tuple(int(union[h, k]) for k in rest)
            changed = True
        if not changed:
            break
        _local_search(scores, mate, cand)
    return [tuple(sorted(g)) for g in _pairs_of(mate) + fixed + trios]


def _group_value(scores: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Summed pair scores of each row's group (rows of 2 or 3 people)."""
    total = np.zeros(len(members))
    for x in range(members.shape[1]):
        for y in range(x + 1, members.shape[1]):
            total += scores[members[:, x], members[:, y]]
    return total
