"""Attendee profiles: reading the form, tag suggestions, consent, and what matching sees."""
from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as dc_field
from urllib.parse import urlsplit

from sqlalchemy import func, select

from organizer.plugin_api import Attendee, db, utcnow

from . import scoring
from .models import SHAREABLE, Profile

MAX_TAGS = 12
MAX_TAG = 40
MAX_LINKS = 4
CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# Offered as suggestions (a datalist), so people tend to use the same words;
# anything else may be typed too. The event's own tags are suggested first.
COMMON_SKILLS = (
    "fundraising", "hiring", "product design", "ux research", "python", "data science",
    "machine learning", "sales", "marketing", "partnerships", "mentoring", "public speaking",
    "legal advice", "accounting", "investing", "go-to-market", "community building",
    "software architecture", "cloud infrastructure", "policy", "grant writing", "pricing",
    "operations", "customer research", "intros to investors", "co-founder search", "career advice",
)
COMMON_INTERESTS = (
    "climate", "ai", "open source", "health", "education", "fintech", "cities", "energy",
    "food", "mobility", "biotech", "design", "impact investing", "hardware", "web3",
    "running", "climbing", "cycling", "books", "music", "cooking", "photography", "chess",
)
FIELDS = ("software", "design", "research", "finance", "investing", "sales & marketing",
          "policy & government", "health", "education", "energy", "nonprofit", "law",
          "media", "manufacturing", "consulting")


@dataclass
class ProfileForm:
    """What the profile form submitted, cleaned, with an error per field."""

    interests: list[str] = dc_field(default_factory=list)
    field: str = ""
    offers: list[str] = dc_field(default_factory=list)
    seeks: list[str] = dc_field(default_factory=list)
    languages: list[str] = dc_field(default_factory=list)
    links: list[str] = dc_field(default_factory=list)
    share: list[str] = dc_field(default_factory=list)
    opted_out: bool = False
    errors: dict[str, str] = dc_field(default_factory=dict)


def _tags(raw: str | None, label: str, errors: dict, key: str) -> list[str]:
    """Comma-separated tags: normalised, unique, in the order typed."""
    found: list[str] = []
    for part in CONTROL.sub(" ", raw or "").split(","):
        tag = scoring.normalise_tag(part)
        if not tag or tag in found:
            continue
        if len(tag) > MAX_TAG:
            errors[key] = f"{label}: keep each entry under {MAX_TAG} characters (“{tag[:20]}…”)."
            continue
        found.append(tag)
    if len(found) > MAX_TAGS:
        errors[key] = f"{label}: at most {MAX_TAGS} entries, separated by commas."
    return found[:MAX_TAGS]


def _links(raw: str | None, errors: dict) -> list[str]:
    links = []
    for line in (raw or "").split():
        parts = urlsplit(line)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(line) > 300:
            errors["links"] = (f"Links: “{line[:60]}” is not a web address "
                               "(it should start with https://).")
            continue
        links.append(line)
    if len(links) > MAX_LINKS:
        errors["links"] = f"Links: at most {MAX_LINKS}."
    return links[:MAX_LINKS]


def read(form) -> ProfileForm:
    """Read and check the profile form."""
    sub = ProfileForm()
    errors = sub.errors
    sub.interests = _tags(form.get("interests"), "Interests", errors, "interests")
    sub.offers = _tags(form.get("offers"), "What you can offer", errors, "offers")
    sub.seeks = _tags(form.get("seeks"), "What you are looking for", errors, "seeks")
    sub.languages = _tags(form.get("languages"), "Languages", errors, "languages")
    sub.field = scoring.normalise_tag(CONTROL.sub(" ", form.get("field") or ""))[:101]
    if len(sub.field) > 100:
        errors["field"] = "Your field: keep it under 100 characters."
    sub.links = _links(form.get("links"), errors)
    sub.share = [key for key in SHAREABLE if form.get(f"share_{key}")]
    sub.opted_out = bool(form.get("opted_out"))
    return sub


def of(attendee: Attendee) -> Profile | None:
    return db.session.get(Profile, attendee.id)


def save(attendee: Attendee, sub: ProfileForm) -> Profile:
    """Store the attendee's profile (created on first save) and commit."""
    profile = of(attendee)
    if profile is None:
        profile = Profile(attendee_id=attendee.id, event_id=attendee.event_id)
        db.session.add(profile)
    for name in ("interests", "field", "offers", "seeks", "languages", "links", "share",
                 "opted_out"):
        setattr(profile, name, getattr(sub, name))
    profile.updated_at = utcnow()
    db.session.commit()
    return profile


# A tag typed at this event is suggested to others only once this many
# people use it and share that answer: a rare tag would give one person away.
SUGGEST_AFTER = 3


def suggestions(event_id: int) -> dict[str, list[str]]:
    """Tags to suggest: what several people at this event share openly, then common ones."""
    used: dict[str, dict[str, int]] = {"skills": {}, "interests": {}}
    for interests, offers, seeks, share in db.session.execute(select(
            Profile.interests, Profile.offers, Profile.seeks, Profile.share).where(
            Profile.event_id == event_id, Profile.opted_out.is_(False))):
        share = set(share or ())
        for tag in (interests or []) if "interests" in share else []:
            used["interests"][tag] = used["interests"].get(tag, 0) + 1
        skills = ((offers or []) if "offers" in share else []) + \
            ((seeks or []) if "seeks" in share else [])
        for tag in set(skills):
            used["skills"][tag] = used["skills"].get(tag, 0) + 1

    def ranked(counts: dict[str, int], common: tuple[str, ...]) -> list[str]:
        popular = [tag for tag in counts if counts[tag] >= SUGGEST_AFTER]
        first = sorted(popular, key=lambda tag: (-counts[tag], tag))
        return first + [tag for tag in common if tag not in popular]

    return {"skills": ranked(used["skills"], COMMON_SKILLS),
            "interests": ranked(used["interests"], COMMON_INTERESTS),
            "fields": list(FIELDS)}


def for_matching(attendee: Attendee, profile: Profile | None) -> scoring.Profile:
    """What the matching algorithms see of one person (everything: the host runs it)."""
    p = profile
    return scoring.Profile(
        key=attendee.id, name=attendee.name,
        interests=frozenset(p.interests if p else ()), field=p.field if p else "",
        organisation=attendee.organisation or "",
        offers=frozenset(p.offers if p else ()), seeks=frozenset(p.seeks if p else ()),
        languages=frozenset(p.languages if p else ()))


def shared_view(attendee: Attendee, profile: Profile | None) -> dict:
    """Only what ``attendee`` agreed to show their matches (the name always)."""
    share = set(profile.share if profile else ())
    view: dict = {"name": attendee.name}
    if "email" in share:
        view["email"] = attendee.email
    if "organisation" in share:
        view["organisation"] = " · ".join(x for x in (attendee.role, attendee.organisation) if x)
    if profile is not None:
        for key in ("field", "links", "offers", "seeks", "interests", "languages"):
            value = getattr(profile, key)
            if key in share and value:
                view[key] = value
    return view


def count(event_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Profile).where(
        Profile.event_id == event_id, Profile.opted_out.is_(False))) or 0
