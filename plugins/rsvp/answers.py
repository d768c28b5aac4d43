"""Reading and checking what someone submits on the RSVP form (a WTForms form built for
the event's questions)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from functools import lru_cache

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from wtforms import BooleanField, Form, StringField
from wtforms.validators import AnyOf, InputRequired, Length, Optional, StopValidation

from organizer.plugin_api import Event, db, gettext as _, lazy_gettext as _l

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
    # They chose to appear by name under "who's going" on the event page.
    listed: bool = False
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
        return raw, _("Enter a valid e-mail address, like name@example.org.")


def one_line(raw: str | None, limit: int) -> str:
    return " ".join(CONTROL.sub(" ", raw or "").split())[:limit]


def one_line_filter(limit: int):
    """A WTForms filter: the text on one line, control characters gone, cut at ``limit``."""
    return lambda value: one_line(value, limit)


def address(form, field) -> None:
    """A WTForms validator: a valid address, normalised in place."""
    field.data, error = check_email(field.data or "")
    if error:
        raise StopValidation(error)


class _Contact(Form):
    """Who is coming: on the RSVP form; the attendee's own page has no address field."""

    name = StringField(filters=[one_line_filter(MAX_NAME + 1)], validators=[
        InputRequired(_l("Tell the host your name.")),
        # WTForms fills in %(max)s.
        Length(max=MAX_NAME, message=_l("Keep your name under %(max)s characters."))])
    email = StringField(validators=[address])
    listed = BooleanField()


class _Details(Form):
    """What every RSVP may add: printed on the badge and used to introduce people."""

    name = StringField(filters=[one_line_filter(MAX_NAME)],
                       validators=[InputRequired(_l("Tell the host your name."))])
    organisation = StringField(filters=[one_line_filter(MAX_AFFILIATION)])
    role = StringField(filters=[one_line_filter(MAX_AFFILIATION)])
    plus_one = BooleanField()
    guest_name = StringField(filters=[one_line_filter(MAX_NAME)])


def _question_field(kind: str, label: str, required: bool, choices: tuple[str, ...]):
    # Lazy: the fields are built once (see _form_class) and speak each visitor's language.
    if kind == "checkbox":
        return BooleanField(label, validators=[
            InputRequired(_l("“%(label)s” must be ticked.", label=label)) if required
            else Optional()])
    # WTForms fills in %(max)s.
    checks = [Length(max=MAX_ANSWER, message=_l("Keep your answer under %(max)s characters."))]
    if kind == "choice":
        checks.append(AnyOf(["", *choices], message=_l("Choose one of the offered answers.")))
    needed = (InputRequired(_l("Please answer “%(label)s”.", label=label)) if required
              else Optional())
    return StringField(label, filters=[lambda value: (value or "").strip()],
                       validators=[needed, *checks])


@lru_cache(maxsize=512)
def _form_class(with_contact: bool, asked: tuple) -> type[Form]:
    """The form for a set of questions, ``asked`` as (id, kind, label, required, choices);
    built once per set, as every RSVP of a surge asks the same."""
    base = (_Contact, _Details) if with_contact else (_Details,)
    fields = {f"q{qid}": _question_field(kind, label, required, choices)
              for qid, kind, label, required, choices in asked}
    return type("RsvpAnswers", base, fields)


def read(form, event: Event, plus_one_allowed: bool, with_contact: bool = True,
         asked: list[RsvpQuestion] | None = None) -> Submission:
    """Read and check the RSVP form: name, e-mail, organisation and role, +1 and the host's
    questions (``asked``: the event's questions in order, when the caller has loaded them)."""
    asked = questions(event) if asked is None else asked
    signature = tuple((q.id, q.kind, q.label, q.required, tuple(q.choices)) for q in asked)
    filled = _form_class(with_contact, signature)(form)
    filled.validate()
    sub = Submission(name=filled.name.data or "", organisation=filled.organisation.data or "",
                     role=filled.role.data or "",
                     errors={key: str(messages[0]) for key, messages in filled.errors.items()})
    if with_contact:
        sub.email = filled.email.data or ""
        sub.listed = bool(filled.listed.data)
    if plus_one_allowed and filled.plus_one.data:
        sub.guests, sub.guest_name = 1, filled.guest_name.data or ""
    for question in asked:
        value = filled[question.field_name].data
        sub.answers[str(question.id)] = bool(value) if question.kind == "checkbox" else value
    return sub
