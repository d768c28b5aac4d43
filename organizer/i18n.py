"""Languages: which one a page, a mail or a PDF speaks, and the words and formats of each.

Pages speak the visitor's language: the one they picked with the switcher
(remembered in a cookie), else the best match of their browser's
Accept-Language, else the page's own fallback (an event page falls back to
the event's language), else English. Mails, badges, calendar files and PDFs
made for an event speak the event's language, whoever triggers them::

    with in_language(event.language):
        html = render_template("followup/personal.html", ...)

Translations are gettext catalogues compiled at build time: the core's in
``organizer/translations`` and each plugin's in the folder its
``translation_directories`` hook names (see docs/plugins.md).
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

from babel import Locale
from babel import dates as babel_dates, lists as babel_lists, numbers as babel_numbers
from flask import Flask, g, has_app_context, has_request_context, request
from flask_babel import Babel, force_locale, get_locale, gettext, lazy_gettext, ngettext

__all__ = ["LANGUAGES", "DEFAULT", "gettext", "ngettext", "lazy_gettext", "in_language",
           "current_language", "format_day", "format_clock", "format_moment",
           "format_date_short", "format_number", "format_list", "format_span", "init_app"]

# The languages shipped complete, by code, each named in its own language.
LANGUAGES = {"en": "English", "de": "Deutsch", "fr": "Français", "es": "Español"}
DEFAULT = "en"
COOKIE = "lang"
CATALOGUES = Path(__file__).resolve().parent / "translations"


def init_app(app: Flask) -> None:
    """Set up Flask-Babel with the core's catalogues and those the plugins name."""
    from .plugins import hook
    folders = [str(folder) for folder in _plugin_folders(hook(app).translation_directories())]
    # Later catalogues override earlier ones, so the core's words win over a plugin's.
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join([*folders, str(CATALOGUES)])
    Babel(app, locale_selector=_select_locale)
    # {% trans %} blocks may wrap over lines; their text is one sentence.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.filters.update(day=format_day, clock=format_clock, moment=format_moment,
                                 shortdate=format_date_short, number=format_number,
                                 listing=format_list)
    app.add_template_global(current_language)
    app.add_template_global(LANGUAGES, "LANGUAGES")

    @app.after_request
    def _vary(response):
        if response.mimetype == "text/html":
            response.vary.update(("Accept-Language", "Cookie"))
        return response


def _plugin_folders(results) -> list[Path]:
    folders: list[Path] = []
    for result in results:
        for folder in (result if isinstance(result, (list, tuple)) else [result]):
            folders.append(Path(folder))
    return folders


def _select_locale() -> str:
    if not has_request_context() or request.path.startswith("/api/"):
        # The JSON API speaks English to programs, whatever their Accept-Language.
        return DEFAULT
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    fallback = g.get("page_language")
    # In the browser's order of preference, a regional tag ("de-AT") counting as its language.
    for tag, _quality in request.accept_languages:
        language = tag.split("-")[0].split("_")[0].lower()
        if language in LANGUAGES:
            return language
    return fallback if fallback in LANGUAGES else DEFAULT


def page_falls_back_to(language: str | None) -> None:
    """Speak ``language`` on this page when the visitor has not said what they read
    (no choice and no browser preference we ship): an event page speaks its event's."""
    g.page_language = language


def current_language() -> str:
    """The code of the language being spoken now ("en" outside any request)."""
    locale = get_locale() if has_app_context() else None
    return locale.language if locale is not None else DEFAULT


@contextmanager
def in_language(code: str | None):
    """Speak ``code`` (an unknown or empty code: English) inside the block: words,
    dates and numbers. Works in requests, jobs and the deliverer alike."""
    code = code if code in LANGUAGES else DEFAULT
    if not has_app_context():
        yield
        return
    with force_locale(code):
        yield


def _locale() -> Locale:
    locale = get_locale() if has_app_context() else None
    return locale or Locale.parse(DEFAULT)


# English keeps the day-month order the product has always printed ("Tue 3 March 2026");
# the other languages use their own conventions from the CLDR.
_DAY = {"en": "EEE d MMMM y"}
_SHORT_DAY = {"en": "d MMM y"}


def format_day(when: date | datetime) -> str:
    """The day of ``when`` with its weekday, as the language writes it ("Di., 3. März 2026")."""
    locale = _locale()
    pattern = _DAY.get(locale.language)
    if pattern is None:
        pattern = locale.datetime_skeletons["yMMMMEd"].pattern
    return babel_dates.format_date(when, pattern, locale=locale)


def format_date_short(when: date | datetime) -> str:
    """A short date without weekday ("3 Mar 2026", "03.03.2026")."""
    locale = _locale()
    pattern = _SHORT_DAY.get(locale.language)
    if pattern is None:
        pattern = locale.datetime_skeletons["yMMMd"].pattern
    return babel_dates.format_date(when, pattern, locale=locale)


def format_clock(when: datetime) -> str:
    """The time of day of ``when`` as it stands (no conversion): "08:30", "8:30"."""
    locale = _locale()
    if locale.language == "en":
        return f"{when:%H:%M}"
    return babel_dates.format_time(when, "short", tzinfo=when.tzinfo, locale=locale)


def format_moment(when: datetime) -> str:
    """Day and time of ``when`` as it stands: "Tue 3 March 2026, 08:30"."""
    return f"{format_day(when)}, {format_clock(when)}"


def format_number(number: int | float) -> str:
    """A number with the language's separators ("1,234", "1.234")."""
    return babel_numbers.format_decimal(number, locale=_locale())


def format_list(items, style: str = "standard") -> str:
    """Items joined as the language joins them ("A, B and C", "A, B und C")."""
    return babel_lists.format_list([str(item) for item in items], style=style, locale=_locale())


def format_span(seconds: float, unit: str) -> str:
    """``seconds`` counted in ``unit`` ("day", "week"…) with its direction: "in 3 days",
    or "3 days ago" when ``seconds`` is negative."""
    return babel_dates.format_timedelta(seconds, granularity=unit, threshold=float("inf"),
                                        add_direction=True, locale=_locale())
