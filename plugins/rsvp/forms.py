"""The host's forms of the RSVP plugin: a guest's status, a guest added by hand, a CSV
import and a question for the RSVP form. (The RSVP form itself is in answers.py.)"""
from __future__ import annotations

from wtforms import BooleanField, FileField, Form, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length, ValidationError

from organizer.plugin_api import ATTENDEE_STATUSES, gettext as _, lazy_gettext as _l

from .answers import MAX_NAME, address, one_line_filter
from .models import QUESTION_KINDS

MAX_CHOICES = 30


class StatusForm(Form):
    status = StringField(validators=[AnyOf(ATTENDEE_STATUSES,
                                           message=_l("Choose one of the offered statuses."))])


class AddGuestForm(Form):
    name = StringField(_l("Name"), filters=[one_line_filter(MAX_NAME)],
                       validators=[InputRequired(_l("Enter the guest's name."))])
    email = StringField(_l("E-mail"), validators=[address])


class ImportForm(Form):
    file = FileField(_l("CSV file"))
    csv_text = TextAreaField(_l("Or paste the rows"))
    confirm = BooleanField()


def _choice_lines(text: str | None) -> list[str]:
    lines = (one_line_filter(100)(line) for line in (text or "").splitlines())
    return list(dict.fromkeys(line for line in lines if line))


class QuestionForm(Form):
    label = StringField(_l("Question"), filters=[one_line_filter(301)], validators=[
        InputRequired(_l("Write the question.")),
        Length(max=300, message=_l("Keep the question under 300 characters."))])
    kind = SelectField(_l("Answer"), choices=list(QUESTION_KINDS), validate_choice=False,
                       validators=[AnyOf(list(QUESTION_KINDS),
                                         message=_l("Choose what kind of answer you want."))])
    choices = TextAreaField(_l("Choices"), filters=[_choice_lines])
    required = BooleanField(_l("Required"))

    def validate_choices(self, field) -> None:
        if self.kind.data == "choice" and len(field.data) < 2:
            raise ValidationError(_("Give at least two choices, one per line."))
        if len(field.data) > MAX_CHOICES:
            raise ValidationError(_("Offer at most %(count)s choices.", count=MAX_CHOICES))
