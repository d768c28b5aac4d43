"""Which events some live endpoint may want to hear about: ``Event.webhooks``.

Changes of an event nobody listens to (nearly all, on most servers) then
cost no query for webhooks: the event's row, which the change has read
anyway, says so. The flag is set again in the same transaction as whatever
can change it: an endpoint added, changed, paused, resumed or deleted, a
co-host added or removed, an event created.
"""
from __future__ import annotations

from sqlalchemy import bindparam, event as sa_event, exists, or_, select, update

from ..db import db
from ..models import CoHost, Event, WebhookEndpoint

_e, _ev, _co = WebhookEndpoint.__table__, Event.__table__, CoHost.__table__

# For an event row: is there a live endpoint of its owner or a co-host, for all their
# events or for this one?
_LISTENED = exists(select(_e.c.id).where(
    _e.c.paused_at.is_(None),
    or_(_e.c.event_id.is_(None), _e.c.event_id == _ev.c.id),
    or_(_e.c.host_id == _ev.c.owner_id,
        _e.c.host_id.in_(select(_co.c.host_id).where(_co.c.event_id == _ev.c.id)))))


def refresh_host(host_id: int) -> None:
    """Set the flag again on every event ``host_id`` owns or co-hosts (their endpoints
    changed), in the caller's transaction."""
    db.session.execute(update(_ev).where(or_(
        _ev.c.owner_id == host_id,
        _ev.c.id.in_(select(_co.c.event_id).where(_co.c.host_id == host_id))))
        .values(webhooks=_LISTENED).execution_options(synchronize_session=False))


def refresh_event(event_id: int) -> None:
    """Set the flag again on one event (its co-hosts changed), in the caller's
    transaction."""
    db.session.execute(update(_ev).where(_ev.c.id == event_id).values(webhooks=_LISTENED)
                       .execution_options(synchronize_session=False))


_FOR_NEW = select(exists(select(_e.c.id).where(
    _e.c.paused_at.is_(None), _e.c.event_id.is_(None), _e.c.host_id == bindparam("owner"))))


@sa_event.listens_for(Event, "before_insert")
def _new_event(mapper, connection, target: Event) -> None:
    # A new event has no co-hosts and no endpoint of its own yet: only its owner's
    # endpoints for all their events can want it.
    owner = target.owner_id if target.owner_id is not None else target.owner.id
    target.webhooks = bool(connection.execute(_FOR_NEW, {"owner": owner}).scalar())
