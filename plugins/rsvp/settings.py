"""Per-event RSVP settings, edited in the event form (``event_form_sections``)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from wtforms import BooleanField, DateTimeLocalField, Form, IntegerField
from wtforms.validators import NumberRange, Optional

from organizer.plugin_api import (DATETIME_FORMAT, Event, SettingsSection, gettext as _,
                                  lazy_gettext as _l, localize)


NAME = "rsvp"
MAX_REMINDER_HOURS = 7 * 24


@dataclass
class RsvpSettings:
    enabled: bool = True
    approval: bool = False
    plus_one: bool = False
    deadline: str | None = None
    reminder_hours: int = 24
    public_count: bool = True


def of(event: Event) -> RsvpSettings:
    """The event's RSVP settings, with defaults for events made outside the form."""
    stored = event.plugin_settings(NAME)
    defaults = RsvpSettings()
    return RsvpSettings(
        enabled=bool(stored.get("enabled", defaults.enabled)),
        approval=bool(stored.get("approval", defaults.approval)),
        plus_one=bool(stored.get("plus_one", defaults.plus_one)),
        deadline=stored.get("deadline") or None,
        reminder_hours=int(stored.get("reminder_hours", defaults.reminder_hours) or 0),
        public_count=bool(stored.get("public_count", defaults.public_count)),
    )


def closes_at(event: Event) -> datetime:
    """When RSVPs stop: the host's deadline (at the latest the end), else the start."""
    deadline = of(event).deadline
    if deadline:
        try:
            chosen = localize(datetime.strptime(deadline, DATETIME_FORMAT), event.zone)
            return min(chosen, event.ends_at)
        except (ValueError, OverflowError):  # TimeError is a ValueError
            pass
    return event.starts_at


def reminder_due(event: Event) -> datetime | None:
    """When the reminder goes out, or None when the host turned it off."""
    hours = of(event).reminder_hours
    return event.starts_at - timedelta(hours=hours) if hours > 0 else None


class SettingsForm(Form):
    """The RSVP part of the event form."""

    enabled = BooleanField(_l("Take RSVPs on the event page"), default=True)
    approval = BooleanField(
        _l("Approve each RSVP myself"),
        description=_l("People wait as “pending” until you approve or decline."))
    plus_one = BooleanField(_l("Guests may bring a +1"), description=_l("A +1 takes a seat too."))
    public_count = BooleanField(
        _l("Show how many are going on the event page"), default=True,
        description=_l("Guests who choose to are listed by name either way."))
    deadline = DateTimeLocalField(
        _l("RSVPs close at"), format=DATETIME_FORMAT, validators=[Optional()],
        description=_l("In the event's time zone. Leave empty to close when the event starts."))
    reminder_hours = IntegerField(
        _l("Reminder mail, hours before the start"), default=24,
        validators=[Optional(), NumberRange(0, MAX_REMINDER_HOURS, message=_l(
            # WTForms fills in %(max)s.
            "between 0 and %(max)s hours before the start."))],
        description=_l("0 sends no reminder."))


def form_section() -> SettingsSection:
    return SettingsSection(NAME, _("RSVPs"), SettingsForm)
