"""Quality and speed of the matching algorithms on realistic, seeded populations.

    .venv/bin/python benchmarks/matching.py            # everything (a few minutes)
    .venv/bin/python benchmarks/matching.py --quick    # skips networkx at 400 and n = 5,000

Goals, each checked and printed as PASS or FAIL:

* Pairs, n = 100 … 400: our total is at least 0.995 of the exact optimum
  (networkx's blossom algorithm, maximum-cardinality maximum-weight
  matching on the same score matrix). Both are timed.
* Pairs, n = 1,000 and 5,000: at least 0.995 of a proven upper bound in at
  most 0.5 s and 5 s, under 1 GB. The bound is half the optimal value of the
  assignment problem on the symmetric score matrix with the diagonal
  forbidden (a perfect matching read in both directions is an assignment).
  n = 100 and 2,000 are shown too. Each size runs in a fresh subprocess; the
  memory column is that process's peak resident set size (ru_maxrss), and
  "+call" is how much it grew during the ``pair()`` call alone (population
  built and libraries imported before). Time is the whole ``pair()`` call,
  score matrix included.
* Greedy (heaviest pair first) is the baseline on the same matrices.
* Tables: the social-golfer instances must have no repeated pair (Kirkman's
  15 schoolgirls, 16 in 4 × 4 for 5 rounds, 32 in 8 × 4 for 9 rounds;
  10 rounds is the known maximum and only a stretch goal; 36 in 6 × 6 for 3
  rounds), 36 in 6 × 6 for 4 rounds must be reported impossible, each within
  10 s; 120 realistic profiles at tables of 8 for 4 rounds within 2 s with no
  repeats. "zero-repeat rounds" is the largest set of the plan's rounds
  without a repeated pair. For the realistic instance the score is compared
  with random seating (mean of 20) and with an upper bound: half the sum
  over people of their best 4 × 7 scores (no plan without repeats can do
  better).

Scores are the plugin's defaults; colleagues are kept apart (``same_org="avoid"``).
"""
from __future__ import annotations

import argparse
import itertools
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import networkx as nx
import numpy as np
from organizer_plugins.matching.pairing import pair
from organizer_plugins.matching.scoring import Profile, score_matrix
from organizer_plugins.matching.table_rounds import plan_tables
from scipy.optimize import linear_sum_assignment

ROOT = Path(__file__).resolve().parent.parent

FIELDS = ["climate", "finance", "health", "education", "software", "design", "media",
          "public sector", "retail", "energy", "biotech", "law"]
SKILLS = ["fundraising", "hiring", "design", "python", "sales", "mentoring", "marketing",
          "product management", "data science", "public speaking", "legal advice",
          "accounting", "ux research", "devops", "machine learning", "writing", "negotiation",
          "investing", "partnerships", "operations", "community building", "grant writing",
          "press relations", "branding", "pricing", "strategy", "leadership",
          "customer success", "security", "policy"]
INTERESTS = ["ai", "climbing", "running", "cycling", "jazz", "chess", "photography", "cooking",
             "hiking", "open source", "startups", "climate tech", "poetry", "film", "wine",
             "coffee", "yoga", "board games", "sailing", "football", "tennis", "swimming",
             "gardening", "podcasts", "sci-fi", "history", "philosophy", "economics",
             "urban planning", "architecture", "fashion", "music production", "theatre",
             "volunteering", "parenting", "travel", "languages", "crypto", "robotics",
             "space", "biology", "neuroscience", "mental health", "nutrition", "meditation",
             "skiing", "surfing", "dance", "painting", "writing fiction", "comics", "gaming",
             "birdwatching", "astronomy", "diy", "electronics", "public health", "education",
             "social impact", "design systems"]


