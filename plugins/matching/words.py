"""Lists and ordinal numbers in the language being spoken, for matching's sentences.

English keeps the forms matching has always printed ("ai, climbing", "Ana, Ben and
Cy", "4th"); the other languages list as the CLDR says ("ai und climbing").
"""
from __future__ import annotations

from collections.abc import Iterable

from babel import Locale

from organizer.plugin_api import current_language, format_list, gettext as _


def listing(items: Iterable) -> str:
    """Tags or names one after the other: "ai, climbing" (English), "ai und climbing"."""
    items = [str(item) for item in items]
    if current_language() == "en":
        return format_list(items, style="standard-narrow")
    return format_list(items)


def joined(names: Iterable) -> str:
    """Names joined with "and": "Ana, Ben and Cy" (English), "Ana, Ben und Cy"."""
    names = [str(name) for name in names]
    if current_language() == "en":
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return format_list(names)


def ordinal(k: int) -> str:
    """``k`` as an ordinal number ("4th", "4.")."""
    form = Locale.parse(current_language()).ordinal_form(k)
    if form == "one":
        # Translators: an ordinal number ending like 1st, 21st, as in "A 4th round" (a
        # round of tables: feminine in some languages). Some languages use it for 1 only
        # (French "1re"); German uses "%(num)dth" for every number.
        return _("%(num)dst", num=k)
    if form == "two":
        # Translators: an ordinal number ending like 2nd, 22nd (see "%(num)dst").
        return _("%(num)dnd", num=k)
    if form == "few":
        # Translators: an ordinal number ending like 3rd, 23rd (see "%(num)dst").
        return _("%(num)drd", num=k)
    # Translators: an ordinal number ending like 4th, 11th, 12th (see "%(num)dst");
    # "%(num)d." in German, "%(num)de" in French, "%(num)d.ª" in Spanish.
    return _("%(num)dth", num=k)
