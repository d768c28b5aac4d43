"""Local wall-clock times, IANA zones and the traps between them (DST gaps and folds)."""
from __future__ import annotations

from datetime import date, datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel import Locale
from babel import dates as babel_dates

from .i18n import current_language, format_clock, format_day, format_span, gettext as _


class TimeError(ValueError):
    """A time that cannot be used, with a sentence a person can act on."""


class YearError(TimeError):
    """A date whose year is out of range (a typing mistake, most likely)."""


# Dates outside these years are typing mistakes, and near year 1 or 9999 the
# arithmetic of time zones and calendars overflows.
MIN_YEAR, MAX_YEAR = 1970, 2200


def check_year(when: datetime) -> None:
    """Refuse a date whose year is outside MIN_YEAR..MAX_YEAR."""
    if not MIN_YEAR <= when.year <= MAX_YEAR:
        raise YearError(_("Pick a date between the years %(first)s and %(last)s.",
                          first=MIN_YEAR, last=MAX_YEAR))


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    """All IANA zone names a host may pick, sorted, without legacy aliases."""
    names = {n for n in available_timezones()
             if "/" in n and not n.startswith(("Etc/", "SystemV/", "US/", "posix", "right"))}
    return tuple(sorted(names | {"UTC"}))


def get_zone(name: str) -> ZoneInfo:
    """The zone called ``name``; raise :class:`TimeError` for an unknown one."""
    if not name or name not in set(zone_names()):
        raise TimeError(_("“%(name)s” is not a time zone we know. "
                          "Choose one such as Europe/Berlin or America/New_York.", name=name))
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:  # pragma: no cover - tzdata missing
        raise TimeError(_("“%(name)s” is not a time zone we know.", name=name)) from exc


def localize(naive: datetime, zone: ZoneInfo) -> datetime:
    """Attach ``zone`` to a wall-clock time, refusing one that does not exist.

    In a DST gap (02:30 on the night clocks jump from 02:00 to 03:00) the
    time never happens: the caller gets a message rather than a silent shift.
    In a fold (the repeated hour) the first occurrence is used.
    """
    check_year(naive)
    local = naive.replace(tzinfo=zone, fold=0)
    round_trip = local.astimezone(timezone.utc).astimezone(zone)
    if round_trip.replace(tzinfo=None) != naive:
        raise TimeError(_(
            "%(time)s on %(day)s does not exist in %(zone)s: the clocks skip that hour for "
            "daylight saving time. Pick a time outside it.",
            time=format_clock(naive), day=format_long_date(naive), zone=zone.key))
    return local


def to_utc(naive: datetime, zone_name: str) -> datetime:
    """A local wall-clock time in the named zone, as aware UTC."""
    return localize(naive, get_zone(zone_name)).astimezone(timezone.utc)


def format_range(start: datetime, end: datetime) -> str:
    """'Tue 3 March 2026, 08:30–09:15 CET' for two aware local datetimes, in the
    language being spoken."""
    day = format_day(start)
    if start.date() == end.date():
        return f"{day}, {format_clock(start)}–{format_clock(end)} {start:%Z}"
    return f"{day}, {format_clock(start)} – {format_day(end)}, {format_clock(end)} {end:%Z}"


def format_long_date(day: date | datetime) -> str:
    """The day without its weekday, the month in words: "3 March 2026", "3. März 2026"."""
    locale = Locale.parse(current_language())
    pattern = ("d MMMM y" if locale.language == "en"
               else locale.datetime_skeletons["yMMMMd"].pattern)
    return babel_dates.format_date(day, pattern, locale=locale)


_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400, "week": 604800,
                 "month": 2592000, "year": 31536000}


def _unit(seconds: float) -> tuple[int, str]:
    minutes = round(seconds / 60)
    if minutes < 60:
        return max(minutes, 1), "minute"
    hours = round(seconds / 3600)
    if hours < 24:
        return hours, "hour"
    days = round(seconds / 86400)
    if days < 14:
        return days, "day"
    if days < 60:
        return round(days / 7), "week"
    if days < 730:
        return round(days / 30.4), "month"
    return round(days / 365.25), "year"


def _span(seconds: float, future: bool) -> str:
    count, unit = _unit(seconds)
    return format_span(count * _UNIT_SECONDS[unit] * (1 if future else -1), unit)


def relative(start: datetime, end: datetime, now: datetime) -> str:
    """'in 3 days', 'happening now', '2 weeks ago': an event's time from ``now``, in the
    language being spoken.

    "Tomorrow" and "today" are left to the absolute date beside the hint:
    they depend on the reader's zone, which the server does not know.
    """
    if start <= now < end:
        return _("happening now")
    if now >= end:
        return _span((now - end).total_seconds(), future=False)
    return _span((start - now).total_seconds(), future=True)
