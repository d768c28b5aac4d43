"""Web forms (Flask-WTF): every field validated, every error a sentence."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (BooleanField, DateField, SelectChoice, DateTimeLocalField, EmailField, IntegerField, PasswordField,
                     SelectField, SelectMultipleField, StringField, TextAreaField, TimeField)
from wtforms.validators import (DataRequired, Email, EqualTo, InputRequired, Length,
                                NumberRange, Optional, ValidationError)
from wtforms.widgets import CheckboxInput, ListWidget

from . import passwords, timeutil
from .i18n import LANGUAGES, current_language
from .models import EVENT_KINDS
from .series import WEEKDAY_NAMES, WEEKDAYS

CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
MAX_DESCRIPTION = 20_000


def no_control_characters(form, field):
    """Refuse line breaks and control characters in one-line fields (titles, names)."""
    if field.data and CONTROL_CHARS.search(field.data):
        raise ValidationError("Use a single line without line breaks or control characters.")


def web_link(form, field):
    """Accept only http(s) links with a host."""
    if not field.data:
        return
    parts = urlsplit(field.data.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or CONTROL_CHARS.search(field.data):
        raise ValidationError("Enter a full web address starting with https://")


def known_zone(form, field):
    try:
        timeutil.get_zone(field.data)
    except timeutil.TimeError as exc:
        raise ValidationError(str(exc)) from exc


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def options(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def zone_choices():
    return options((name, name.replace("_", " ")) for name in timeutil.zone_names())


class _EventDetails(FlaskForm):
    """Fields an event and a series share."""

    kind = SelectField("Kind", choices=options(EVENT_KINDS.items()), validators=[DataRequired()])
    title = StringField("Title", filters=[_strip], validators=[
        DataRequired("Give the event a title."), Length(max=200), no_control_characters])
    description = TextAreaField(
        "Description", filters=[_strip],
        description="Markdown: **bold**, _italic_, [links](https://example.org), lists.",
        validators=[Optional(), Length(max=MAX_DESCRIPTION,
                                       message="Keep the description under 20,000 characters.")])
    timezone = SelectField("Time zone", validators=[DataRequired(), known_zone],
                           validate_choice=False)
    venue = StringField("Venue", filters=[_strip], validators=[
        Optional(), Length(max=200), no_control_characters],
        description="For example “Café Lumen, upstairs”.")
    address = StringField("Address", filters=[_strip], validators=[
        Optional(), Length(max=500), no_control_characters])
    online_url = StringField("Online link", filters=[_strip], validators=[
        Optional(), Length(max=500), web_link],
        description="Video call link for virtual or hybrid events.")
    language = SelectField(
        "Language of mails, badges and PDFs", choices=options(LANGUAGES.items()),
        default=current_language, validators=[DataRequired()],
        description="Guests read pages in their own language; what is sent or printed for "
                    "this event speaks this one.")
    capacity = IntegerField("Capacity", validators=[
        Optional(), NumberRange(min=1, max=100_000, message="Capacity must be at least 1 "
                                "(leave it empty for no limit).")],
        description="Leave empty for no limit.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = zone_choices()

    def _check_place(self) -> bool:
        # A virtual session may get its link later: the page says it will come.
        if self.kind.data == "virtual":
            return True
        if not (self.venue.data or self.address.data or self.online_url.data):
            self.venue.errors.append("Say where people meet: a venue or address, or an online link.")
            return False
        return True

    def template_values(self) -> dict:
        return {
            "kind": self.kind.data, "title": self.title.data,
            "description": self.description.data or "", "timezone": self.timezone.data,
            "venue": self.venue.data or "", "address": self.address.data or "",
            "online_url": (self.online_url.data or "").strip(), "capacity": self.capacity.data,
            "language": self.language.data,
        }


class EventForm(_EventDetails):
    start = DateTimeLocalField("Starts", format="%Y-%m-%dT%H:%M",
                               validators=[InputRequired("Enter when the event starts.")])
    end = DateTimeLocalField("Ends", format="%Y-%m-%dT%H:%M",
                             validators=[InputRequired("Enter when the event ends.")])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if not ok:
            return False
        ok = self._check_place()
        try:
            self.starts_utc = timeutil.to_utc(self.start.data, self.timezone.data)
        except timeutil.TimeError as exc:
            self.start.errors.append(str(exc))
            return False
        try:
            self.ends_utc = timeutil.to_utc(self.end.data, self.timezone.data)
        except timeutil.TimeError as exc:
            self.end.errors.append(str(exc))
            return False
        if self.ends_utc <= self.starts_utc:
            self.end.errors.append("The end must be after the start.")
            return False
        if self.ends_utc - self.starts_utc > timedelta(days=14):
            self.end.errors.append("An event can last at most 14 days.")
            return False
        return ok

    def values(self) -> dict:
        values = self.template_values()
        values.update(starts_at=self.starts_utc, ends_at=self.ends_utc)
        return values


class SeriesForm(_EventDetails):
    first_date = DateField("First date", validators=[InputRequired("Pick the first date.")])
    time = TimeField("Starts at", validators=[InputRequired("Enter the start time.")])
    duration = IntegerField("Length (minutes)", validators=[
        InputRequired("Enter how long each meeting lasts."),
        NumberRange(min=5, max=24 * 60, message="Between 5 minutes and 24 hours.")])
    freq = SelectField("Repeats", choices=options([("weekly", "Weekly"), ("monthly", "Monthly")]))
    interval = SelectField("Every", coerce=int, choices=options([
        (1, "every week / month"), (2, "every other"), (3, "every third"), (4, "every fourth")]))
    weekdays = MultiCheckboxField("On", choices=options(zip(WEEKDAYS, WEEKDAY_NAMES, strict=True)))
    month_week = SelectField("Week of the month", coerce=int, choices=options([
        (1, "first"), (2, "second"), (3, "third"), (4, "fourth"), (-1, "last")]))
    ends = SelectField("Ends", choices=options([
        ("never", "Never"), ("count", "After a number of times"), ("until", "On a date")]))
    count = IntegerField("Number of times", validators=[
        Optional(), NumberRange(min=1, max=500, message="Between 1 and 500 times.")])
    until = DateField("Last date", validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        ok = self._check_place()
        start = datetime.combine(self.first_date.data, self.time.data)
        if self.until.data and not timeutil.MIN_YEAR <= self.until.data.year <= timeutil.MAX_YEAR:
            self.until.errors.append(f"Pick a date between the years {timeutil.MIN_YEAR} "
                                     f"and {timeutil.MAX_YEAR}.")
            return False
        try:
            timeutil.to_utc(start, self.timezone.data)
        except timeutil.TimeError as exc:
            (self.first_date if "year" in str(exc) else self.time).errors.append(str(exc))
            return False
        ok = self._check_first_date() and ok
        if self.ends.data == "count" and not self.count.data:
            self.count.errors.append("Say how many times the series meets.")
            ok = False
        if self.ends.data == "until":
            if not self.until.data:
                self.until.errors.append("Pick the last date.")
                ok = False
            elif self.until.data < self.first_date.data:
                self.until.errors.append("The last date must not be before the first date.")
                ok = False
        self.dtstart_local = start
        return ok

    def _check_first_date(self) -> bool:
        """The first date must be one the rule itself gives: calendar apps always show
        the first date, so one outside the rule would be a date nobody planned."""
        first = self.first_date.data
        day_name = WEEKDAY_NAMES[first.weekday()]
        if self.freq.data == "monthly":
            week = (first.day - 1) // 7 + 1
            is_last = (first + timedelta(days=7)).month != first.month
            if self.month_week.data == week or (self.month_week.data == -1 and is_last):
                return True
            ordinal = {1: "first", 2: "second", 3: "third", 4: "fourth"}.get(week)
            fits = ([f"“{ordinal}”"] if ordinal else []) + (["“last”"] if is_last else [])
            self.month_week.errors.append(
                f"{first.day} {first:%B %Y} is the {ordinal or 'last'} {day_name} of its "
                f"month: choose {' or '.join(fits)}, or another first date.")
            return False
        if not self.weekdays.data:
            self.weekdays.errors.append("Tick the days of the week the series meets on.")
            return False
        if WEEKDAYS[first.weekday()] not in self.weekdays.data:
            self.weekdays.errors.append(
                f"The first date is a {day_name}: tick {day_name} too, or pick a first date "
                "on a ticked day.")
            return False
        return True

    def rule_parts(self) -> dict:
        """Arguments for :func:`organizer.series.build_rule`."""
        weekdays = [d for d in WEEKDAYS if d in self.weekdays.data]
        if self.freq.data == "monthly":
            weekdays = [WEEKDAYS[self.first_date.data.weekday()]]
        until = None
        if self.ends.data == "until" and self.until.data:
            end_local = datetime.combine(self.until.data, datetime.max.time().replace(microsecond=0))
            until = end_local.replace(tzinfo=timeutil.get_zone(self.timezone.data))
        return {"freq": self.freq.data, "interval": self.interval.data, "weekdays": weekdays,
                "count": self.count.data if self.ends.data == "count" else None,
                "until_utc": until, "month_week": self.month_week.data}


class CoHostForm(FlaskForm):
    email = EmailField("Co-host's e-mail", filters=[_strip], validators=[
        DataRequired("Enter the e-mail address the co-host signed up with."),
        Email("Enter a valid e-mail address.")])


IMAGE_TYPES = "image/jpeg,image/png,image/webp,image/gif"


class CoverForm(FlaskForm):
    picture = FileField("Cover picture", render_kw={"accept": IMAGE_TYPES}, description=(
        "JPEG, PNG, WebP or GIF, at least 800×400 pixels, up to 10 MB. It is shown at the "
        "top of the event page and when its link is shared (cropped to 1200×630)."))
    alt = StringField("Describe the picture", filters=[_strip], validators=[
        Length(max=300, message="Keep the description under 300 characters.")],
        description="For people who cannot see it, e.g. “Ten people around a café table”.")


class ProfileForm(FlaskForm):
    name = StringField("Your name", filters=[_strip], validators=[
        DataRequired("Enter your name."), Length(max=120, message="At most 120 characters.")])
    bio = TextAreaField("About you", filters=[_strip], validators=[
        Length(max=500, message="Keep it under 500 characters.")],
        description="A few sentences on your public page: who you are, why you host.")
    photo = FileField("Photo", render_kw={"accept": IMAGE_TYPES}, description=(
        "JPEG, PNG, WebP or GIF, at least 200×200 pixels, up to 10 MB; cropped to a square."))
    remove_photo = BooleanField("Remove my photo")


class ApiTokenForm(FlaskForm):
    name = StringField("Name", filters=[_strip], description=(
        "What it is for, so you recognise it later: “CRM sync”, “Slack”."), validators=[
        DataRequired("Give the token a name."),
        Length(max=80, message="Keep the name under 80 characters.")])
    scope = SelectField("Access", default="read", choices=options([
        ("read", "Read: see events and guests"),
        ("write", "Read and write: also create and change them")]),
        validators=[DataRequired("Choose what the token may do.")])


class WebhookForm(FlaskForm):
    """An endpoint: its URL, which events, which types. ``event_id`` and ``types`` get
    their choices from the view (the host's events, the loaded types)."""

    url = StringField("Endpoint URL", filters=[_strip], description=(
        "Where organizer posts each change, signed per the Standard Webhooks specification."),
        validators=[DataRequired("Give the address that should receive the webhooks."),
                    Length(max=2000, message="Keep the address under 2,000 characters."),
                    web_link])
    description = StringField("Description", filters=[_strip], description=(
        "Optional: what receives it, “CRM sync”."), validators=[
        Length(max=200, message="Keep the description under 200 characters."),
        no_control_characters])
    event_id = SelectField("Events", default="", description=(
        "Every event you host or co-host, now and later, or one event only."))
    types = MultiCheckboxField("Changes to send", validators=[
        DataRequired("Pick at least one kind of change to send.")])


class AddressForm(FlaskForm):
    email = EmailField("Correct address", filters=[_strip], validators=[
        DataRequired("Enter the address the mail should go to."),
        Email("Enter a valid e-mail address."), Length(max=254)])


def strong_password(form, field):
    # On the reset form the account's e-mail and name are not fields but known.
    email = form.email.data if "email" in form else getattr(form, "account_email", "")
    name = form.name.data if "name" in form else getattr(form, "account_name", "")
    message = passwords.problem(field.data or "", email or "", name or "")
    if message:
        raise ValidationError(message)


class SignUpForm(FlaskForm):
    name = StringField("Your name", filters=[_strip], validators=[
        DataRequired("Tell people who is hosting."), Length(max=120), no_control_characters])
    email = EmailField("E-mail", filters=[_strip], validators=[
        DataRequired("Enter your e-mail address."), Email("Enter a valid e-mail address."),
        Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired("Choose a password."),
                                                     strong_password],
                             description="At least 8 characters; not a common password.")
    timezone = SelectField("Your time zone", validators=[DataRequired(), known_zone],
                           validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = zone_choices()


class SignInForm(FlaskForm):
    email = EmailField("E-mail", filters=[_strip], validators=[
        DataRequired("Enter your e-mail address.")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])


class ResetRequestForm(FlaskForm):
    email = EmailField("E-mail", filters=[_strip], validators=[
        DataRequired("Enter your e-mail address."), Email("Enter a valid e-mail address.")])


class ResetPasswordForm(FlaskForm):
    account_email = ""
    account_name = ""
    password = PasswordField("New password", validators=[DataRequired("Choose a password."),
                                                         strong_password])
    confirm = PasswordField("Repeat the new password", validators=[
        EqualTo("password", message="The two passwords differ.")])
