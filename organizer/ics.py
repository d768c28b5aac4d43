"""iCalendar files: downloads (PUBLISH), host feeds, and mail invites (REQUEST, CANCEL).

Built with ``icalendar``, which escapes text (a CR/LF in a title cannot start
a new property) and folds lines at 75 octets. Every TZID used gets its
VTIMEZONE. Occurrences of a series carry the series' UID and a
RECURRENCE-ID, so a calendar that subscribed to the feed and one that
imported a single occurrence agree on which event is which.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Iterable
from zoneinfo import ZoneInfo

from flask import current_app
from icalendar import Alarm, Calendar, Event as VEvent, Timezone, vCalAddress, vText

from .i18n import gettext as _, in_language
from .models import Attendee, Event, Host, Series, utcnow
from .plugins import hook
from .rendering import plain_text
from .urls import external_url

PRODID = "-//organizer//organizer//EN"


def _calendar(method: str, name: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    return cal


def _finish(cal: Calendar, years: Iterable[int], open_ended: bool = False,
            zones: Iterable[str] | None = None) -> bytes:
    years = sorted(set(years)) or [utcnow().year]
    # VTIMEZONE rules for the years the file touches keep files small; a
    # series that never ends gets a decade of rules ahead.
    last = max(years[-1], utcnow().year + 10) if open_ended else years[-1]
    first_date = date(max(years[0] - 1, 1), 1, 1)
    last_date = date(min(last + 2, 9999), 1, 1)
    # VTIMEZONEs go first, before the components that use them (RFC 5545).
    # A feed names the zones it used: looking for them in a thousand events
    # costs more than building the zones.
    tzids = cal.get_missing_tzids() if zones is None else set(zones) - {"UTC"}
    for position, tzid in enumerate(sorted(tzids)):
        timezone = _vtimezone(tzid, first_date, last_date)
        if timezone is not None:
            cal.subcomponents.insert(position, timezone)
    return cal.to_ical()


@lru_cache(maxsize=512)
def _vtimezone(tzid: str, first_date: date, last_date: date) -> Timezone | None:
    # Working out a zone's transitions takes longer than the rest of an
    # invite; the rules of a year do not change, so each is worked out once.
    try:
        return Timezone.from_tzid(tzid, first_date=first_date, last_date=last_date)
    except ValueError:  # a zone icalendar does not know: left out, as before
        return None


def location_of(item: Event | Series) -> str:
    """Where the event happens, as one line: venue and address, else its online link."""
    parts = [p for p in (item.venue, item.address) if p]
    if not parts and item.online_url:
        parts = [item.online_url]
    return ", ".join(parts)


def calendar_text(item: Event | Series, page_url: str, limit: int = 2000) -> str:
    """The description a calendar shows: the text, the online link, the event page (our
    words in the event's language: the text travels in invites and calendar links)."""
    text = plain_text(item.description, limit=limit)
    lines = [text] if text else []
    with in_language(item.language):
        if item.online_url:
            lines.append(_("Join online: %(url)s", url=item.online_url))
        lines.append(_("Event page: %(url)s", url=page_url))
    return "\n\n".join(lines)


def _alarm(item: Event | Series) -> Alarm:
    minutes = current_app.config["ICS_REMINDER_MINUTES"]
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    with in_language(item.language):
        alarm.add("description", _("Reminder: %(title)s", title=item.title))
    alarm.add("trigger", timedelta(minutes=-minutes))
    return alarm


def _common(vevent: VEvent, item: Event | Series, page_url: str) -> None:
    vevent.add("summary", item.title)
    vevent.add("dtstamp", utcnow())
    vevent.add("description", calendar_text(item, page_url))
    location = location_of(item)
    if location:
        vevent.add("location", location)
    vevent.add("url", page_url)
    vevent.add("created", item.created_at)
    vevent.add("last-modified", item.updated_at)
    vevent.add_component(_alarm(item))


def event_vevent(event: Event, attendee: Attendee | None = None,
                 sequence: int | None = None) -> VEvent:
    """The VEVENT of one event (or one occurrence of a series), passed to plugins. What
    we and plugins write in it speaks the event's language."""
    with in_language(event.language):
        return _event_vevent(event, attendee, sequence)


def _event_vevent(event: Event, attendee: Attendee | None, sequence: int | None) -> VEvent:
    vevent = VEvent()
    page = external_url("events.public", slug=event.slug)
    if event.series_id:
        vevent.add("uid", event.series.uid)
        vevent.add("recurrence-id", event.recurrence_id.astimezone(event.zone))
    else:
        vevent.add("uid", event.uid)
    vevent.add("sequence", event.sequence if sequence is None else sequence)
    vevent.add("dtstart", event.local_start)
    vevent.add("dtend", event.local_end)
    vevent.add("status", "CANCELLED" if event.status == "cancelled" else "CONFIRMED")
    _common(vevent, event, page)
    hook().ics_event(event=event, vevent=vevent, attendee=attendee)
    return vevent


def series_vevents(series: Series) -> list[VEvent]:
    """The master VEVENT (with RRULE and EXDATEs) and one VEVENT per edited occurrence."""
    master = VEvent()
    page = external_url("events.series_public", slug=series.slug)
    master.add("uid", series.uid)
    master.add("sequence", series.sequence)
    start = series.dtstart_local.replace(tzinfo=series.zone)
    master.add("dtstart", start)
    master.add("duration", timedelta(minutes=series.duration_minutes))
    master["rrule"] = _rrule_property(series.rrule)
    master.add("status", "CANCELLED" if series.status == "cancelled" else "CONFIRMED")
    _common(master, series, page)
    overrides = []
    exdates = []
    for occurrence in series.events:
        if occurrence.status == "draft":
            exdates.append(occurrence.recurrence_id.astimezone(series.zone))
        elif occurrence.detached or occurrence.status == "cancelled":
            overrides.append(event_vevent(occurrence))
    if exdates:
        master.add("exdate", exdates)
    return [master, *overrides]


def _rrule_property(rule: str):
    from icalendar import vRecur
    return vRecur.from_ical(rule)


def event_file(event: Event) -> bytes:
    """The .ics a person downloads from an event page (METHOD:PUBLISH)."""
    cal = _calendar("PUBLISH")
    cal.add_component(event_vevent(event))
    return _finish(cal, [event.starts_at.year])


def series_file(series: Series) -> bytes:
    """The .ics of a whole series: the recurrence rule and its exceptions."""
    cal = _calendar("PUBLISH", name=series.title)
    for vevent in series_vevents(series):
        cal.add_component(vevent)
    return _finish(cal, [series.dtstart_local.year,
                         *(e.starts_at.year for e in series.events)], open_ended=True)


def feed_file(name: str, events: Iterable[Event], series: Iterable[Series]) -> bytes:
    """A subscribable calendar: single events, and each series as one RRULE."""
    cal = _calendar("PUBLISH", name=name)
    years, zones = [], set()
    series = list(series)
    for item in series:
        for vevent in series_vevents(item):
            cal.add_component(vevent)
        years.append(item.dtstart_local.year)
        zones.update({item.timezone, *(e.timezone for e in item.events)})
    _add_events(cal, events, years, zones)
    return _finish(cal, years, open_ended=bool(series), zones=zones)


def _add_events(cal: Calendar, events: Iterable[Event], years: list, zones: set) -> None:
    """Add ``events`` to a subscribable calendar, which apps refresh every six hours."""
    for event in events:
        cal.add_component(event_vevent(event))
        years.append(event.starts_at.year)
        zones.add(event.timezone)
    cal.add("refresh-interval", timedelta(hours=6), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT6H")


def _people(vevent: VEvent, event: Event, attendee: Attendee, partstat: str) -> None:
    organizer = vCalAddress(f"mailto:{event.owner.email}")
    organizer.params["cn"] = vText(event.owner.name)
    vevent["organizer"] = organizer
    person = vCalAddress(f"mailto:{attendee.email}")
    person.params["cn"] = vText(attendee.name)
    person.params["role"] = vText("REQ-PARTICIPANT")
    person.params["partstat"] = vText(partstat)
    person.params["rsvp"] = vText("FALSE")
    vevent.add("attendee", person)


def invite(event: Event, attendee: Attendee, sequence: int | None = None) -> bytes:
    """A mail invite (METHOD:REQUEST) for one attendee, with ORGANIZER and ATTENDEE.

    Send it again after a change: the UID stays, the SEQUENCE is higher.
    """
    cal = _calendar("REQUEST")
    vevent = event_vevent(event, attendee=attendee, sequence=sequence)
    _people(vevent, event, attendee, "ACCEPTED")
    cal.add_component(vevent)
    return _finish(cal, [event.starts_at.year])


def cancellation(event: Event, attendee: Attendee, sequence: int | None = None) -> bytes:
    """A METHOD:CANCEL message that removes the event from one attendee's calendar.

    ``sequence`` defaults to the event's; when one attendee withdraws from an
    event that goes on, pass a higher one so calendars accept the change.
    """
    cal = _calendar("CANCEL")
    vevent = event_vevent(event, attendee=attendee, sequence=sequence)
    vevent["status"] = "CANCELLED"
    _people(vevent, event, attendee, "DECLINED")
    cal.add_component(vevent)
    return _finish(cal, [event.starts_at.year])


def meeting(uid: str, summary: str, starts_at: datetime, ends_at: datetime, zone: str,
            host: Host, attendee: tuple[str, str], description: str = "",
            location: str = "", sequence: int = 0) -> bytes:
    """A METHOD:REQUEST invite to a meeting a plugin arranges (a 1:1 at an event, say).

    ``attendee`` is the (name, address) of the one person the file is sent to:
    other people in the meeting appear by name in ``summary``/``description``
    only, so nobody's address travels without their consent.
    """
    cal = _calendar("REQUEST")
    vevent = VEvent()
    vevent.add("uid", uid)
    vevent.add("dtstamp", utcnow())
    vevent.add("sequence", sequence)
    tz = ZoneInfo(zone)
    vevent.add("dtstart", starts_at.astimezone(tz))
    vevent.add("dtend", ends_at.astimezone(tz))
    vevent.add("summary", summary)
    if description:
        vevent.add("description", description)
    if location:
        vevent.add("location", location)
    organizer = vCalAddress(f"mailto:{host.email}")
    organizer.params["cn"] = vText(host.name)
    vevent["organizer"] = organizer
    person = vCalAddress(f"mailto:{attendee[1]}")
    person.params["cn"] = vText(attendee[0])
    person.params["role"] = vText("REQ-PARTICIPANT")
    person.params["partstat"] = vText("NEEDS-ACTION")
    person.params["rsvp"] = vText("FALSE")
    vevent.add("attendee", person)
    cal.add_component(vevent)
    return _finish(cal, [starts_at.year])


def reminders(name: str, entries: Iterable[tuple[str, str, str, datetime]], zone: str,
              minutes: int = 30) -> bytes:
    """A calendar of things to do (METHOD:PUBLISH), each an event with a reminder.

    ``entries`` are (uid, summary, description, local start) with the start a
    naive wall-clock time in ``zone``; each lasts ``minutes``. A follow-up
    plan ("Reach out to Ana" a week after the event) is such a calendar.
    """
    cal = _calendar("PUBLISH", name)
    tz = ZoneInfo(zone)
    years = []
    for uid, summary, description, start in entries:
        local = start.replace(tzinfo=tz)
        cal.add_component(_reminder(uid, summary, description, local, minutes))
        years.append(local.year)
    return _finish(cal, years)


def _reminder(uid: str, summary: str, description: str, start: datetime,
              minutes: int) -> VEvent:
    """A thing to do at ``start`` (aware), with an alarm at that moment."""
    vevent = VEvent()
    vevent.add("uid", uid)
    vevent.add("dtstamp", utcnow())
    vevent.add("dtstart", start)
    vevent.add("dtend", start + timedelta(minutes=minutes))
    vevent.add("summary", summary)
    if description:
        vevent.add("description", description)
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", summary)
    alarm.add("trigger", timedelta(minutes=0))
    vevent.add_component(alarm)
    return vevent


def personal_feed(name: str, reminders: Iterable[tuple[str, str, str, datetime]],
                  events: Iterable[Event]) -> bytes:
    """One person's subscribable calendar: their reminders and the events they may come to.

    ``reminders`` are (uid, summary, description, start) with an aware start,
    each a half-hour entry with an alarm ("Follow up with Ana"); ``events``
    are shown as on their pages. Calendar apps refresh it every few hours.
    """
    cal = _calendar("PUBLISH", name=name)
    years, zones = [], set()
    for uid, summary, description, start in reminders:
        cal.add_component(_reminder(uid, summary, description, start, 30))
        years.append(start.year)
        zones.add(str(start.tzinfo))
    _add_events(cal, events, years, zones)
    return _finish(cal, years, zones=zones)
