"""The follow-up plugin's forms: the host's settings and an attendee's choice about mail."""
from __future__ import annotations

from wtforms import Form, SelectField, TextAreaField
from wtforms.validators import AnyOf, Length, ValidationError

from . import content

MAX_MESSAGE = 5000
MAX_RESOURCES = 3000


def _stripped(value: str | None) -> str:
    return (value or "").strip()


class SettingsForm(Form):
    recipients = SelectField(choices=["checked_in", "going"], validate_choice=False,
                             validators=[AnyOf(["checked_in", "going"],
                                               message="Choose who receives a follow-up.")])
    message = TextAreaField(filters=[_stripped], validators=[Length(
        max=MAX_MESSAGE, message=f"Keep the message under {MAX_MESSAGE} characters.")])
    resources = TextAreaField(filters=[_stripped], validators=[Length(
        max=MAX_RESOURCES, message=f"Keep the resources under {MAX_RESOURCES} characters.")])

    def validate_resources(self, field) -> None:
        bad = [line for line in field.data.splitlines() if line.strip()
               and not content.parse_resources(line)]
        if bad:
            raise ValidationError(f"“{bad[0][:60]}” has no web address: end each line with "
                                  "one starting with https://.")


class MailChoiceForm(Form):
    wanted = SelectField(choices=["0", "1"], validate_choice=False, validators=[
        AnyOf(["0", "1"], message="Say whether you want the follow-up mail.")])
