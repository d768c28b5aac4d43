"""Presets that fill the event form, so a coffee chat takes under a minute to create."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .i18n import lazy_gettext as _l

# Titles and descriptions fill the form in the language the host's page speaks.
PRESETS: dict[str, dict] = {
    "coffee": {"kind": "coffee", "title": _l("Coffee chat"), "at": time(8, 30), "minutes": 45,
               "capacity": 6,
               "description": _l("An informal coffee before work: come as you are, meet a "
                                 "few people, leave with one new connection.")},
    "lunch": {"kind": "lunch", "title": _l("Networking lunch"), "at": time(12, 30), "minutes": 75,
              "capacity": 8,
              "description": _l("Lunch at shared tables. We'll seat you with people you "
                                "don't know yet.")},
    "meetup": {"kind": "meetup", "title": _l("Meetup"), "at": time(18, 30), "minutes": 150,
               "capacity": 40, "description": _l("Talks, then time to meet each other.")},
    "workshop": {"kind": "workshop", "title": _l("Workshop"), "at": time(14, 0), "minutes": 180,
                 "capacity": 20, "description": ""},
    "virtual": {"kind": "virtual", "title": _l("Virtual coffee"), "at": time(17, 0), "minutes": 45,
                "capacity": None,
                "description": _l("A short video call to meet people from anywhere.")},
}


def next_working_day(today: date) -> date:
    """The next Monday–Friday after ``today``."""
    day = today + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def form_defaults(name: str, zone: str, now: datetime) -> dict:
    """Initial form values for preset ``name`` in the host's zone (unknown name: meetup)."""
    preset = PRESETS.get(name, PRESETS["meetup"])
    day = next_working_day(now.astimezone(ZoneInfo(zone)).date())
    start = datetime.combine(day, preset["at"])
    return {
        "kind": preset["kind"], "title": str(preset["title"]),
        "description": str(preset["description"]),
        "timezone": zone, "capacity": preset["capacity"],
        "start": start, "end": start + timedelta(minutes=preset["minutes"]),
    }
