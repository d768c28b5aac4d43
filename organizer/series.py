"""Recurring series: an RRULE, the occurrences it materialises as events, and edits.

Occurrences are ordinary events (with ``series_id`` and ``recurrence_id``)
so RSVPs, badges and matching work on them unchanged. They are created up
to ``SERIES_HORIZON_DAYS`` ahead; ``organizer tick`` keeps that window full.
Recurrence follows the wall clock: "Tuesday 08:30" stays 08:30 across a
daylight-saving change.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from dateutil.rrule import rrulestr
from flask import current_app
from sqlalchemy import select

from .db import after_commit, commit, db, write
from .events import queue_messages, tell_webhooks
from .i18n import format_clock, format_list, gettext as _, lazy_gettext as _l, ngettext
from .models import Event, Host, Series, utcnow
from .plugins import hook
from .timeutil import format_long_date

WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
WEEKDAY_NAMES = [_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"),
                 _l("Saturday"), _l("Sunday")]
# How far back a new or extended series creates occurrences.
HISTORY_DAYS = 90
TEMPLATE_FIELDS = ("kind", "title", "description", "timezone", "venue", "address",
                   "online_url", "capacity", "language")


def build_rule(freq: str, interval: int, weekdays: list[str], count: int | None = None,
               until_utc: datetime | None = None, month_week: int | None = None) -> str:
    """An RRULE body from the series form's choices.

    ``freq`` is "weekly" (on ``weekdays``, every ``interval`` weeks) or
    "monthly" (the ``month_week``-th of the first weekday; -1 is the last).
    """
    parts = []
    if freq == "monthly":
        parts += ["FREQ=MONTHLY", f"INTERVAL={interval}", f"BYDAY={month_week}{weekdays[0]}"]
    else:
        parts += ["FREQ=WEEKLY", f"INTERVAL={interval}", "BYDAY=" + ",".join(weekdays)]
    if count:
        parts.append(f"COUNT={count}")
    elif until_utc:
        parts.append(f"UNTIL={until_utc.astimezone(timezone.utc):%Y%m%dT%H%M%SZ}")
    return ";".join(parts)


def schedule_of(series: Series) -> dict:
    """The series' schedule as the series form holds it: ``first_date``, ``time``,
    ``duration``, ``freq``, ``interval``, ``weekdays``, ``month_week``, ``ends``,
    ``count`` and ``until`` (the last date, in the series' zone)."""
    fields = dict(part.split("=", 1) for part in series.rrule.split(";"))
    days = fields.get("BYDAY", "").split(",")
    monthly = fields["FREQ"] == "MONTHLY"
    last = until_local(series) if "UNTIL" in fields else None
    return {"first_date": series.dtstart_local.date(), "time": series.dtstart_local.time(),
            "duration": series.duration_minutes, "freq": fields["FREQ"].lower(),
            "interval": int(fields.get("INTERVAL", 1)), "weekdays": [d[-2:] for d in days],
            "month_week": int(days[0][:-2]) if monthly else 1,
            "ends": "count" if "COUNT" in fields else "until" if last else "never",
            "count": int(fields["COUNT"]) if "COUNT" in fields else None,
            "until": last.date() if last else None}


def describe(series: Series) -> str:
    """'Every other Tuesday at 08:30 for 45 minutes' — the rule in words, in the language
    being spoken."""
    fields = dict(part.split("=", 1) for part in series.rrule.split(";"))
    interval = int(fields.get("INTERVAL", 1))
    days = fields.get("BYDAY", "").split(",")
    if fields["FREQ"] == "MONTHLY":
        code = days[0]
        nth, day = code[:-2], code[-2:]
        rule = _monthly(nth, str(WEEKDAY_NAMES[WEEKDAYS.index(day)]), interval)
    else:
        names = format_list([WEEKDAY_NAMES[WEEKDAYS.index(d)] for d in days if d in WEEKDAYS])
        if interval == 1:
            # Translators: days are weekday names as a list ("Monday and Thursday").
            rule = _("Every %(days)s", days=names)
        elif interval == 2:
            rule = _("Every other %(days)s", days=names)
        else:
            rule = _("Every %(interval)s weeks on %(days)s", interval=interval, days=names)
    # Translators: rule says how a series repeats ("Every other Tuesday"), time is its
    # start ("08:30").
    text = ngettext("%(rule)s at %(time)s for %(num)d minute",
                    "%(rule)s at %(time)s for %(num)d minutes", series.duration_minutes,
                    rule=rule, time=format_clock(series.dtstart_local))
    if "COUNT" in fields:
        # Translators: schedule is "Every other Tuesday at 08:30 for 45 minutes".
        text = ngettext("%(schedule)s, %(num)d time", "%(schedule)s, %(num)d times",
                        int(fields["COUNT"]), schedule=text)
    elif "UNTIL" in fields:
        # Translators: schedule is "Every other Tuesday at 08:30 for 45 minutes".
        text = _("%(schedule)s, until %(day)s", schedule=text,
                 day=format_long_date(until_local(series)))
    return text


# A monthly rule by its week of the month (BYDAY=1TU … -1TU), every month or every n months.
_MONTHLY = {"1": _l("Every month on the first %(day)s"),
            "2": _l("Every month on the second %(day)s"),
            "3": _l("Every month on the third %(day)s"),
            "4": _l("Every month on the fourth %(day)s"),
            "-1": _l("Every month on the last %(day)s")}
_MONTHLY_EVERY = {"1": _l("Every %(interval)s months on the first %(day)s"),
                  "2": _l("Every %(interval)s months on the second %(day)s"),
                  "3": _l("Every %(interval)s months on the third %(day)s"),
                  "4": _l("Every %(interval)s months on the fourth %(day)s"),
                  "-1": _l("Every %(interval)s months on the last %(day)s")}


def _monthly(nth: str, day: str, interval: int) -> str:
    """'Every month on the first Tuesday', 'Every 2 months on the last Friday'."""
    if interval == 1 and nth in _MONTHLY:
        return str(_MONTHLY[nth]) % {"day": day}
    if nth in _MONTHLY_EVERY:
        return str(_MONTHLY_EVERY[nth]) % {"interval": interval, "day": day}
    if interval == 1:
        return _("Every month on the %(nth)s %(day)s", nth=nth, day=day)
    return _("Every %(interval)s months on the %(nth)s %(day)s", interval=interval, nth=nth,
             day=day)


def until_local(series: Series) -> datetime | None:
    """The rule's UNTIL as a local time in the series' zone, or None."""
    fields = dict(part.split("=", 1) for part in series.rrule.split(";"))
    if "UNTIL" not in fields:
        return None
    until = datetime.strptime(fields["UNTIL"], "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    return until.astimezone(series.zone)


def occurrences(series: Series, until: datetime, limit: int,
                since: datetime | None = None) -> list[datetime]:
    """Starts (aware, in the series' zone) from ``since`` (default: the first) to ``until``.

    At most ``limit`` of them lie in the future relative to ``since``.
    """
    start = series.dtstart_local.replace(tzinfo=series.zone)
    rule = rrulestr(series.rrule, dtstart=start)
    found = []
    ahead = 0
    for when in rule:
        if when > until or ahead >= limit:
            break
        if since is not None and when < since:
            continue
        found.append(when)
        ahead += 1
    return found


def _horizon(series: Series, now: datetime) -> datetime:
    # A series that starts later still shows its first months of dates.
    first = series.dtstart_local.replace(tzinfo=series.zone)
    return max(now, first) + timedelta(days=current_app.config["SERIES_HORIZON_DAYS"])


def _occurrence_values(series: Series, start: datetime) -> dict:
    values = {name: getattr(series, name) for name in TEMPLATE_FIELDS}
    start_utc = start.astimezone(timezone.utc)
    values.update(starts_at=start_utc, ends_at=start_utc + timedelta(minutes=series.duration_minutes))
    return values


def materialise(series: Series, now: datetime, since: datetime | None = None) -> int:
    """Create the missing occurrences from ``since`` (default: ``now``) to the horizon.

    Returns how many were added.

    Safe when two ticks run at once: the (series, recurrence-id) pair is
    unique, and an insert that loses the race is skipped.
    """
    limit = current_app.config["SERIES_MAX_OCCURRENCES"]
    existing = set(db.session.scalars(
        select(Event.recurrence_id).where(Event.series_id == series.id)))
    added = 0
    since = now if since is None else since
    for start in occurrences(series, _horizon(series, now), limit, since=since):
        key = start.astimezone(timezone.utc)
        if key in existing:
            continue
        event = Event(owner_id=series.owner_id, series_id=series.id, recurrence_id=key,
                      status="published" if series.status == "published" else "draft",
                      published_at=utcnow() if series.status == "published" else None,
                      settings={}, **_occurrence_values(series, start))
        try:
            with db.session.begin_nested():
                db.session.add(event)
        except Exception:  # IntegrityError: another tick made this occurrence first
            continue
        added += 1
        existing.add(key)
    return added


def create(owner: Host, template: dict, rrule: str, dtstart_local: datetime,
           duration_minutes: int, publish: bool) -> Series:
    """Store a series and its first occurrences."""
    series = Series(owner=owner, rrule=rrule, dtstart_local=dtstart_local,
                    duration_minutes=duration_minutes,
                    status="published" if publish else "draft", **template)
    db.session.add(series)
    db.session.flush()
    now = utcnow()
    # A series that began recently shows its recent past too; dates long past
    # are history and are not created.
    materialise(series, now, since=now - timedelta(days=HISTORY_DAYS))
    commit()
    return series


def extend_all(now: datetime) -> int:
    """Top up every live series to the horizon (run by the due-work command)."""
    added = 0
    ids = db.session.scalars(select(Series.id).where(Series.status != "cancelled")).all()
    for series_id in ids:
        # Read and insert under the write lock, so overlapping ticks queue up.
        with write():
            series = db.session.get(Series, series_id, populate_existing=True)
            added += materialise(series, now)
    return added


def update(series: Series, template: dict, rrule: str, dtstart_local: datetime,
           duration_minutes: int) -> int:
    """Edit the whole series; return how many upcoming occurrences changed.

    Upcoming occurrences that were not edited on their own follow the new
    template and times, matched by their local date so their guest lists
    stay; dates the new rule drops are cancelled; new dates are added.
    Past occurrences are history and stay as they were.
    """
    now = utcnow()
    old_zone = series.zone  # dates are matched as the guests knew them
    for name, value in template.items():
        setattr(series, name, value)
    series.rrule = rrule
    series.dtstart_local = dtstart_local
    series.duration_minutes = duration_minutes
    series.sequence += 1
    series.updated_at = now
    limit = current_app.config["SERIES_MAX_OCCURRENCES"]
    new_starts = {s.date(): s for s in occurrences(series, _horizon(series, now), limit,
                                                   since=now)}
    changed = 0
    upcoming = [e for e in series.events if e.starts_at > now]
    for event in upcoming:
        local_day = event.recurrence_id.astimezone(old_zone).date()
        start = new_starts.pop(local_day, None)
        if event.detached:
            # Edited on its own: it keeps its details but now overrides the
            # new rule's instance of that day.
            if start is not None:
                event.recurrence_id = start.astimezone(timezone.utc)
            continue
        if start is None:
            if event.status != "cancelled":
                _cancel_occurrence(event)
                changed += 1
            continue
        values = _occurrence_values(series, start)
        before = {n: getattr(event, n) for n in values}
        for name, value in values.items():
            setattr(event, name, value)
        event.recurrence_id = start.astimezone(timezone.utc)
        diff = [n for n in values if before[n] != values[n]]
        if diff:
            event.sequence += 1
            event.updated_at = now
            changed += 1
            if event.status == "published":
                queue_messages(event, "updated", diff)
                after_commit(lambda e=event, d=diff: hook().event_updated(event=e, changes=d))
            tell_webhooks("event.updated", event)
    db.session.flush()
    materialise(series, now)
    commit()
    return changed


def _cancel_occurrence(event: Event) -> None:
    was_published = event.status == "published"
    event.status = "cancelled"
    event.cancelled_at = utcnow()
    event.sequence += 1
    if was_published:
        queue_messages(event, "cancelled")
        after_commit(lambda: hook().event_cancelled(event=event))
    tell_webhooks("event.cancelled", event)


def publish(series: Series) -> int:
    """Publish a draft series and its upcoming draft occurrences (not a cancelled one)."""
    if series.status != "draft":
        return 0
    series.status = "published"
    series.sequence += 1
    count = 0
    for event in series.events:
        if event.status == "draft" and event.starts_at > utcnow():
            event.status = "published"
            event.published_at = utcnow()
            queue_messages(event, "published")
            tell_webhooks("event.published", event)
            after_commit(lambda e=event: hook().event_published(event=e))
            count += 1
    commit()
    return count


def cancel(series: Series) -> int:
    """Cancel the series and every upcoming occurrence."""
    series.status = "cancelled"
    series.sequence += 1
    count = 0
    for event in series.events:
        if event.starts_at > utcnow() and event.status != "cancelled":
            _cancel_occurrence(event)
            count += 1
    commit()
    return count
