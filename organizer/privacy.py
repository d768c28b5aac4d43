"""People's data: everything kept about one person, for them to download, and erasing it.

A person is an address: their rows on every guest list here, and whatever
plugins keep about those rows (``attendee_data``, ``forget_attendees``).
Erasing keeps the guest-list rows, so a host's counts, seats and check-in
figures stay right, but takes away everything that says who it was: the
name and address become "Erased guest" and an address nobody has, the
private link stops working, mail to them that has not gone is dropped and
what was sent keeps no address, subject or contents. Each erasure is
recorded (when, by whom, how many rows) without saying who.
"""
from __future__ import annotations

import secrets
from datetime import datetime

from dateutil.relativedelta import relativedelta

from sqlalchemy import LargeBinary, func, literal, or_, select, update

from .attendees import normalise_email
from . import delivery
from .db import after_commit, db, locked, write
from .i18n import gettext as _, lazy_gettext as _l
from .models import (ApiToken, Attendee, CoHost, Erasure, Event, Host, IdempotentRequest,
                     OutboxMessage, WebhookEndpoint, new_token, utcnow)
from .plugins import hook

ERASED_NAME = "Erased guest"
# What a host may choose: guests are anonymised this many months after an event.
RETENTION_MONTHS = (6, 12, 24, 36)
# People erased per run of the scheduled work, so a run stays short; the rest next run.
RETENTION_BATCH = 200
ERASED_DOMAIN = "erased.invalid"  # reserved: no mail can reach it

# The export's headings and fields as its PDF names them, in the reader's language; the
# JSON keeps the English keys (a file a program may read too).
HEADINGS = {
    # Translators: a heading of a person's data export ("Guest lists").
    "guest lists": _l("guest lists"), "event": _l("event"), "event starts": _l("event starts"),
    "name": _l("name"), "organisation": _l("organisation"), "role": _l("role"),
    "status": _l("status"), "guests": _l("guests"),
    "shown on the event page": _l("shown on the event page"),
    "registered": _l("registered"), "last changed": _l("last changed"),
    "checked in": _l("checked in"), "mail": _l("mail"), "subject": _l("subject"),
    "kind": _l("kind"), "queued": _l("queued"), "sent": _l("sent"),
}


def readable(data):
    """``data`` (an export) with the headings and fields of the core named in the language
    being spoken, for its PDF; a plugin's own names its section as it likes."""
    if isinstance(data, dict):
        return {(str(HEADINGS[key]) if isinstance(key, str) and key in HEADINGS else key):
                readable(value) for key, value in data.items()}
    if isinstance(data, list):
        return [readable(item) for item in data]
    return data


def erased(attendee) -> bool:
    """Whether this guest-list row (or any row with an ``email``) belongs to someone who
    erased their data: it still counts, but names nobody and is in nobody's follow-up."""
    return attendee.email.endswith("@" + ERASED_DOMAIN)


def events_of(host) -> list[int]:
    """The events ``host`` owns or co-hosts: where they may export or erase a guest."""
    return list(db.session.scalars(select(Event.id).where(or_(
        Event.owner_id == host.id,
        Event.id.in_(select(CoHost.event_id).where(CoHost.host_id == host.id))))))


def _rows(email: str, event_ids: list[int] | None):
    query = select(Attendee).where(Attendee.email == normalise_email(email))
    if event_ids is not None:
        query = query.where(Attendee.event_id.in_(sorted(set(event_ids))))
    return query.order_by(Attendee.created_at, Attendee.id)


def rows_of(email: str, event_ids: list[int] | None = None) -> list[Attendee]:
    """The person's rows on every guest list (or on those of ``event_ids``), oldest first."""
    return list(db.session.scalars(_rows(email, event_ids)))



def export(email: str, event_ids: list[int] | None = None) -> dict:
    """Everything kept about the person with ``email`` (on ``event_ids``' guest lists
    only, when given), as JSON-able data: their guest-list rows, the mail sent to
    them, and each plugin's sections."""
    rows = rows_of(email, event_ids)
    events = {e.id: e for e in db.session.scalars(
        select(Event).where(Event.id.in_(sorted({a.event_id for a in rows}))))} if rows else {}
    data: dict = {
        "exported_at": utcnow(),
        "email": normalise_email(email),
        "guest lists": [{
            "event": events[a.event_id].title,
            "event starts": events[a.event_id].starts_at,
            "name": a.name, "organisation": a.organisation, "role": a.role,
            "status": a.status, "guests": a.guests, "shown on the event page": a.listed,
            "registered": a.created_at, "last changed": a.updated_at,
            "checked in": a.checked_in_at} for a in rows],
        "mail": [{"subject": m.subject, "kind": m.kind, "status": m.status,
                  "queued": m.created_at, "sent": m.sent_at}
                 for m in db.session.scalars(_mail_to(rows, email, event_ids is None)
                                           .order_by(OutboxMessage.id))
                 if m.kind != "webhook"],
    }
    if rows:
        for section in hook().attendee_data(attendees=rows, whole=event_ids is None):
            for heading, value in (section or {}).items():
                data[heading if heading not in data else f"{heading} (2)"] = value
    return data


