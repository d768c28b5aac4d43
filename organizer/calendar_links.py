"""'Add to calendar' links for web calendars (Google, Outlook.com, Office 365) and maps.

Each is a plain link that opens the visitor's own calendar with the event
filled in; nothing is fetched from those services when the page is shown.
"""
from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import quote, urlencode

from .ics import calendar_text, location_of
from .models import Event
from .urls import external_url

# Web calendars put the details in the URL; a long description would make a
# link some browsers and proxies refuse (over ~2,000 characters).
DETAILS_LIMIT = 600


def google(event: Event, page_url: str) -> str:
    """A Google Calendar link that opens a new event filled in with this one."""
    def stamp(when: datetime) -> str:
        return when.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    query = {"action": "TEMPLATE", "text": event.title,
             "dates": f"{stamp(event.starts_at)}/{stamp(event.ends_at)}",
             "details": calendar_text(event, page_url, DETAILS_LIMIT), "location": location_of(event),
             "ctz": event.timezone}
    return "https://calendar.google.com/calendar/render?" + urlencode(query, quote_via=quote)


def _outlook(base: str, event: Event, page_url: str) -> str:
    def stamp(when: datetime) -> str:
        return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    query = {"path": "/calendar/action/compose", "rru": "addevent", "subject": event.title,
             "startdt": stamp(event.starts_at), "enddt": stamp(event.ends_at),
             "body": calendar_text(event, page_url, DETAILS_LIMIT), "location": location_of(event)}
    return base + "?" + urlencode(query, quote_via=quote)


def outlook_com(event: Event, page_url: str) -> str:
    """An Outlook.com (personal Microsoft account) link to add this event."""
    return _outlook("https://outlook.live.com/calendar/0/deeplink/compose", event, page_url)


def office365(event: Event, page_url: str) -> str:
    """An Outlook on the web link for work and school (Office 365) accounts."""
    return _outlook("https://outlook.office.com/calendar/0/deeplink/compose", event, page_url)


def osm(place: str) -> str:
    """The place searched on OpenStreetMap."""
    return "https://www.openstreetmap.org/search?" + urlencode({"query": place}, quote_via=quote)


def geo(place: str) -> str:
    """A ``geo:`` link phones hand to their own map app (RFC 5870 with the
    ``q`` search that Android and iOS map apps understand)."""
    return "geo:0,0?" + urlencode({"q": place}, quote_via=quote)


def for_event(event: Event) -> list[tuple[str, str]]:
    """The web calendars' links for an event, labelled, for 'Add to calendar'."""
    page = external_url("events.public", slug=event.slug)
    return [("Google Calendar", google(event, page)), ("Outlook.com", outlook_com(event, page)),
            ("Office 365", office365(event, page))]


def maps(event: Event) -> dict[str, str] | None:
    """OpenStreetMap and ``geo:`` links for an event's place, or None when it has none."""
    # A map search finds a street address more surely than a venue's name.
    place = event.address or event.venue
    if not place:
        return None
    return {"osm": osm(place), "geo": geo(place)}
