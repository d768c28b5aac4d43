"""Questions other plugins add to the RSVP form (the ``rsvp_form_questions`` hook).

They are WTForms fields, validated together with the form; their answers are
handed back to the plugin that asked, inside the RSVP's transaction.
"""
from __future__ import annotations

from collections.abc import Mapping

from wtforms import Form

from organizer.plugin_api import Attendee, Event, Question, flatten, hook

# Names the RSVP form itself uses; a plugin's question cannot take them.
RESERVED = {"csrf_token", "name", "email", "organisation", "role", "plus_one", "guest_name"}


class _QuestionsForm(Form):
    """The plugins' fields only; the RSVP form's own fields are read by answers.read."""


def asked(event: Event) -> list[Question]:
    """The questions plugins ask on ``event``'s RSVP form, in plugin order."""
    found = flatten(hook().rsvp_form_questions(event=event), Question)
    for question in found:
        if question.name in RESERVED or question.name.startswith("q"):
            # "q<number>" is the host's own questions.
            raise ValueError(f"A plugin's RSVP question may not be called {question.name!r}; "
                             "start its name with the plugin's name.")
    return found


def form(questions: list[Question], formdata=None) -> Form:
    """A form of the questions' fields, filled from ``formdata`` when given."""
    if not questions:
        return _QuestionsForm()
    cls = type("PluginQuestions", (_QuestionsForm,),
               {question.name: question.field for question in questions})
    return cls(formdata=formdata)


def check(questions: list[Question], formdata) -> tuple[Form, dict[str, object], dict[str, str]]:
    """Validate the plugins' fields: the form, the values by name, the errors by name."""
    filled = form(questions, formdata)
    if not questions:
        return filled, {}, {}
    filled.validate()
    values = {question.name: filled[question.name].data for question in questions}
    errors = {name: str(messages[0]) for name, messages in filled.errors.items()}
    return filled, values, errors


def save(questions: list[Question], attendee: Attendee, values: Mapping[str, object]) -> None:
    """Hand each answer to the plugin that asked (inside the RSVP's transaction)."""
    for question in questions:
        question.save(attendee, values.get(question.name))


def columns(event: Event) -> list[tuple[str, Mapping[int, str]]]:
    """The guest list's extra columns: (title, attendee id → answer text)."""
    found = []
    for question in asked(event):
        if question.answers is None:
            continue
        title = question.column or str(form([question])[question.name].label.text)
        found.append((title, question.answers(event) or {}))
    return found
