"""The matching plugin's forms: the attendee's profile and introductions, the host's set-up,
rules and changes to a draft."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from wtforms import BooleanField, Form, StringField, TextAreaField
from wtforms.validators import AnyOf, StopValidation, ValidationError

from organizer.plugin_api import gettext as _, lazy_gettext as _l

from . import scoring
from .models import SHAREABLE

MAX_TAGS = 12
MAX_TAG = 40
MAX_LINKS = 4
MAX_ROUNDS = 12
MAX_GROUP = 20
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
ID_RE = re.compile(r"[0-9]{1,12}")
SMALL_RE = re.compile(r"[0-9]{1,4}")  # ASCII digits only: "²" is a digit to str.isdigit


# --- fields that hold numbers typed or chosen ---------------------------------------

def whole(label, low: int, high: int):
    """A validator: a whole number from ``low`` to ``high`` (the field's data becomes it).
    ``label`` is lazy (``_l``): the message is made in the language being spoken."""
    def check(form, field) -> None:
        raw = (field.data or "").strip() if isinstance(field.data, str) else str(field.data)
        if not SMALL_RE.fullmatch(raw) or not low <= int(raw) <= high:
            raise StopValidation(_("%(label)s: a whole number from %(low)d to %(high)d.",
                                   label=str(label), low=low, high=high))
        field.data = int(raw)
    return check


def an_id(message):
    """A validator: a row id (the field's data becomes it); ``message`` is lazy (``_l``)."""
    def check(form, field) -> None:
        if not ID_RE.fullmatch(field.data or ""):
            raise StopValidation(str(message))
        field.data = int(field.data)
    return check


# --- the attendee's profile -------------------------------------------------------------

def _tag_list(raw) -> list[str]:
    if isinstance(raw, list):
        return raw
    found: list[str] = []
    for part in CONTROL.sub(" ", raw or "").split(","):
        tag = scoring.normalise_tag(part)
        if tag and tag not in found:
            found.append(tag)
    return found


def _tags(label):
    """A validator of a list of tags; ``label`` is lazy (``_l``)."""
    def check(form, field) -> None:
        long = [tag for tag in field.data if len(tag) > MAX_TAG]
        if long:
            raise ValidationError(_("%(label)s: keep each entry under %(most)d characters "
                                    "(“%(start)s…”).", label=str(label), most=MAX_TAG,
                                    start=long[0][:20]))
        if len(field.data) > MAX_TAGS:
            raise ValidationError(_("%(label)s: at most %(most)d entries, separated by commas.",
                                    label=str(label), most=MAX_TAGS))
    return check


def _link_list(raw) -> list[str]:
    return raw if isinstance(raw, list) else (raw or "").split()


def _links(form, field) -> None:
    for line in field.data:
        parts = urlsplit(line)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(line) > 300:
            raise ValidationError(_("Links: “%(link)s” is not a web address "
                                    "(it should start with https://).", link=line[:60]))
    if len(field.data) > MAX_LINKS:
        raise ValidationError(_("Links: at most %(most)d.", most=MAX_LINKS))


def _field_name(raw) -> str:
    return scoring.normalise_tag(CONTROL.sub(" ", raw or ""))


def _short_field(form, field) -> None:
    if len(field.data) > 100:
        raise ValidationError(_("Your field: keep it under 100 characters."))


class ProfileForm(Form):
    """The networking profile; ``share_<key>`` says what others may see."""

    interests = StringField(filters=[_tag_list], validators=[_tags(_l("Interests"))])
    offers = StringField(filters=[_tag_list], validators=[_tags(_l("What you can offer"))])
    seeks = StringField(filters=[_tag_list],
                        validators=[_tags(_l("What you are looking for"))])
    languages = StringField(filters=[_tag_list], validators=[_tags(_l("Languages"))])
    field = StringField(filters=[_field_name], validators=[_short_field])
    links = TextAreaField(filters=[_link_list], validators=[_links])
    opted_out = BooleanField()

    def shared(self) -> list[str]:
        return [key for key in SHAREABLE if self[f"share_{key}"].data]


for _key in SHAREABLE:
    setattr(ProfileForm, f"share_{_key}", BooleanField())


class IntroForm(Form):
    attendee_id = StringField(validators=[
        an_id(_l("Choose someone from the list of people at this event."))])
    message = TextAreaField(filters=[lambda value: value or ""])


class DecideForm(Form):
    answer = StringField()

    @property
    def accepted(self) -> bool:
        return self.answer.data == "accept"


# --- the host's set-up, rules and draft -------------------------------------------------

class SetupForm(Form):
    mode = StringField(validators=[AnyOf(["pairs", "groups"],
                                         message=_l("Choose pairs or groups."))])
    group_size = StringField(validators=[whole(_l("People per group"), 2, MAX_GROUP)])
    rounds = StringField(validators=[whole(_l("Rounds"), 1, MAX_ROUNDS)])
    slot_minutes = StringField(validators=[whole(_l("Minutes per round"), 5, 240)])
    same_org = StringField(validators=[AnyOf(["avoid", "allow"], message=_l(
        "Choose whether colleagues may be matched."))])
    checked_in_only = BooleanField()
    mix_fields = BooleanField()
    mix_newcomers = BooleanField()


class RuleForm(Form):
    kind = StringField(validators=[AnyOf(["must", "never"], message=_l(
        "Choose “must meet” or “must not meet”."))])
    first = StringField(validators=[an_id(_l("Choose two people from the guest list."))])
    second = StringField(validators=[an_id(_l("Choose two people from the guest list."))])


class PersonForm(Form):
    attendee_id = StringField(validators=[an_id(_l("Choose someone from the list."))])


class GroupForm(Form):
    """A group of the draft: its round and its place in the round."""

    round = StringField(validators=[whole(_l("Round"), 0, 999)])
    group = StringField(validators=[whole(_l("Group"), 0, 9999)])


class SwapForm(Form):
    round = StringField(validators=[whole(_l("Round"), 0, 999)])
    first = StringField(validators=[an_id(_l("Choose a round and two people to swap."))])
    second = StringField(validators=[an_id(_l("Choose a round and two people to swap."))])
