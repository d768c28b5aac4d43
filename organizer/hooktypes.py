"""The small named types hooks return: a link, an action button, a panel, a question for
a guest, a line on a badge, a marker at the door, a person met, two people who met, a section
of a report.

A plugin builds these rather than loose tuples and dicts, so a typo is an
error where it is made and the page code reads by name.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup


@dataclass(frozen=True)
class Link:
    """A link with a label, for a list of links (the host's event dashboard, say)."""

    label: str
    url: str


@dataclass(frozen=True)
class Action:
    """A button on a page.

    ``method="get"`` renders a link; ``"post"`` a small form with the CSRF
    token, and ``confirm`` a sentence the browser asks before sending it.
    ``style`` is ``"secondary"`` (the default), ``"primary"`` or ``"danger"``.
    """

    label: str
    url: str
    method: str = "get"
    confirm: str | None = None
    style: str = "secondary"

    def __post_init__(self):
        if self.method not in ("get", "post"):
            raise ValueError(f"Action.method is 'get' or 'post', not {self.method!r}")
        if self.style not in ("primary", "secondary", "danger"):
            raise ValueError(f"Action.style is 'primary', 'secondary' or 'danger', "
                             f"not {self.style!r}")


@dataclass(frozen=True)
class Panel:
    """A block of a page: a heading, HTML you have escaped (render a template) and actions.

    ``order`` places it among other plugins' panels: lower comes first
    (the ticket is 10, the RSVP's answers 80). ``anchor`` is the block's
    HTML id, for links to ``#anchor`` after a form is sent.
    """

    title: str
    body: Markup = Markup("")
    actions: tuple[Action, ...] = ()
    order: int = 50
    anchor: str = ""

    def __post_init__(self):
        if not isinstance(self.body, Markup):
            raise TypeError("Panel.body must be markupsafe.Markup: render a template, or "
                            "escape the text with markupsafe.escape")
        object.__setattr__(self, "actions", tuple(self.actions))


@dataclass(frozen=True)
class SettingsSection:
    """A plugin's part of the event form: its per-event settings as a WTForms form.

    ``form`` is a ``wtforms.Form`` subclass (not a FlaskForm: the event form
    carries the CSRF token). Its fields' names are the keys of
    ``event.settings[plugin]``; the inputs are named ``plugin-<plugin>-<field>``.
    Validators do the checking: a value that fails shows its message beside the
    field and nothing is saved. Dates and times are stored as text
    (``DATETIME_FORMAT``, the event's wall clock).
    """

    plugin: str
    title: str
    form: type


@dataclass(frozen=True)
class Question:
    """A question a plugin adds to the form guests fill in to RSVP.

    ``field`` is an unbound WTForms field, validated with the rest of the form:
    ``BooleanField("I'm happy to be photographed")``. ``name`` is the form
    field's name; start it with your plugin's name (``photo_consent``).
    ``save(attendee, value)`` stores the answer; it runs inside the RSVP's own
    transaction, so the answer is kept exactly when the RSVP is.
    ``answers(event)`` returns attendee id → the answer as text, for the host's
    guest list and CSV export, under ``column`` (the field's label by default).
    """

    name: str
    field: Any
    save: Callable[[Any, Any], None]
    answers: Callable[[Any], Mapping[int, str]] | None = None
    column: str | None = None


@dataclass(frozen=True)
class BadgeLine:
    """A line of text a plugin prints on an attendee's name badge, under their
    organisation ("Speaker", "Ask me about hiring"). Short: a badge is small."""

    text: str


@dataclass(frozen=True)
class DoorMarker:
    """What the door station shows with an attendee's check-in ("No photos", "VIP",
    "Needs the step-free entrance"). ``tone`` is ``"info"`` (the default) or
    ``"warning"`` for something the person at the door must act on."""

    text: str
    tone: str = "info"

    def __post_init__(self):
        if self.tone not in ("info", "warning"):
            raise ValueError(f"DoorMarker.tone is 'info' or 'warning', not {self.tone!r}")


@dataclass(frozen=True)
class PersonMet:
    """Someone an attendee met or was matched with, for their follow-up.

    ``details`` holds only what that person agreed to share (label → value);
    ``why`` sentences limited to what both shared; ``how`` a short phrase
    ("matched for a 1:1"); ``topics`` words for a first message.
    ``has_profile`` says why ``details`` may be empty: False when the person
    never filled in a profile, True when they did (and chose what to share),
    None when the plugin does not know.
    """

    attendee_id: int
    name: str
    details: Mapping[str, str] = field(default_factory=dict)
    why: tuple[str, ...] = ()
    how: str = ""
    topics: tuple[str, ...] = ()
    has_profile: bool | None = None


@dataclass(frozen=True)
class Connection:
    """Two guests of one event who met there: matched (``how="matched"``) or introduced at
    either's request (``"introduced"``). ``cross_field`` says whether their fields differ
    (None when either field is unknown)."""

    event_id: int
    first_id: int
    second_id: int
    how: str = "matched"
    cross_field: bool | None = None


@dataclass(frozen=True)
class ReportSection:
    """A section of the host's report: ``rows`` of (label, value) and optionally a
    ``mix`` (label → count, drawn as a bar chart) titled ``mix_title``."""

    title: str
    rows: tuple[tuple[str, str], ...] = ()
    mix: Mapping[str, int] | None = None
    mix_title: str = ""


def flatten(results, kind: type) -> list:
    """The items of a hook's results: each implementation may return one, a list, or None."""
    items = []
    for result in results:
        if result is None:
            continue
        for item in (result if isinstance(result, (list, tuple)) else [result]):
            if not isinstance(item, kind):
                raise TypeError(f"a hook returned {item!r} where {kind.__name__} objects were expected")
            items.append(item)
    return items
