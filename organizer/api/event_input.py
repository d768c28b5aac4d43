"""An event sent to the API, checked by the same rules as the web form.

The JSON is turned into the event form's input (its times into the event's
wall clock) and validated by :class:`organizer.forms.EventForm` and every
plugin's settings section, so an event made through the API is one the web
would have accepted. Plugins' settings travel as ``settings``:
``{"rsvp": {"approval": true}}``, each section's field names as on the form.
"""
from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import Schema, fields, validate
from werkzeug.datastructures import MultiDict

from .. import event_settings
from ..forms import EventForm
from ..i18n import LANGUAGES
from ..models import EVENT_KINDS, Event

# Form field → API field, for error messages.
_NAMES = {"start": "starts_at", "end": "ends_at"}
DETAILS = ("kind", "title", "description", "timezone", "venue", "address", "online_url",
           "capacity", "language")


class TemplateSchema(Schema):
    """What an event and a series share."""

    kind = fields.String(validate=validate.OneOf(list(EVENT_KINDS)))
    title = fields.String(validate=validate.Length(1, 200))
    description = fields.String(metadata={"description": "Markdown"})
    timezone = fields.String(metadata={"description": "IANA name, e.g. Europe/Berlin"})
    venue = fields.String()
    address = fields.String()
    online_url = fields.String()
    capacity = fields.Integer(allow_none=True, metadata={"description": "null: no limit"})
    language = fields.String(validate=validate.OneOf(list(LANGUAGES)), metadata={
        "description": "The language of the event's mails, badges, calendar text and PDFs"})


class EventInSchema(TemplateSchema):
    """What a client sends to create an event (all but ``title``, the times and the zone
    may be left out) or to change one (send only what changes)."""

    starts_at = fields.AwareDateTime(metadata={"description": "With its UTC offset"})
    ends_at = fields.AwareDateTime()
    settings = fields.Dict(keys=fields.String(), values=fields.Dict(), metadata={
        "description": "Plugins' settings by plugin name, as on the event form"})


class NewEventSchema(EventInSchema):
    kind = fields.String(load_default="meetup", validate=validate.OneOf(list(EVENT_KINDS)))
    title = fields.String(required=True, validate=validate.Length(1, 200))
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    timezone = fields.String(required=True)
    publish = fields.Boolean(load_default=False, metadata={
        "description": "true: publish at once; false: keep it a draft"})


def _wall_clock(moment, zone_name: str) -> str:
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        zone = None
    local = moment.astimezone(zone) if zone else moment
    return local.strftime("%Y-%m-%dT%H:%M")


def check(sent: dict, event: Event | None) -> tuple[dict, dict, dict]:
    """The event's values and settings if ``sent`` (merged over ``event``'s) is valid,
    with ``{}`` errors; else ``{}``, ``{}`` and the errors by API field name."""
    current = {name: getattr(event, name) for name in DETAILS} if event else {}
    if event:
        current.update(starts_at=event.starts_at, ends_at=event.ends_at)
    merged = {**current, **{k: v for k, v in sent.items() if k not in ("settings", "publish")}}
    zone = merged.get("timezone") or ""
    data = MultiDict({name: "" if merged.get(name) is None else str(merged[name])
                      for name in DETAILS if name in merged})
    for api_name, form_name in (("starts_at", "start"), ("ends_at", "end")):
        if merged.get(api_name) is not None:
            data[form_name] = _wall_clock(merged[api_name], zone)
    form = EventForm(formdata=data, meta={"csrf": False})
    errors: dict[str, list[str]] = {}
    if not form.validate():
        errors = {_NAMES.get(name, name): list(messages)
                  for name, messages in form.errors.items()}
    settings, problems = _settings(sent.get("settings") or {}, event)
    if problems:
        errors["settings"] = problems
    if errors:
        return {}, {}, errors
    return form.values(), settings, {}


def _settings(sent: dict, event: Event | None) -> tuple[dict, list[str]]:
    stored = event_settings.sections(event)
    unknown = sorted(set(sent) - {section.plugin for section in stored})
    if unknown:
        return {}, [f"No plugin called “{name}” has event settings here." for name in unknown]
    chosen = []
    for section in stored:
        given = sent.get(section.plugin)
        if given is None:
            chosen.append(section)
            continue
        form_data = MultiDict()
        for field in section.form:
            value = given.get(field.short_name, field.data)
            if field.type == "BooleanField":
                if value:
                    form_data[field.name] = "y"
            elif value is not None:
                form_data[field.name] = str(value)
        bogus = sorted(set(given) - {field.short_name for field in section.form})
        if bogus:
            return {}, [f"{section.plugin} has no setting called “{name}”." for name in bogus]
        form = type(section.form)(formdata=form_data, prefix=f"plugin-{section.plugin}")
        chosen.append(event_settings.Section(section.plugin, section.title, form))
    return event_settings.read(chosen, event.settings if event else {})
