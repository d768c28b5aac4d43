"""The guest list as CSV: export (safe to open in a spreadsheet) and import with row errors."""
from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field

from organizer.plugin_api import Attendee, AttendeeStatus, Event, gettext as _

from .answers import check_email, one_line
from .models import RsvpQuestion, RsvpRegistration

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
IMPORT_STATUSES = tuple(AttendeeStatus)
# A row without a status is placed as an RSVP would be (see views_host._import).
AS_RSVP = ""
MAX_ROWS = 5000


def safe_cell(value) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def export(event: Event, people: list[Attendee], registrations: dict[int, RsvpRegistration],
           questions: list[RsvpQuestion],
           columns: list[tuple[str, Mapping[int, str]]] = ()) -> str:
    """The guest list as CSV text, one row per person, one column per question (the
    host's, then other plugins': ``columns`` of title and attendee id → answer)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "email", "status", "guests", "guest_name", "organisation", "role",
                     "registered_at", "checked_in_at", *[safe_cell(q.label) for q in questions],
                     *[safe_cell(title) for title, _values in columns]])
    for person in people:
        reg = registrations.get(person.id)
        answers = reg.answers if reg else {}
        row = [person.name, person.email, person.status, person.guests,
               reg.guest_name if reg else "", person.organisation, person.role,
               person.created_at.astimezone(event.zone).strftime("%Y-%m-%d %H:%M"),
               person.checked_in_at.astimezone(event.zone).strftime("%Y-%m-%d %H:%M")
               if person.checked_in_at else "",
               *[_answer(answers.get(str(q.id))) for q in questions],
               *[values.get(person.id, "") for _title, values in columns]]
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()


def _answer(value) -> str:
    if value is True:
        return "yes"
    if value is False or value is None:
        return ""
    return str(value)


@dataclass
class ImportRow:
    line: int
    name: str = ""
    email: str = ""
    status: str = AS_RSVP
    organisation: str = ""
    role: str = ""
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportPreview:
    rows: list[ImportRow]
    problem: str | None = None

    @property
    def valid(self) -> list[ImportRow]:
        return [r for r in self.rows if not r.errors]

    @property
    def invalid(self) -> list[ImportRow]:
        return [r for r in self.rows if r.errors]


def parse(text: str, existing_emails: set[str]) -> ImportPreview:
    """Check an uploaded guest list; each row gets its own errors, nothing is stored."""
    try:
        reader = csv.DictReader(io.StringIO(text))
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        return ImportPreview([], _("This file is not a readable CSV (%(problem)s).", problem=exc))
    if "email" not in header or "name" not in header:
        return ImportPreview([], _("The first line must name the columns, with at least "
                                   "“name” and “email” (also possible: status, organisation, "
                                   "role)."))
    reader.fieldnames = header
    rows: list[ImportRow] = []
    seen: set[str] = set()
    try:
        for number, record in enumerate(reader, start=2):
            if len(rows) >= MAX_ROWS:
                return ImportPreview(rows, _("Import at most %(count)s people at a time.",
                                             count=MAX_ROWS))
            rows.append(_check(number, record, seen, existing_emails))
    except csv.Error as exc:
        return ImportPreview(rows, _("Line %(line)s could not be read (%(problem)s).",
                                     line=reader.line_num, problem=exc))
    if not rows:
        return ImportPreview([], _("The file has no guests in it."))
    return ImportPreview(rows)


def _check(number: int, record: dict, seen: set[str], existing: set[str]) -> ImportRow:
    get = lambda key: one_line(record.get(key) or "", 500)  # noqa: E731
    row = ImportRow(line=number, name=get("name")[:120], organisation=get("organisation")[:200],
                    role=get("role")[:200], status=get("status").lower())
    if not row.name:
        row.errors.append(_("the name is missing"))
    raw_email = get("email")
    if not raw_email:
        row.errors.append(_("the e-mail is missing"))
    else:
        row.email, error = check_email(raw_email)
        row.email = row.email.lower()
        if error:
            row.errors.append(_("“%(address)s” is not a valid e-mail address",
                                 address=raw_email))
        elif row.email in seen:
            row.errors.append(_("this e-mail appears twice in the file"))
        elif row.email in existing:
            row.errors.append(_("already on the guest list"))
        seen.add(row.email)
    if row.status != AS_RSVP and row.status not in IMPORT_STATUSES:
        # The statuses as the file must spell them, in English.
        row.errors.append(_("unknown status “%(status)s” (use %(statuses)s)", status=row.status,
                            statuses=", ".join(IMPORT_STATUSES)))
    return row
