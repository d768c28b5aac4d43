"""Webhooks: hosts' URLs told about changes, signed per the Standard Webhooks specification.

A change queues one delivery per endpoint that wants its type, as an outbox
row in the change's own transaction (:func:`queue`), so a delivery exists
exactly when the change does. The deliverer sends it after the commit, with
retries and back-off like a mail, and records every attempt for the
endpoint's delivery log (:mod:`.sending`). An endpoint that keeps failing for
``WEBHOOK_PAUSE_AFTER_HOURS`` is paused and its host is told
(:mod:`.endpoints`). Destinations on private, loopback or link-local
addresses are refused unless ``WEBHOOK_ALLOW_PRIVATE`` is set (:mod:`.addresses`).
"""
from __future__ import annotations

import json
import secrets

from sqlalchemy import bindparam, or_, select, union

from .. import mail
from ..db import db
from ..i18n import lazy_gettext as _l
from ..models import CoHost, Event, WebhookEndpoint, utcnow
from ..plugins import hook

# The outbox kind of a webhook delivery.
KIND = "webhook"

# Each type with a sentence for hosts on when it is sent (in the language being spoken).
CORE_TYPES = {
    "attendee.registered": _l("Someone joined the guest list (going, waiting or awaiting "
                              "approval)."),
    "attendee.updated": _l("A guest's status or details changed, or their check-in was "
                           "undone."),
    "attendee.promoted": _l("A guest moved up from the waiting list."),
    "attendee.cancelled": _l("A guest cancelled, or was cancelled by a host."),
    "attendee.checked_in": _l("A guest was checked in at the door."),
    "event.published": _l("An event was published."),
    "event.updated": _l("An event's details changed."),
    "event.cancelled": _l("An event was cancelled."),
}


def types() -> dict[str, str]:
    """Every webhook type with a sentence on when it is sent: the core's and plugins'
    (the ``webhook_types`` hook; give the sentences with ``lazy_gettext``)."""
    found = dict(CORE_TYPES)
    for contributed in hook().webhook_types():
        found.update(contributed or {})
    return found


_e = WebhookEndpoint


# The live endpoints that want a type of change of an event: the event's own and
# those for all events of its owner or a co-host. Built once: it runs on every change.
_event_id = bindparam("event_id")
_LISTENING = (select(_e.id, _e.url)
              .where(_e.paused_at.is_(None), _e.types.like(bindparam("pattern"), escape="\\"),
                     or_(_e.event_id.is_(None), _e.event_id == _event_id),
                     _e.host_id.in_(union(select(Event.owner_id).where(Event.id == _event_id),
                                          select(CoHost.host_id).where(
                                              CoHost.event_id == _event_id)))))


def _pattern(kind: str) -> str:
    """``kind`` as a LIKE pattern matching it whole among an endpoint's types."""
    escaped = kind.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%")
    return f"% {escaped} %"


def new_delivery_id() -> str:
    """A ``webhook-id`` (128 random bits): the same on every attempt of one delivery."""
    return "msg_" + secrets.token_hex(16)


def queue(kind: str, event, data) -> int:
    """Queue ``kind`` for every live endpoint that wants it, in the caller's transaction.

    ``event`` is the :class:`Event` that changed (or its id). ``data`` is the
    payload's ``data`` (or a function making it, called only when some
    endpoint listens). Returns how many deliveries were queued. Given the
    event, a change nobody listens to costs no query.
    """
    if isinstance(event, Event):
        if not event.webhooks:
            return 0
        event = event.id
    endpoints = db.session.connection().execute(
        _LISTENING, {"event_id": event, "pattern": _pattern(kind)}).all()
    if not endpoints:
        return 0
    payload = {"type": kind, "timestamp": utcnow().isoformat().replace("+00:00", "Z"),
               "data": data() if callable(data) else data}
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False, default=str).encode()
    mail.queue_rows([{"message_id": new_delivery_id(), "kind": KIND, "params": {"type": kind},
                      "recipient": url[:254], "subject": kind, "event_id": None,
                      "attendee_id": None, "payload": body, "webhook_endpoint_id": endpoint_id}
                     for endpoint_id, url in endpoints])
    return len(endpoints)


def attendee_data(attendee) -> dict:
    """The payload's ``data`` for a guest: as the API shows them."""
    from ..api.attendees import AttendeeSchema
    return AttendeeSchema().dump(attendee)


def event_data(event) -> dict:
    """The payload's ``data`` for an event: as the API shows it."""
    from ..api.events import EventSchema
    return EventSchema().dump(event)
