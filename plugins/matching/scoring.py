"""How well two attendees would get on: profiles, weights, pair scores and reasons.

A score is a sum of small, explainable parts: what one can offer that the
other seeks (the strongest signal), shared interests, and a bonus for
different fields; having met before costs a penalty. A host who wants a more
diverse mix adds bonuses for different organisations and for pairing a
newcomer with a regular (:data:`DIVERSE_WEIGHTS`). Pairs that must never
be put together (no shared language, a must-not-meet rule, colleagues when
``same_org="avoid"``) score ``FORBIDDEN``, which is ``-inf``.
"""
from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np

from organizer.plugin_api import gettext as _

from .words import listing

FORBIDDEN = float("-inf")
"""The score of a pair that must not be matched (also the matrix sentinel)."""

SameOrg = Literal["avoid", "allow"]
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=4096)  # a community's tags repeat across every profile
def normalise_tag(text: str) -> str:
    """A tag as stored and compared: lower case, single spaces, no outer blanks."""
    return _SPACES.sub(" ", text).strip().lower()


def _tags(values: Iterable[str]) -> frozenset[str]:
    if isinstance(values, str):  # a lone string is one tag, not a set of letters
        values = [values]
    return frozenset(tag for tag in map(normalise_tag, values) if tag)


@dataclass(frozen=True)
class Profile:
    """What matching knows about one attendee. Tag sets are normalised on creation."""

    key: int
    name: str
    interests: frozenset[str] = frozenset()
    field: str = ""
    organisation: str = ""
    offers: frozenset[str] = frozenset()
    seeks: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    # "new" (first time at the host's events), "regular" (came often), or "" (neither).
    tenure: str = ""

    def __post_init__(self) -> None:
        # Frozen, so normalising goes through object.__setattr__; callers may
        # pass lists or sets of raw strings.
        for name in ("interests", "offers", "seeks", "languages"):
            object.__setattr__(self, name, _tags(getattr(self, name)))


@dataclass(frozen=True)
class Weights:
    """How much each part of a score counts.

    ``offer_seek`` is per matched tag in each direction, ``shared_interest``
    per shared interest; ``different_field`` is added once when both fields
    are set and differ; ``met_before`` is subtracted for a pair that has met,
    or such a pair is forbidden when ``forbid_met_before`` is set. With
    ``require_shared_language``, two people who both list languages but share
    none are forbidden. ``different_org`` is added once when both
    organisations are set and differ; ``newcomer_regular`` when one of the two
    is new and the other a regular.
    """

    offer_seek: float = 3.0
    shared_interest: float = 1.0
    different_field: float = 1.0
    met_before: float = 2.5
    forbid_met_before: bool = False
    require_shared_language: bool = True
    different_org: float = 0.0
    newcomer_regular: float = 0.0


DEFAULT_WEIGHTS = Weights()
# A diverse mix: meeting another field counts more than one offer that meets a need
# (people of one field share most interests, so less would change little), other
# organisations and a newcomer beside a regular nearly as much as such an offer.
DIVERSE_WEIGHTS = Weights(different_field=5.0, different_org=2.0, newcomer_regular=2.5)


def _same_text(a: str, b: str) -> bool:
    return bool(a.strip()) and a.strip().casefold() == b.strip().casefold()


def _different_fields(a: Profile, b: Profile) -> bool:
    return bool(a.field.strip()) and bool(b.field.strip()) and not _same_text(a.field, b.field)


def _different_orgs(a: Profile, b: Profile) -> bool:
    return bool(a.organisation.strip()) and bool(b.organisation.strip()) \
        and not _same_text(a.organisation, b.organisation)


def newcomer_and_regular(a: Profile, b: Profile) -> bool:
    """One of the two is new to the host's events and the other a regular."""
    return {a.tenure, b.tenure} == {"new", "regular"}


