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
from .i18n import LANGUAGES, current_language, gettext as _, lazy_gettext as _l
from .models import EVENT_KINDS
from .series import WEEKDAY_NAMES, WEEKDAYS
from .timeutil import format_long_date

CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
MAX_DESCRIPTION = 20_000


def no_control_characters(form, field):
    """Refuse line breaks and control characters in one-line fields (titles, names)."""
    if field.data and CONTROL_CHARS.search(field.data):
        raise ValidationError(_("Use a single line without line breaks or control characters."))


def web_link(form, field):
    """Accept only http(s) links with a host."""
    if not field.data:
        return
    parts = urlsplit(field.data.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or CONTROL_CHARS.search(field.data):
        raise ValidationError(_("Enter a full web address starting with https://"))


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


# The week of the month a monthly series meets in (-1: the last).
MONTH_WEEKS = {
    # Translators: the week of the month a series meets in: "the first Tuesday".
    1: _l("first"), 2: _l("second"), 3: _l("third"), 4: _l("fourth"), -1: _l("last")}


def zone_choices():
    return options((name, name.replace("_", " ")) for name in timeutil.zone_names())


class _EventDetails(FlaskForm):
    """Fields an event and a series share."""

    kind = SelectField(_l("Kind"), choices=options(EVENT_KINDS.items()),
                       validators=[DataRequired()])
    title = StringField(_l("Title"), filters=[_strip], validators=[
        DataRequired(_l("Give the event a title.")), Length(max=200), no_control_characters])
    description = TextAreaField(
        _l("Description"), filters=[_strip],
        description=_l("Markdown: **bold**, _italic_, [links](https://example.org), lists."),
        validators=[Optional(), Length(max=MAX_DESCRIPTION,
                                       message=_l("Keep the description under 20,000 "
                                                  "characters."))])
    timezone = SelectField(_l("Time zone"), validators=[DataRequired(), known_zone],
                           validate_choice=False)
    venue = StringField(_l("Venue"), filters=[_strip], validators=[
        Optional(), Length(max=200), no_control_characters],
        description=_l("For example “Café Lumen, upstairs”."))
    address = StringField(_l("Address"), filters=[_strip], validators=[
        Optional(), Length(max=500), no_control_characters])
    online_url = StringField(_l("Online link"), filters=[_strip], validators=[
        Optional(), Length(max=500), web_link],
        description=_l("Video call link for virtual or hybrid events."))
    language = SelectField(
        _l("Language of mails, badges and PDFs"), choices=options(LANGUAGES.items()),
        default=current_language, validators=[DataRequired()],
        description=_l("Guests read pages in their own language; what is sent or printed "
                       "for this event speaks this one."))
    capacity = IntegerField(_l("Capacity"), validators=[
        Optional(), NumberRange(min=1, max=100_000, message=_l(
            "Capacity must be at least 1 (leave it empty for no limit)."))],
        description=_l("Leave empty for no limit."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = zone_choices()

    def _check_place(self) -> bool:
        # A virtual session may get its link later: the page says it will come.
        if self.kind.data == "virtual":
            return True
        if not (self.venue.data or self.address.data or self.online_url.data):
            self.venue.errors.append(
                _("Say where people meet: a venue or address, or an online link."))
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
    start = DateTimeLocalField(_l("Starts"), format="%Y-%m-%dT%H:%M",
                               validators=[InputRequired(_l("Enter when the event starts."))])
    end = DateTimeLocalField(_l("Ends"), format="%Y-%m-%dT%H:%M",
                             validators=[InputRequired(_l("Enter when the event ends."))])

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
            self.end.errors.append(_("The end must be after the start."))
            return False
        if self.ends_utc - self.starts_utc > timedelta(days=14):
            self.end.errors.append(_("An event can last at most 14 days."))
            return False
        return ok

    def values(self) -> dict:
        values = self.template_values()
        values.update(starts_at=self.starts_utc, ends_at=self.ends_utc)
        return values


class SeriesForm(_EventDetails):
    first_date = DateField(_l("First date"),
                           validators=[InputRequired(_l("Pick the first date."))])
    time = TimeField(_l("Starts at"), validators=[InputRequired(_l("Enter the start time."))])
    duration = IntegerField(_l("Length (minutes)"), validators=[
        InputRequired(_l("Enter how long each meeting lasts.")),
        NumberRange(min=5, max=24 * 60, message=_l("Between 5 minutes and 24 hours."))])
    freq = SelectField(_l("Repeats"), choices=options([("weekly", _l("Weekly")),
                                                       ("monthly", _l("Monthly"))]))
    # Translators: how often a series repeats (every week, every other week…).
    interval = SelectField(_l("Every"), coerce=int, choices=options([
        (1, _l("every week / month")), (2, _l("every other")), (3, _l("every third")),
        (4, _l("every fourth"))]))
    # Translators: the days of the week a weekly series meets on.
    weekdays = MultiCheckboxField(_l("On"),
                                  choices=options(zip(WEEKDAYS, WEEKDAY_NAMES, strict=True)))
    month_week = SelectField(_l("Week of the month"), coerce=int, choices=options(
        MONTH_WEEKS.items()))
    ends = SelectField(_l("Ends"), choices=options([
        ("never", _l("Never")), ("count", _l("After a number of times")),
        ("until", _l("On a date"))]))
    count = IntegerField(_l("Number of times"), validators=[
        Optional(), NumberRange(min=1, max=500, message=_l("Between 1 and 500 times."))])
    until = DateField(_l("Last date"), validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        ok = self._check_place()
        start = datetime.combine(self.first_date.data, self.time.data)
        if self.until.data and not timeutil.MIN_YEAR <= self.until.data.year <= timeutil.MAX_YEAR:
            self.until.errors.append(_("Pick a date between the years %(first)s and %(last)s.",
                                       first=timeutil.MIN_YEAR, last=timeutil.MAX_YEAR))
            return False
        try:
            timeutil.to_utc(start, self.timezone.data)
        except timeutil.TimeError as exc:
            field = self.first_date if isinstance(exc, timeutil.YearError) else self.time
            field.errors.append(str(exc))
            return False
        ok = self._check_first_date() and ok
        if self.ends.data == "count" and not self.count.data:
            self.count.errors.append(_("Say how many times the series meets."))
            ok = False
        if self.ends.data == "until":
            if not self.until.data:
                self.until.errors.append(_("Pick the last date."))
                ok = False
            elif self.until.data < self.first_date.data:
                self.until.errors.append(_("The last date must not be before the first date."))
                ok = False
        self.dtstart_local = start
        return ok

    def _check_first_date(self) -> bool:
        """The first date must be one the rule itself gives: calendar apps always show
        the first date, so one outside the rule would be a date nobody planned."""
        first = self.first_date.data
        day_name = str(WEEKDAY_NAMES[first.weekday()])
        if self.freq.data == "monthly":
            week = (first.day - 1) // 7 + 1
            is_last = (first + timedelta(days=7)).month != first.month
            if self.month_week.data == week or (self.month_week.data == -1 and is_last):
                return True
            fits = ([week] if week in MONTH_WEEKS else []) + ([-1] if is_last else [])
            values = {"day_of_month": format_long_date(first), "day": day_name,
                      "nth": MONTH_WEEKS[fits[0]], "choice": MONTH_WEEKS[fits[0]]}
            if len(fits) == 1:
                # Translators: nth is the week of the month ("first"), day a weekday;
                # choice is an option of the "Week of the month" field.
                error = _("%(day_of_month)s is the %(nth)s %(day)s of its month: choose "
                          "“%(choice)s”, or another first date.", **values)
            else:
                error = _("%(day_of_month)s is the %(nth)s %(day)s of its month: choose "
                          "“%(choice)s” or “%(other)s”, or another first date.",
                          other=MONTH_WEEKS[fits[1]], **values)
            self.month_week.errors.append(error)
            return False
        if not self.weekdays.data:
            self.weekdays.errors.append(_("Tick the days of the week the series meets on."))
            return False
        if WEEKDAYS[first.weekday()] not in self.weekdays.data:
            self.weekdays.errors.append(_(
                "The first date is a %(day)s: tick %(day)s too, or pick a first date on a "
                "ticked day.", day=day_name))
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
    email = EmailField(_l("Co-host's e-mail"), filters=[_strip], validators=[
        DataRequired(_l("Enter the e-mail address the co-host signed up with.")),
        Email(_l("Enter a valid e-mail address."))])


IMAGE_TYPES = "image/jpeg,image/png,image/webp,image/gif"


class CoverForm(FlaskForm):
    picture = FileField(_l("Cover picture"), render_kw={"accept": IMAGE_TYPES}, description=_l(
        "JPEG, PNG, WebP or GIF, at least 800×400 pixels, up to 10 MB. It is shown at the "
        "top of the event page and when its link is shared (cropped to 1200×630)."))
    alt = StringField(_l("Describe the picture"), filters=[_strip], validators=[
        Length(max=300, message=_l("Keep the description under 300 characters."))],
        description=_l("For people who cannot see it, e.g. “Ten people around a café table”."))


class ProfileForm(FlaskForm):
    name = StringField(_l("Your name"), filters=[_strip], validators=[
        DataRequired(_l("Enter your name.")),
        Length(max=120, message=_l("At most 120 characters."))])
    bio = TextAreaField(_l("About you"), filters=[_strip], validators=[
        Length(max=500, message=_l("Keep it under 500 characters."))],
        description=_l("A few sentences on your public page: who you are, why you host."))
    photo = FileField(_l("Photo"), render_kw={"accept": IMAGE_TYPES}, description=_l(
        "JPEG, PNG, WebP or GIF, at least 200×200 pixels, up to 10 MB; cropped to a square."))
    remove_photo = BooleanField(_l("Remove my photo"))


class ApiTokenForm(FlaskForm):
    name = StringField(_l("Name"), filters=[_strip], description=_l(
        "What it is for, so you recognise it later: “CRM sync”, “Slack”."), validators=[
        DataRequired(_l("Give the token a name.")),
        Length(max=80, message=_l("Keep the name under 80 characters."))])
    scope = SelectField(_l("Access"), default="read", choices=options([
        ("read", _l("Read: see events and guests")),
        ("write", _l("Read and write: also create and change them"))]),
        validators=[DataRequired(_l("Choose what the token may do."))])


class WebhookForm(FlaskForm):
    """An endpoint: its URL, which events, which types. ``event_id`` and ``types`` get
    their choices from the view (the host's events, the loaded types)."""

    url = StringField(_l("Endpoint URL"), filters=[_strip], description=_l(
        "Where organizer posts each change, signed per the Standard Webhooks specification."),
        validators=[DataRequired(_l("Give the address that should receive the webhooks.")),
                    Length(max=2000, message=_l("Keep the address under 2,000 characters.")),
                    web_link])
    description = StringField(_l("Description"), filters=[_strip], description=_l(
        "Optional: what receives it, “CRM sync”."), validators=[
        Length(max=200, message=_l("Keep the description under 200 characters.")),
        no_control_characters])
    event_id = SelectField(_l("Events"), default="", description=_l(
        "Every event you host or co-host, now and later, or one event only."))
    types = MultiCheckboxField(_l("Changes to send"), validators=[
        DataRequired(_l("Pick at least one kind of change to send."))])


class AddressForm(FlaskForm):
    email = EmailField(_l("Correct address"), filters=[_strip], validators=[
        DataRequired(_l("Enter the address the mail should go to.")),
        Email(_l("Enter a valid e-mail address.")), Length(max=254)])


def strong_password(form, field):
    # On the reset form the account's e-mail and name are not fields but known.
    email = form.email.data if "email" in form else getattr(form, "account_email", "")
    name = form.name.data if "name" in form else getattr(form, "account_name", "")
    message = passwords.problem(field.data or "", email or "", name or "")
    if message:
        raise ValidationError(message)


class SignUpForm(FlaskForm):
    name = StringField(_l("Your name"), filters=[_strip], validators=[
        DataRequired(_l("Tell people who is hosting.")), Length(max=120),
        no_control_characters])
    email = EmailField(_l("E-mail"), filters=[_strip], validators=[
        DataRequired(_l("Enter your e-mail address.")),
        Email(_l("Enter a valid e-mail address.")), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(_l("Choose a password.")), strong_password],
        description=_l("At least 8 characters; not a common password."))
    timezone = SelectField(_l("Your time zone"), validators=[DataRequired(), known_zone],
                           validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = zone_choices()


class SignInForm(FlaskForm):
    email = EmailField(_l("E-mail"), filters=[_strip], validators=[
        DataRequired(_l("Enter your e-mail address."))])
    password = PasswordField(_l("Password"),
                             validators=[DataRequired(_l("Enter your password."))])


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("E-mail"), filters=[_strip], validators=[
        DataRequired(_l("Enter your e-mail address.")),
        Email(_l("Enter a valid e-mail address."))])


class ResetPasswordForm(FlaskForm):
    account_email = ""
    account_name = ""
    password = PasswordField(_l("New password"), validators=[
        DataRequired(_l("Choose a password.")), strong_password])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        EqualTo("password", message=_l("The two passwords differ."))])
