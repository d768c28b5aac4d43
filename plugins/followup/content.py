"""What a personal follow-up holds: the recap, the people met and why, first lines, dates."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select

from organizer.plugin_api import (Attendee, AttendeeStatus, Event, PersonMet, db, erased,
                                  external_url, flatten, format_list, format_range, gettext as _,
                                  hook, in_language, render_markdown, utcnow)

from .models import Settings

FIRST_NUDGE = timedelta(days=7)
SECOND_NUDGE = timedelta(days=30)
NUDGE_TIME = (9, 30)  # local time of the reminders
NEXT_EVENTS = 3


def settings_of(event: Event) -> Settings:
    """The event's follow-up settings (the defaults until the host saves some)."""
    return db.session.get(Settings, event.id) or Settings(
        event_id=event.id, recipients="checked_in", message="", resources="")


def attended(attendee: Attendee, settings: Settings) -> bool:
    """Whether ``attendee`` counts as having come, by the host's choice of recipients."""
    if attendee.status != AttendeeStatus.GOING:
        return False
    return settings.recipients == "going" or attendee.checked_in_at is not None


def came(attendee: Attendee, anyone_checked_in: bool) -> bool:
    """Whether ``attendee`` was there, for other people's follow-ups.

    At an event with a door (anyone checked in) only people who checked in
    came; where nobody was checked in, everyone still going counts. Someone
    who erased their data is in nobody's follow-up.
    """
    if attendee.status != AttendeeStatus.GOING or erased(attendee):
        return False
    return attendee.checked_in_at is not None or not anyone_checked_in


def anyone_checked_in(event: Event) -> bool:
    return db.session.scalar(select(Attendee.id).where(
        Attendee.event_id == event.id, Attendee.checked_in_at.is_not(None)).limit(1)) is not None


def recipients(event: Event, settings: Settings) -> list[Attendee]:
    query = select(Attendee).where(Attendee.event_id == event.id,
                                   Attendee.status == AttendeeStatus.GOING)
    if settings.recipients != "going":
        query = query.where(Attendee.checked_in_at.is_not(None))
    return list(db.session.scalars(query.order_by(Attendee.name, Attendee.id)))


def resources(settings: Settings) -> list[dict]:
    """The host's shared resources (see :func:`parse_resources`)."""
    return parse_resources(settings.resources or "")


def parse_resources(text: str) -> list[dict]:
    """Resources, one per line: "Title https://…" or a bare address; other lines are skipped."""
    found = []
    for line in text.splitlines():
        words = line.split()
        if not words:
            continue
        url = words[-1]
        try:
            parts = urlsplit(url)
        except ValueError:  # "https://[::1" and the like: not an address
            continue
        if parts.scheme not in ("http", "https") or not parts.netloc:
            continue
        title = " ".join(words[:-1]) or parts.netloc
        found.append({"title": title[:200], "url": url[:500]})
    return found


def first_line(me: Attendee, other: dict, event: Event) -> str:
    """A suggested opening for the first message to ``other``."""
    first_name = other["name"].split()[0] if other["name"].split() else other["name"]
    topics = list(other.get("topics") or [])[:2]
    if topics:
        return _("Hi %(name)s, great to meet you at %(event)s. I'd love to continue our "
                 "conversation about %(topics)s — coffee next week?",
                 name=first_name, event=event.title, topics=format_list(topics))
    return _("Hi %(name)s, it was good to meet you at %(event)s. I'd love to hear more about "
             "what you're working on — coffee next week?", name=first_name, event=event.title)


def _nudge(event: Event, after: timedelta) -> datetime:
    day = (event.local_end + after).date()
    return datetime(day.year, day.month, day.day, *NUDGE_TIME)


@dataclass
class Followup:
    """Everything one person's follow-up PDF and plan show."""

    attendee: Attendee
    event: Event
    when: str
    message_html: str
    resources: list[dict]
    people: list[dict] = field(default_factory=list)
    next_events: list[dict] = field(default_factory=list)
    first_nudge: datetime | None = None
    second_nudge: datetime | None = None


def build(attendee: Attendee, settings: Settings | None = None) -> Followup:
    """The follow-up of ``attendee``: only people who came, and what they share; its
    words and dates in the event's language."""
    with in_language(attendee.event.language):
        return _build(attendee, settings)


def _build(attendee: Attendee, settings: Settings | None) -> Followup:
    event = attendee.event
    settings = settings or settings_of(event)
    people, seen = [], set()
    door = anyone_checked_in(event)
    for other in flatten(hook().followup_people(attendee=attendee), PersonMet):
        person = db.session.get(Attendee, other.attendee_id)
        if person is None or person.event_id != event.id or other.attendee_id in seen:
            continue
        if not came(person, door):
            continue  # someone who did not come is not in anyone's follow-up
        seen.add(other.attendee_id)
        people.append(asdict(other))
    people.sort(key=lambda p: p["name"].lower())
    first, second = _nudge(event, FIRST_NUDGE), _nudge(event, SECOND_NUDGE)
    for other in people:
        other["first_line"] = first_line(attendee, other, event)
        other["follow_up"] = first
    return Followup(
        attendee=attendee, event=event, when=format_range(event.local_start, event.local_end),
        message_html=str(render_markdown(settings.message or "")),
        resources=resources(settings), people=people, next_events=next_events(event),
        first_nudge=first, second_nudge=second)


def next_events(event: Event) -> list[dict]:
    """The next published dates of the event's series, with their RSVP links."""
    if event.series_id is None:
        return []
    upcoming = db.session.scalars(select(Event).where(
        Event.series_id == event.series_id, Event.status == "published",
        Event.starts_at > max(event.starts_at, utcnow())).order_by(Event.starts_at)
        .limit(NEXT_EVENTS))
    return [{"title": e.title, "when": format_range(e.local_start, e.local_end),
             "url": external_url("events.public", slug=e.slug)} for e in upcoming]