def score(a: Profile, b: Profile, weights: Weights = DEFAULT_WEIGHTS,
          met_before: bool = False) -> float:
    """The score of pairing ``a`` with ``b``; ``FORBIDDEN`` when they must not be paired.

    Organisation rules are not applied here (they depend on the event's
    ``same_org`` setting); see ``score_matrix``.
    """
    if weights.require_shared_language and a.languages and b.languages \
            and not a.languages & b.languages:
        return FORBIDDEN
    if met_before and weights.forbid_met_before:
        return FORBIDDEN
    value = weights.offer_seek * (len(a.offers & b.seeks) + len(b.offers & a.seeks))
    value += weights.shared_interest * len(a.interests & b.interests)
    if _different_fields(a, b):
        value += weights.different_field
    if weights.different_org and _different_orgs(a, b):
        value += weights.different_org
    if weights.newcomer_regular and newcomer_and_regular(a, b):
        value += weights.newcomer_regular
    if met_before:
        value -= weights.met_before
    return float(value)


def reasons(a: Profile, b: Profile) -> list[str]:
    """Why ``a`` and ``b`` should talk, as short sentences, strongest first (in the language
    being spoken)."""
    found = []
    if a.offers & b.seeks:
        found.append(_("%(giver)s can help %(taker)s with %(topics)s", giver=a.name,
                       taker=b.name, topics=listing(sorted(a.offers & b.seeks))))
    if b.offers & a.seeks:
        found.append(_("%(giver)s can help %(taker)s with %(topics)s", giver=b.name,
                       taker=a.name, topics=listing(sorted(b.offers & a.seeks))))
    if a.interests & b.interests:
        found.append(_("both into %(topics)s",
                       topics=listing(sorted(a.interests & b.interests))))
    if _different_fields(a, b):
        found.append(_("different fields: %(first)s / %(second)s", first=a.field.strip(),
                       second=b.field.strip()))
    return found


def _incidence(sets: Sequence[Collection[str]], vocabulary: dict[str, int]) -> np.ndarray:
    """A people × tags 0/1 matrix (float32, so products run on BLAS)."""
    rows = [i for i, tags in enumerate(sets) for _ in tags]
    cols = [vocabulary[tag] for tags in sets for tag in tags]
    matrix = np.zeros((len(sets), max(len(vocabulary), 1)), dtype=np.float32)
    matrix[rows, cols] = 1.0
    return matrix


def _vocabulary(*families: Sequence[Collection[str]]) -> dict[str, int]:
    vocabulary: dict[str, int] = {}
    for sets in families:
        for tags in sets:
            for tag in tags:
                vocabulary.setdefault(tag, len(vocabulary))
    return vocabulary


def _label_ids(labels: Sequence[str]) -> np.ndarray:
    """Case-insensitive ids for labels such as organisations; -1 for an empty label."""
    ids: dict[str, int] = {}
    out = np.full(len(labels), -1, dtype=np.int64)
    for i, label in enumerate(labels):
        label = label.strip().casefold()
        if label:
            out[i] = ids.setdefault(label, len(ids))
    return out


def _language_clash(profiles: Sequence[Profile]) -> tuple[np.ndarray, np.ndarray]:
    """Each person's language-list id and an id × id table: both lists set, none shared.

    An event has few distinct language lists, so the n × n rule becomes a
    look-up in a small table.
    """
    lists: dict[frozenset[str], int] = {}
    ids = np.array([lists.setdefault(p.languages, len(lists)) for p in profiles], dtype=np.int64)
    spoken = _incidence(list(lists), _vocabulary(list(lists)))
    listed = spoken.any(axis=1)
    clash = (spoken @ spoken.T) == 0
    clash &= listed[:, None] & listed[None, :]
    return ids, clash


def pair_indices(profiles: Sequence[Profile], pairs: Iterable[Collection[int]]) -> np.ndarray:
    """Rows and columns (a ``2 × k`` array) of the key pairs whose people are both listed."""
    index = {p.key: i for i, p in enumerate(profiles)}
    found = [(index[a], index[b]) for a, b in (tuple(pair) for pair in pairs if len(pair) == 2)
             if a in index and b in index]
    return np.array(found, dtype=np.int64).reshape(-1, 2).T


