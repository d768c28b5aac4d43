"""The badges plugin's forms: a door station, a badge sheet, a code typed at self check-in.

(The door's scan, check-in and undo are small requests from the station's script,
one value each, on the door's busy path; they are read directly.)"""
from __future__ import annotations

import re

from wtforms import Form, StringField
from wtforms.validators import AnyOf, StopValidation

from organizer.plugin_api import gettext as _, lazy_gettext as _l

from . import layouts

MAX_BLANKS = 200
WHO = {"going": _l("Everyone going"),
       "not-checked-in": _l("Everyone going who has not checked in yet"),
       "blank": _l("Blank badges only (walk-ins write their name)")}


def _one_line(limit: int):
    return lambda value: " ".join((value or "").split())[:limit]


class StationForm(Form):
    name = StringField(_l("Name"), filters=[_one_line(80), lambda value: value or _("Door")])


def _blanks(form, field) -> None:
    raw = (field.data or "0").strip()
    if not re.fullmatch(r"[0-9]{1,4}", raw) or not 0 <= int(raw) <= MAX_BLANKS:
        raise StopValidation(_("Blank badges: a whole number from 0 to %(most)s.",
                               most=MAX_BLANKS))
    field.data = int(raw)
    if form.who.data == "blank" and field.data == 0:
        raise StopValidation(_("Say how many blank badges to print."))


class SheetForm(Form):
    layout = StringField(default=layouts.DEFAULT, filters=[lambda value: value or layouts.DEFAULT],
                         validators=[AnyOf(list(layouts.LAYOUTS),
                                           message=_l("Choose one of the paper layouts."))])
    who = StringField(default="going", filters=[lambda value: value or "going"],
                      validators=[AnyOf(list(WHO), message=_l("Choose whose badges to print."))])
    blanks = StringField(default="0", validators=[_blanks])


class CodeForm(Form):
    code = StringField(filters=[lambda value: value or ""])
