"""Why two people should meet, told to each of them with only what the other shares.

The host sees every reason (they run matching). An attendee hears a reason
only when it reveals nothing the other person kept private: "Ana can help
you with fundraising" tells what Ana offers, so it needs Ana's consent to
share what she offers; the attendee's own answers are theirs to see.
"""
from __future__ import annotations

from . import scoring
from .models import Profile


def _listing(tags) -> str:
    return ", ".join(sorted(tags))


def for_host(a: scoring.Profile, b: scoring.Profile) -> list[str]:
    """Every reason, for the host's preview."""
    return scoring.reasons(a, b)


def for_attendee(me: scoring.Profile, other: scoring.Profile,
                 other_profile: Profile | None) -> list[str]:
    """Reasons told to ``me`` about ``other``, limited to what ``other`` shares."""
    share = set(other_profile.share if other_profile else ())
    found = []
    if "offers" in share and other.offers & me.seeks:
        found.append(f"{other.name} can help you with {_listing(other.offers & me.seeks)}")
    if "seeks" in share and me.offers & other.seeks:
        found.append(f"you can help {other.name} with {_listing(me.offers & other.seeks)}")
    if "interests" in share and me.interests & other.interests:
        found.append(f"you both care about {_listing(me.interests & other.interests)}")
    if "field" in share and me.field and other.field and me.field != other.field:
        found.append(f"{other.name} works in {other.field}, a field other than yours")
    return found


def strength(score: float, members: int) -> str:
    """A group's match in words for the host, from its score per pair: one thing one
    can offer the other is worth 3, a shared interest or another field 1."""
    pairs = max(members * (members - 1) // 2, 1)
    each = score / pairs
    if each < 0:
        return "have met before"
    if each >= 6:
        return "strong match: they can help each other"
    if each >= 3:
        return "good match: one can help the other"
    if each > 0:
        return "some common ground"
    return "no common ground known yet"