def population(n: int, seed: int = 0) -> list[Profile]:
    """``n`` seeded, realistic profiles.

    Interests follow a Zipf-like popularity; offers come from 30 skills;
    what people seek depends on their field (each field has six typical
    needs) plus an occasional other skill; about n/8 organisations with
    Zipf sizes (the biggest holds a sixth to a third of the room); 92 %
    speak only English, 7 % English and another language, 1 % only another
    language (those work independently, so that everyone can be placed).
    """
    rng = np.random.default_rng(seed)
    interest_p = 1 / np.arange(1, len(INTERESTS) + 1) ** 0.9
    skill_p = 1 / np.arange(1, len(SKILLS) + 1) ** 0.6
    needs = {f: rng.permutation(len(SKILLS))[:6] for f in FIELDS}
    orgs = max(1, n // 8)
    org_p = 1 / np.arange(1, orgs + 1) ** 1.1
    people = []
    for key in range(n):
        field = FIELDS[rng.integers(len(FIELDS))]
        interests = rng.choice(len(INTERESTS), rng.integers(2, 7), replace=False,
                               p=interest_p / interest_p.sum())
        offers = set(rng.choice(len(SKILLS), rng.integers(1, 4), replace=False,
                                p=skill_p / skill_p.sum()).tolist())
        seeks = set(rng.choice(needs[field], rng.integers(1, 4), replace=False).tolist())
        if rng.random() < 0.5:
            seeks.add(int(rng.integers(len(SKILLS))))
        other = ["fr", "de", "es"][rng.integers(3)]
        u = rng.random()
        languages = ["en"] if u < 0.92 else ["en", other] if u < 0.99 else [other]
        works_in_org = rng.random() < 0.9 and languages != [other]
        org = f"org {rng.choice(orgs, p=org_p / org_p.sum())}" if works_in_org else ""
        people.append(Profile(key, f"Person {key}", frozenset(INTERESTS[i] for i in interests),
                              field=field, organisation=org,
                              offers=frozenset(SKILLS[i] for i in offers),
                              seeks=frozenset(SKILLS[i] for i in seeks - offers),
                              languages=frozenset(languages)))
    return people


# -- measures ----------------------------------------------------------------------------


def groups_total(matrix: np.ndarray, groups: list[tuple[int, ...]]) -> float:
    """Summed pair scores of groups of keys (keys are matrix indices here)."""
    return float(sum(matrix[a, b] for g in groups for a, b in itertools.combinations(g, 2)))


def exact_optimum(matrix: np.ndarray) -> float:
    """networkx's maximum-weight maximum-cardinality matching value."""
    finite = np.isfinite(matrix)
    shift = 1.0 - float(matrix[finite].min())
    rows, cols = np.nonzero(np.triu(finite, 1))
    graph = nx.Graph()
    graph.add_weighted_edges_from(zip(rows.tolist(), cols.tolist(),
                                      (matrix[rows, cols].astype(float) + shift).tolist()))
    return float(sum(matrix[a, b] for a, b in nx.max_weight_matching(graph, maxcardinality=True)))


def assignment_bound(matrix: np.ndarray) -> float:
    """Half the best assignment value: an upper bound on any matching's total."""
    dense = np.where(np.isfinite(matrix), matrix.astype(np.float64), -1e9)
    rows, cols = linear_sum_assignment(dense, maximize=True)
    return float(dense[rows, cols].sum()) / 2


def greedy(matrix: np.ndarray) -> float:
    """Heaviest pair first, skipping anyone already paired."""
    rows, cols = np.nonzero(np.triu(np.isfinite(matrix), 1))
    values = matrix[rows, cols]
    order = np.argsort(-values, kind="stable")
    taken = np.zeros(len(matrix), dtype=bool)
    total, left = 0.0, len(matrix) // 2
    for e in order:
        a, b = rows[e], cols[e]
        if not taken[a] and not taken[b]:
            taken[a] = taken[b] = True
            total += float(values[e])
            left -= 1
            if not left:
                break
    return total


def pairs_worker(n: int) -> None:
    """Run one size in this fresh process; print a JSON line of measurements."""
    people = population(n, seed=n)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    result = pair(people)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    matrix = score_matrix(people)
    bound = assignment_bound(matrix)
    print(json.dumps({"seconds": seconds, "peak_mb": peak / 1024,
                      "call_mb": (peak - before) / 1024,
                      "ours": groups_total(matrix, result.groups), "bound": bound,
                      "greedy": greedy(matrix), "trios": sum(len(g) == 3 for g in result.groups)}))


# -- report ------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def pairs_against_exact(sizes: list[int]) -> None:
    print("Pairs against the exact optimum (networkx)")
    print(f"{'n':>6} {'ours/exact':>11} {'greedy/exact':>13} {'ours s':>8} "
          f"{'networkx s':>11}  goal")
    for n in sizes:
        people = population(n, seed=n)
        matrix = score_matrix(people)
        start = time.perf_counter()
        result = pair(people)
        ours_s = time.perf_counter() - start
        start = time.perf_counter()
        best = exact_optimum(matrix)
        exact_s = time.perf_counter() - start
        ratio = groups_total(matrix, result.groups) / best
        print(f"{n:>6} {ratio:>11.5f} {greedy(matrix) / best:>13.5f} {ours_s:>8.3f} "
              f"{exact_s:>11.2f}  {verdict(ratio >= 0.995)} (≥ 0.995)")
    print()


def pairs_against_bound(sizes: list[int]) -> None:
    print("Pairs against the assignment bound (each size in a fresh process)")
    print(f"{'n':>6} {'ours/bound':>11} {'greedy/bound':>13} {'ours s':>8} {'peak MB':>8} "
          f"{'+call MB':>9}  goal")
    limits = {1000: 0.5, 5000: 5.0}
    for n in sizes:
        out = subprocess.run([sys.executable, __file__, "--pairs-worker", str(n)],
                             capture_output=True, text=True, check=True, cwd=ROOT)
        m = json.loads(out.stdout.strip().splitlines()[-1])
        ratio = m["ours"] / m["bound"]
        goal = ""
        if n in limits:
            ok = ratio >= 0.995 and m["seconds"] <= limits[n] and m["peak_mb"] < 1024
            goal = f"{verdict(ok)} (≥ 0.995, ≤ {limits[n]:g} s, < 1 GB)"
        print(f"{n:>6} {ratio:>11.5f} {m['greedy'] / m['bound']:>13.5f} {m['seconds']:>8.3f} "
              f"{m['peak_mb']:>8.0f} {m['call_mb']:>9.0f}  {goal}")
    print()


def zero_repeat_rounds(rounds: list[list[tuple[int, ...]]]) -> int:
    """The most rounds of the plan that together repeat no pair."""
    pairs = [{frozenset(p) for table in tables for p in itertools.combinations(table, 2)}
             for tables in rounds]
    for size in range(len(rounds), 0, -1):
        for chosen in itertools.combinations(range(len(rounds)), size):
            seen: set[frozenset[int]] = set()
            for r in chosen:
                if pairs[r] & seen:
                    break
                seen |= pairs[r]
            else:
                return size
    return 0


def tables_report() -> None:
    print("Tables")
    print(f"{'instance':<32} {'zero-repeat rounds':>18} {'repeats':>8} {'bound':>6} "
          f"{'s':>6}  goal")
    golfers = [(15, 3, 7, "no repeats"), (16, 4, 5, "no repeats"), (32, 4, 9, "no repeats"),
               (32, 4, 10, "stretch"), (36, 6, 3, "no repeats"), (36, 6, 4, "impossible")]
    for n, size, rounds, goal in golfers:
        people = [Profile(k, f"Person {k}", frozenset()) for k in range(n)]
        start = time.perf_counter()
        plan = plan_tables(people, size, rounds)
        seconds = time.perf_counter() - start
        if goal == "impossible":
            ok = plan.min_repeats >= 1 and bool(plan.warnings) and seconds <= 10
            note = plan.warnings[0] if plan.warnings else ""
        else:
            ok = plan.repeats == 0 and seconds <= 10
            note = "reached" if ok else "not reached"
        label = f"{n} at {n // size}×{size}, {rounds} rounds"
        print(f"{label:<32} {zero_repeat_rounds(plan.rounds):>18} {plan.repeats:>8} "
              f"{plan.min_repeats:>6} {seconds:>6.2f}  "
              + (f"stretch goal {note}" if goal == "stretch" else f"{verdict(ok)} {note}"))

    n, size, rounds = 120, 8, 4
    people = population(n, seed=120)
    start = time.perf_counter()
    plan = plan_tables(people, size, rounds)
    seconds = time.perf_counter() - start
    matrix = score_matrix(people, same_org="allow").astype(np.float64)
    matrix[~np.isfinite(matrix)] = 0.0
    bound = float(-np.sort(-matrix, axis=1)[:, :rounds * (size - 1)].sum()) / 2
    rng = np.random.default_rng(0)
    random_totals = []
    for _ in range(20):
        total = 0.0
        for _ in range(rounds):
            order = rng.permutation(n)
            total += groups_total(matrix, [tuple(order[i:i + size]) for i in range(0, n, size)])
        random_totals.append(total)
    ok = plan.repeats == 0 and seconds <= 2
    label = f"{n} realistic at {n // size}×{size}, {rounds} rounds"
    print(f"{label:<32} {zero_repeat_rounds(plan.rounds):>18} {plan.repeats:>8} "
          f"{plan.min_repeats:>6} {seconds:>6.2f}  {verdict(ok)} (no repeats, ≤ 2 s)")
    mean = float(np.mean(random_totals))
    print(f"    score {plan.total:.0f}: {plan.total / mean:.2f} × random seating ({mean:.0f}), "
          f"{plan.total / bound:.3f} of the upper bound ({bound:.0f})")
    for note in plan.warnings:
        print(f"    {note}")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="skip networkx at 400 people and the 5,000-person run")
    parser.add_argument("--pairs-worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.pairs_worker:
        pairs_worker(args.pairs_worker)
        return
    pairs_against_exact([100, 200, 300] if args.quick else [100, 200, 300, 400])
    pairs_against_bound([100, 1000, 2000] if args.quick else [100, 1000, 2000, 5000])
    tables_report()


if __name__ == "__main__":
    main()
