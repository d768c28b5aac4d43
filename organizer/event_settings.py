"""Per-event settings that plugins add to the event form (``event_form_sections``)."""
from __future__ import annotations

from datetime import datetime

from .models import Event
from .plugins import hook
from .timeutil import TimeError, check_year

MAX_VALUE_LENGTH = 2000
# "datetime" fields hold a wall-clock time in the event's zone, as in the form.
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def sections(event: Event | None) -> list[dict]:
    """The plugin sections for the form, each with its current values filled in."""
    found = []
    for section in hook().event_form_sections(event=event):
        if not section:
            continue
        stored = event.plugin_settings(section["name"]) if event else {}
        fields = []
        for field in section.get("fields", []):
            field = dict(field)
            field["value"] = stored.get(field["name"], field.get("default"))
            field["input_name"] = f"plugin-{section['name']}-{field['name']}"
            fields.append(field)
        found.append({**section, "fields": fields})
    return found


def _parse(field: dict, raw: str | None) -> tuple[object, str | None]:
    kind = field.get("type", "text")
    label = field.get("label", field["name"])
    if kind == "checkbox":
        return raw is not None, None
    raw = (raw or "").strip()
    if len(raw) > MAX_VALUE_LENGTH:
        return None, f"{label}: keep it under {MAX_VALUE_LENGTH} characters."
    if kind == "number":
        if raw == "":
            return field.get("default"), None
        try:
            return int(raw), None
        except ValueError:
            return None, f"{label}: enter a whole number."
    if kind == "datetime":
        if raw == "":
            return None, None
        try:
            check_year(datetime.strptime(raw, DATETIME_FORMAT))
        except TimeError as exc:
            return None, f"{label}: {exc}"
        except ValueError:
            return None, f"{label}: enter a date and time."
        return raw, None
    if kind == "select":
        if raw == "" and field.get("default") is not None:
            return field["default"], None
        allowed = [str(value) for value, _ in field.get("choices", [])]
        if raw not in allowed:
            return None, f"{label}: choose one of the offered options."
    return raw, None


def read(form, event_sections: list[dict], current: dict | None) -> tuple[dict, list[str]]:
    """Read the submitted plugin values; return (settings, error messages).

    Settings of plugins that are not loaded now are kept untouched.
    """
    settings = dict(current or {})
    errors: list[str] = []
    for section in event_sections:
        values = {}
        for field in section["fields"]:
            value, error = _parse(field, form.get(field["input_name"]))
            if error:
                errors.append(error)
            values[field["name"]] = value
        for messages in hook().validate_event_settings(plugin=section["name"], values=values):
            errors.extend(messages or [])
        settings[section["name"]] = values
    return settings, errors
