"""Reading and checking what someone submits on the RSVP form."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from organizer.plugin_api import Event, db

from .models import RsvpQuestion

CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_NAME = 120
MAX_ANSWER = 1000
MAX_AFFILIATION = 200


@dataclass
class Submission:
    name: str = ""
    email: str = ""
    guests: int = 0
    guest_name: str = ""
    organisation: str = ""
    role: str = ""
    answers: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)
    # Other plugins' questions: their form as filled in, and its values by name.
    plugin_form: object = None
    plugin_values: dict = field(default_factory=dict)


def questions(event: Event) -> list[RsvpQuestion]:
    """The event's questions, in the host's order."""
    return list(db.session.scalars(select(RsvpQuestion).where(
        RsvpQuestion.event_id == event.id).order_by(RsvpQuestion.position, RsvpQuestion.id)))


def check_email(raw: str) -> tuple[str, str | None]:
    """A normalised address, or an error sentence."""
    try:
        return validate_email(raw.strip(), check_deliverability=False).normalized, None
    except EmailNotValidError:
        return raw, "Enter a valid e-mail address, like name@example.org."


def one_line(raw: str | None, limit: int) -> str:
    return " ".join(CONTROL.sub(" ", raw or "").split())[:limit]


def read(form, event: Event, plus_one_allowed: bool, with_contact: bool = True,
         asked: list[RsvpQuestion] | None = None) -> Submission:
    """Read the RSVP form: name, e-mail, organisation and role, +1 and the host's questions
    (``asked``: the event's questions in order, when the caller has loaded them)."""
    sub = Submission()
    if with_contact:
        sub.name = one_line(form.get("name"), MAX_NAME + 1)
        if not sub.name:
            sub.errors["name"] = "Tell the host your name."
        elif len(sub.name) > MAX_NAME:
            sub.errors["name"] = f"Keep your name under {MAX_NAME} characters."
        sub.email, error = check_email(form.get("email", ""))
        if error:
            sub.errors["email"] = error
    else:
        sub.name = one_line(form.get("name"), MAX_NAME)
        if not sub.name:
            sub.errors["name"] = "Tell the host your name."
    # Optional; printed on the badge and used to introduce people.
    sub.organisation = one_line(form.get("organisation"), MAX_AFFILIATION)
    sub.role = one_line(form.get("role"), MAX_AFFILIATION)
    if plus_one_allowed and form.get("plus_one"):
        sub.guests = 1
        sub.guest_name = one_line(form.get("guest_name"), MAX_NAME)
    for question in questions(event) if asked is None else asked:
        key = question.field_name
        if question.kind == "checkbox":
            value = bool(form.get(key))
            if question.required and not value:
                sub.errors[key] = f"“{question.label}” must be ticked."
        else:
            value = (form.get(key) or "").strip()[:MAX_ANSWER + 1]
            if len(value) > MAX_ANSWER:
                sub.errors[key] = f"Keep your answer under {MAX_ANSWER} characters."
            elif question.kind == "choice" and value and value not in question.choices:
                sub.errors[key] = "Choose one of the offered answers."
            elif question.required and not value:
                sub.errors[key] = f"Please answer “{question.label}”."
        sub.answers[str(question.id)] = value
    return sub
