"""Why two people should meet, told to each of them with only what the other shares.

The host sees every reason (they run matching). An attendee hears a reason
only when it reveals nothing the other person kept private: "Ana can help
you with fundraising" tells what Ana offers, so it needs Ana's consent to
share what she offers; the attendee's own answers are theirs to see.
"""
from __future__ import annotations

from organizer.plugin_api import gettext as _

from . import scoring
from .models import Profile
from .words import listing


def for_host(a: scoring.Profile, b: scoring.Profile) -> list[str]:
    """Every reason, for the host's preview."""
    return scoring.reasons(a, b)


def for_attendee(me: scoring.Profile, other: scoring.Profile,
                 other_profile: Profile | None) -> list[str]:
    """Reasons told to ``me`` about ``other``, limited to what ``other`` shares, in the
    language being spoken (a page's, or the event's in a mail or a PDF)."""
    share = set(other_profile.share if other_profile else ())
    found = []
    if "offers" in share and other.offers & me.seeks:
        found.append(_("%(name)s can help you with %(topics)s", name=other.name,
                       topics=listing(sorted(other.offers & me.seeks))))
    if "seeks" in share and me.offers & other.seeks:
        found.append(_("you can help %(name)s with %(topics)s", name=other.name,
                       topics=listing(sorted(me.offers & other.seeks))))
    if "interests" in share and me.interests & other.interests:
        found.append(_("you both care about %(topics)s",
                       topics=listing(sorted(me.interests & other.interests))))
    if "field" in share and me.field and other.field and me.field != other.field:
        found.append(_("%(name)s works in %(field)s, a field other than yours",
                       name=other.name, field=other.field))
    return found


def strength(score: float, members: int) -> str:
    """A group's match in words for the host, from its score per pair: one thing one
    can offer the other is worth 3, a shared interest or another field 1."""
    pairs = max(members * (members - 1) // 2, 1)
    each = score / pairs
    if each < 0:
        return _("have met before")
    if each >= 6:
        return _("strong match: they can help each other")
    if each >= 3:
        return _("good match: one can help the other")
    if each > 0:
        return _("some common ground")
    return _("no common ground known yet")
