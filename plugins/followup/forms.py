"""The follow-up plugin's forms: the host's settings, an attendee's choice about mail, and
a person's network (asking for its link, notes and follow-up states, settings)."""
from __future__ import annotations

from datetime import timedelta

from wtforms import BooleanField, DateField, EmailField, Form, SelectField, TextAreaField
from wtforms.validators import AnyOf, Email, InputRequired, Length, Optional, ValidationError

from organizer.plugin_api import gettext as _, lazy_gettext as _l, utcnow

from . import contacts, content, network

MAX_MESSAGE = 5000
MAX_RESOURCES = 3000


def _stripped(value: str | None) -> str:
    return (value or "").strip()


class SettingsForm(Form):
    recipients = SelectField(choices=["checked_in", "going"], validate_choice=False,
                             validators=[AnyOf(["checked_in", "going"],
                                               message=_l("Choose who receives a follow-up."))])
    message = TextAreaField(filters=[_stripped], validators=[Length(
        max=MAX_MESSAGE, message=_l("Keep the message under %(max)s characters.",
                                    max=MAX_MESSAGE))])
    resources = TextAreaField(filters=[_stripped], validators=[Length(
        max=MAX_RESOURCES, message=_l("Keep the resources under %(max)s characters.",
                                      max=MAX_RESOURCES))])

    def validate_resources(self, field) -> None:
        bad = [line for line in field.data.splitlines() if line.strip()
               and not content.parse_resources(line)]
        if bad:
            raise ValidationError(_("“%(line)s” has no web address: end each line with one "
                                    "starting with https://.", line=bad[0][:60]))


class MailChoiceForm(Form):
    wanted = SelectField(choices=["0", "1"], validate_choice=False, validators=[
        AnyOf(["0", "1"], message=_l("Say whether you want the follow-up mail."))])


class AskForm(Form):
    """An address to mail a link to one's network to."""

    email = EmailField(_l("Your e-mail address"), filters=[_stripped], validators=[
        InputRequired(_l("Enter the address you signed up to events with.")),
        Email(_l("Enter a valid e-mail address.")), Length(max=254)])


class ContactForm(Form):
    """What a person keeps about someone in their network."""

    state = SelectField(choices=list(network.STATES), validate_choice=False, validators=[
        AnyOf(list(network.STATES), message=_l("Choose where this follow-up stands."))])
    remind_on = DateField(_l("Remind me on"), validators=[Optional()])
    note = TextAreaField(filters=[_stripped], validators=[Length(
        max=contacts.MAX_NOTE, message=_l("Keep your note under %(max)s characters.",
                                          max=contacts.MAX_NOTE))])

    def validate(self, extra_validators=None) -> bool:
        # The date matters only with "Remind me" (Optional() would skip a check here).
        valid = super().validate(extra_validators)
        if self.state.data != "remind":
            self.remind_on.data = None
            self.remind_on.errors = []
            return valid and not self.errors
        error = self._remind_error()
        if error:
            self.remind_on.errors = [*self.remind_on.errors, error]
            return False
        return valid

    def _remind_error(self) -> str | None:
        day = self.remind_on.data
        if day is None:
            return None if self.remind_on.errors else _("Choose the day to be reminded.")
        today = utcnow().date()
        if day < today:
            return _("Choose today or a day to come.")
        if day > today + timedelta(days=2 * 366):
            return _("Choose a day within the next two years.")
        return None


class NetworkSettingsForm(Form):
    hidden = BooleanField()
    nudges = BooleanField()