def _mail_to(rows: list[Attendee], email: str, whole: bool):
    """The mail about these rows; with ``whole``, all mail ever sent to the address."""
    to_them = OutboxMessage.recipient == normalise_email(email)
    if not whole:
        to_them &= OutboxMessage.event_id.in_(sorted({a.event_id for a in rows}))
    return select(OutboxMessage).where(or_(to_them,
                                           OutboxMessage.attendee_id.in_([a.id for a in rows])))


def erase(email: str, by: str, host_id: int | None = None,
          event_ids: list[int] | None = None) -> Erasure | None:
    """Erase the person with ``email`` from every guest list, or only from those of
    ``event_ids`` (a host's events: then nothing of other hosts' is touched), in one
    transaction: every plugin forgets them, then their rows are anonymised. Returns
    the record of it, or None when there was nobody (left) to erase."""
    if by not in ("attendee", "host", "retention"):
        raise ValueError(f"unknown eraser {by!r}")
    whole = event_ids is None
    with write():
        rows = list(db.session.scalars(locked(_rows(email, event_ids))))
        if not rows:
            return None
        hook().forget_attendees(attendees=rows, whole=whole)
        ids = [a.id for a in rows]
        address = normalise_email(email)
        to_them = OutboxMessage.recipient == address
        if not whole:
            to_them &= OutboxMessage.event_id.in_(sorted({a.event_id for a in rows}))
        mail = or_(to_them, OutboxMessage.attendee_id.in_(ids))
        db.session.execute(update(OutboxMessage).where(
            mail, OutboxMessage.status.in_(("queued", "sending")))
            .values(status="dropped", claim=None,
                    last_error=_("Not sent: the person's data was erased.")))
        copies = db.session.execute(select(OutboxMessage.id, OutboxMessage.created_at)
                                    .where(mail)).all()
        after_commit(lambda: delivery.forget_files(copies))
        db.session.execute(update(OutboxMessage).where(mail).values(
            recipient=f"erased@{ERASED_DOMAIN}", subject="", params={}, payload=None))
        _forget_stored_bodies(address, None if whole else host_id)
        # One address nobody has, for all the rows of this erasure: the host's figures
        # still see one person come back, and nobody can tell who it was.
        pseudonym = f"{secrets.token_hex(16)}@{ERASED_DOMAIN}"
        for attendee in rows:
            attendee.name = ERASED_NAME
            attendee.email = pseudonym
            attendee.organisation = attendee.role = ""
            attendee.token = new_token()  # the old private link stops working
            attendee.listed = False
            attendee.updated_at = utcnow()
        record = Erasure(by=by, host_id=host_id, attendees=len(rows),
                         events=len({a.event_id for a in rows}))
        db.session.add(record)
    return record


def _forget_stored_bodies(address: str, host_id: int | None) -> None:
    """Webhook deliveries (kept to be sent again) and API answers (kept for a retry with
    the same Idempotency-Key) that carry the person as the API shows them: the bodies
    go, the records of what happened stay; a webhook not yet sent is not sent. With
    ``host_id``, only that host's endpoints and tokens."""
    needle = address.encode()
    about = _holds(OutboxMessage.payload, needle)
    answers = _holds(IdempotentRequest.body, needle)
    if host_id is not None:
        about &= OutboxMessage.webhook_endpoint_id.in_(
            select(WebhookEndpoint.id).where(WebhookEndpoint.host_id == host_id))
        answers &= IdempotentRequest.token_id.in_(
            select(ApiToken.id).where(ApiToken.host_id == host_id))
    db.session.execute(update(OutboxMessage).where(
        about, OutboxMessage.status.in_(("queued", "sending")))
        .values(status="dropped", claim=None,
                last_error=_("Not sent: the guest's data was erased.")))
    db.session.execute(update(OutboxMessage).where(about).values(payload=None))
    db.session.execute(update(IdempotentRequest).where(answers).values(body=b""))


def _holds(column, needle: bytes):
    """``column`` (bytes) holds ``needle`` exactly (no LIKE: ``_`` is a wildcard there,
    and SQLite's LIKE does not look inside a BLOB)."""
    if db.session.get_bind().dialect.name == "sqlite":
        return func.instr(column, needle) > 0
    return func.position(literal(needle, LargeBinary).op("IN")(column)) > 0


def anonymise_due(now: datetime, limit: int = RETENTION_BATCH) -> int:
    """Erase the guests of events whose host's retention period has run out (at most
    ``limit`` people a run); returns how many people were erased. Two runs at once
    erase nobody twice: a person already erased no longer has their address."""
    done = 0
    for host in db.session.scalars(select(Host).where(Host.retention_months.is_not(None))
                                   .order_by(Host.id)).all():
        cutoff = now - relativedelta(months=host.retention_months)
        expired = list(db.session.scalars(select(Event.id).where(
            Event.owner_id == host.id, Event.ends_at < cutoff)))
        if not expired:
            continue
        emails = db.session.scalars(select(Attendee.email).where(
            Attendee.event_id.in_(expired), Attendee.email.not_like(f"%@{ERASED_DOMAIN}"))
            .distinct().order_by(Attendee.email).limit(limit - done)).all()
        for email in emails:
            if erase(email, by="retention", host_id=host.id, event_ids=expired) is not None:
                done += 1
        if done >= limit:
            break
    return done