_CHUNK = 512  # rows per block in the n × n passes: bounded temporaries, cache-friendly


def score_matrix(profiles: Sequence[Profile], weights: Weights = DEFAULT_WEIGHTS,
                 met_before: Collection[frozenset[int]] = frozenset(),
                 forbidden: Collection[frozenset[int]] = frozenset(),
                 same_org: SameOrg = "avoid") -> np.ndarray:
    """All pair scores as a symmetric ``n × n`` float32 array in ``profiles`` order.

    Entry ``[i, j]`` equals ``score(profiles[i], profiles[j], weights, met)``
    (in float32, which holds the default weights' sums exactly). Forbidden
    entries are ``FORBIDDEN`` (``-inf``): the diagonal, the pairs in
    ``forbidden``, and, with ``same_org="avoid"``, colleagues (both
    organisations set and equal ignoring case). Pairs in ``met_before`` or
    ``forbidden`` naming someone absent are ignored.

    Tags become integer ids, so the tag parts are one float32 matrix product,
    and the rest is comparisons of small ids by row blocks: 5,000 people take well
    under a second and about 100 MB for the result.
    """
    n = len(profiles)
    skills = _vocabulary([p.offers for p in profiles], [p.seeks for p in profiles])
    topics = _vocabulary([p.interests for p in profiles])
    offers = _incidence([p.offers for p in profiles], skills)
    seeks = _incidence([p.seeks for p in profiles], skills)
    interests = _incidence([p.interests for p in profiles], topics)
    # offers·seeksᵀ counts what i offers j; stacking the other direction and the
    # interests makes the whole tag part a single product.
    left = np.hstack([weights.offer_seek * offers, weights.offer_seek * seeks,
                      weights.shared_interest * interests])
    right = np.hstack([seeks, offers, interests])
    matrix = left @ right.T

    fields = _label_ids([p.field for p in profiles])
    languages, clash = _language_clash(profiles)
    orgs = _label_ids([p.organisation for p in profiles])
    new = np.array([p.tenure == "new" for p in profiles], dtype=bool)
    regular = np.array([p.tenure == "regular" for p in profiles], dtype=bool)
    for start in range(0, n, _CHUNK):
        rows = slice(start, start + _CHUNK)
        block = matrix[rows]
        differ = (fields[rows, None] != fields[None, :]) & (fields[rows, None] >= 0)
        differ &= fields[None, :] >= 0
        np.add(block, weights.different_field, out=block, where=differ)
        if weights.different_org:
            other = (orgs[rows, None] != orgs[None, :]) & (orgs[rows, None] >= 0)
            other &= orgs[None, :] >= 0
            np.add(block, weights.different_org, out=block, where=other)
        if weights.newcomer_regular:
            mixed = (new[rows, None] & regular[None, :]) | (regular[rows, None] & new[None, :])
            np.add(block, weights.newcomer_regular, out=block, where=mixed)
        if weights.require_shared_language:
            np.copyto(block, FORBIDDEN, where=clash[languages[rows, None], languages[None, :]])
        if same_org == "avoid":
            np.copyto(block, FORBIDDEN,
                      where=(orgs[rows, None] == orgs[None, :]) & (orgs[rows, None] >= 0))

    rows, cols = pair_indices(profiles, met_before)
    if weights.forbid_met_before:
        matrix[rows, cols] = matrix[cols, rows] = FORBIDDEN
    else:
        # Once per pair, however the pair is listed; -inf stays -inf.
        matrix[rows, cols] -= weights.met_before
        matrix[cols, rows] = matrix[rows, cols]
    rows, cols = pair_indices(profiles, forbidden)
    matrix[rows, cols] = matrix[cols, rows] = FORBIDDEN
    matrix[np.arange(n), np.arange(n)] = FORBIDDEN
    return matrix
