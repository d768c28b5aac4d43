"""Per-event settings that plugins add to the event form (``event_form_sections``).

Each plugin's section is a WTForms form bound under the prefix
``plugin-<name>``; its data, once valid, is stored as ``event.settings[name]``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from wtforms import Form

from .hooktypes import SettingsSection, flatten
from .i18n import gettext as _
from .models import Event
from .plugins import hook
from .timeutil import TimeError, check_year

# Date-and-time settings hold a wall-clock time in the event's zone, as in the form.
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


@dataclass
class Section:
    """A plugin's section of the event form, bound to the stored values or the submission."""

    plugin: str
    title: str
    form: Form


def sections(event: Event | None, formdata=None) -> list[Section]:
    """Every plugin's section, filled from ``formdata`` when given, else from what
    ``event`` stores (else the fields' defaults)."""
    found = []
    for spec in flatten(hook().event_form_sections(event=event), SettingsSection):
        stored = event.plugin_settings(spec.plugin) if event else {}
        form = spec.form(formdata=formdata or None, data=stored or None,
                         prefix=f"plugin-{spec.plugin}")
        found.append(Section(spec.plugin, spec.title, form))
    return found


def _storable(value):
    """A form value as JSON can hold it."""
    if isinstance(value, datetime):
        return value.strftime(DATETIME_FORMAT)
    if isinstance(value, date):
        return value.isoformat()
    return value


def read(event_sections: list[Section], current: dict | None) -> tuple[dict, list[str]]:
    """Validate the submitted sections; return (settings, error sentences).

    Settings of plugins that are not loaded now are kept untouched.
    """
    settings = dict(current or {})
    errors: list[str] = []
    for section in event_sections:
        form = section.form
        valid = form.validate()
        for field in form:
            if isinstance(field.data, datetime) and not field.errors:
                try:
                    check_year(field.data)
                except TimeError as exc:
                    field.errors = [*field.errors, str(exc)]
                    valid = False
        if not valid:
            # Translators: a field's label and what is wrong with its value.
            errors += [_("%(label)s: %(message)s", label=form[name].label.text, message=message)
                       for name, messages in form.errors.items() for message in messages]
            continue
        settings[section.plugin] = {field.short_name: _storable(field.data) for field in form}
    return settings, errors
