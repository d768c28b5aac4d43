"""Attendee profiles: reading the form, tag suggestions, consent, and what matching sees."""
from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field

from sqlalchemy import func, select

from organizer.plugin_api import Attendee, db, utcnow

from . import forms, scoring
from .forms import MAX_LINKS, MAX_TAGS
from .models import Profile


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
class ProfileAnswers:
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


def read(formdata) -> ProfileAnswers:
    """Read and check the profile form (:class:`forms.ProfileForm`)."""
    form = forms.ProfileForm(formdata)
    form.validate()
    return ProfileAnswers(
        interests=form.interests.data[:MAX_TAGS], offers=form.offers.data[:MAX_TAGS],
        seeks=form.seeks.data[:MAX_TAGS], languages=form.languages.data[:MAX_TAGS],
        field=form.field.data[:101], links=form.links.data[:MAX_LINKS], share=form.shared(),
        opted_out=form.opted_out.data,
        errors={name: messages[0] for name, messages in form.errors.items()})


def of(attendee: Attendee) -> Profile | None:
    return db.session.get(Profile, attendee.id)


def save(attendee: Attendee, sub: ProfileAnswers) -> Profile:
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
