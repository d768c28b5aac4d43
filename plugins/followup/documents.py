"""The follow-up PDFs (personal and the host report), the plan calendar and the CSV."""
from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import asdict
from datetime import timedelta

from babel.dates import format_skeleton
from flask import render_template
from sqlalchemy import func, select

from organizer.plugin_api import (FONT_STACK, Attendee, AttendeeStatus, Event, ReportSection, db,
                                  current_language, flatten, format_clock, format_list,
                                  format_number, format_range, gettext as _, hook, in_language,
                                  reminders_ics, render_pdf)

from . import charts, content

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def personal_pdf(followup: content.Followup) -> bytes:
    """One person's follow-up as a PDF, in its event's language."""
    with in_language(followup.event.language):
        return render_pdf(render_template("followup/personal.html", f=followup,
                                          font_stack=FONT_STACK))


def plan(followup: content.Followup) -> bytes:
    """The follow-up plan as a calendar: a nudge per person a week on, a second a month on."""
    event, person = followup.event, followup.attendee
    with in_language(event.language):
        entries = []
        for other in followup.people:
            entries.append((f"followup-{event.uid}-{person.id}-{other['attendee_id']}",
                            _("Reach out to %(name)s", name=other["name"]),
                            _("You met at %(event)s. Suggested first line: %(line)s",
                              event=event.title, line=other["first_line"]),
                            followup.first_nudge))
        names = [p["name"] for p in followup.people]
        second = (_("Second nudge: how are things with %(names)s?", names=format_list(names))
                  if names else
                  _("Second nudge: who from %(event)s should you write to?", event=event.title))
        entries.append((f"followup-{event.uid}-{person.id}-second", second,
                        _("A month after %(event)s.", event=event.title),
                        followup.second_nudge))
        return reminders_ics(_("Follow-ups: %(event)s", event=event.title), entries,
                             event.timezone)


def _day_and_month(day) -> str:
    """A chart's short label for a day: "3 Mar" ("3. März"), the year left out."""
    language = current_language()
    if language == "en":
        return f"{day.day} {day:%b}"
    return format_skeleton("MMMd", day, locale=language)


def _per_day(times, zone) -> list[tuple[str, int]]:
    counts = Counter(t.astimezone(zone).date() for t in times if t is not None)
    if not counts:
        return []
    day, last, points, total = min(counts), max(counts), [], 0
    while day <= last:
        total += counts.get(day, 0)
        points.append((_day_and_month(day), total))
        day += timedelta(days=1)
    return points


def _per_quarter_hour(times, event: Event) -> list[tuple[str, int]]:
    local = sorted(t.astimezone(event.zone) for t in times if t is not None)
    if not local:
        return []
    start = local[0].replace(minute=local[0].minute - local[0].minute % 15, second=0,
                             microsecond=0)
    points, slot = [], start
    while slot <= local[-1]:
        end = slot + timedelta(minutes=15)
        points.append((format_clock(slot), sum(1 for t in local if slot <= t < end)))
        slot = end
    return points


def report_pdf(event: Event) -> bytes:
    """The host's report: counts, charts, what plugins add, and the attendee list; in the
    event's language."""
    with in_language(event.language):
        return _report_pdf(event)


def _report_pdf(event: Event) -> bytes:
    people = list(db.session.scalars(select(Attendee).where(Attendee.event_id == event.id)
                                     .order_by(Attendee.name)))
    going = [a for a in people if a.status == AttendeeStatus.GOING]
    arrived = [a for a in going if a.checked_in_at is not None]
    no_show = _("%(percent)s %%", percent=format_number(
        round((1 - len(arrived) / len(going)) * 100))) if going else "—"
    stats = {"going": len(going), "checked_in": len(arrived),
             "cancelled": sum(1 for a in people if a.status == AttendeeStatus.CANCELLED),
             "no_show_rate": no_show}
    sections = []
    for found in flatten(hook().followup_report(event=event), ReportSection):
        section = asdict(found)
        if section.get("mix"):
            section["mix_svg"] = charts.horizontal(section.get("mix_title", section["title"]),
                                                   section["mix"])
        sections.append(section)
    organisations = Counter(a.organisation.strip() for a in going if a.organisation.strip())
    html = render_template(
        "followup/report.html", event=event, people=people, stats=stats, sections=sections,
        when=format_range(event.local_start, event.local_end), font_stack=FONT_STACK,
        rsvp_chart=charts.bars(_("RSVPs so far, by day"), _per_day(
            [a.created_at for a in people], event.zone)),
        checkin_chart=charts.bars(_("Check-ins per quarter hour"), _per_quarter_hour(
            [a.checked_in_at for a in arrived], event), colour="#c2571a"),
        org_chart=charts.horizontal(_("People going, by organisation"), organisations))
    return render_pdf(html)


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def attendee_csv(event: Event) -> str:
    """The attendee list as CSV (cells that a spreadsheet would run as formulas neutralised)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "email", "organisation", "role", "status", "guests", "checked_in_at"])
    for a in db.session.scalars(select(Attendee).where(Attendee.event_id == event.id)
                                .order_by(func.lower(Attendee.name))):
        writer.writerow([_cell(v) for v in (a.name, a.email, a.organisation, a.role, a.status,
                                            a.guests, a.checked_in_at.isoformat()
                                            if a.checked_in_at else "")])
    return out.getvalue()
