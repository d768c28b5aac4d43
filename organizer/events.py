"""Event services: who may edit, and the changes that notify plugins.

Views call these rather than touching models, so every change bumps the
iCalendar SEQUENCE, queues the messages it sends in its own transaction
(``queue_event_messages``) and fires the right lifecycle hook after it is
committed.
"""
from __future__ import annotations

from flask import abort
from sqlalchemy import select

from . import webhooks
from .webhooks import listeners
from .db import after_commit, commit, db
from .models import CoHost, Event, Host, utcnow
from .plugins import hook

def can_edit(event: Event, host: Host | None) -> bool:
    """True for the event's owner and its co-hosts."""
    if host is None or not getattr(host, "is_authenticated", False):
        return False
    if event.owner_id == host.id:
        return True
    return any(c.host_id == host.id for c in event.cohosts)


def get_editable(event_id: int, host: Host) -> Event:
    """The event ``event_id`` if ``host`` may edit it: 404 when missing, 403 when not theirs."""
    event = db.session.get(Event, event_id)
    if event is None:
        abort(404)
    if not can_edit(event, host):
        abort(403)
    return event


def apply_changes(event: Event, values: dict) -> list[str]:
    """Set ``values`` on ``event``; return the names of the fields that really changed."""
    changed = []
    for name, value in values.items():
        if getattr(event, name) != value:
            setattr(event, name, value)
            changed.append(name)
    return changed


def create(owner: Host, values: dict, settings: dict | None = None, publish: bool = False) -> Event:
    """Store a new event (a draft unless ``publish``)."""
    event = Event(owner=owner, settings=settings or {}, **values)
    db.session.add(event)
    if publish:
        _mark_published(event)
    commit()
    return event


def update(event: Event, values: dict, settings: dict | None = None) -> list[str]:
    """Change an event; bump SEQUENCE and tell plugins if anything changed."""
    changed = apply_changes(event, values)
    if settings is not None and settings != (event.settings or {}):
        event.settings = settings
        changed.append("settings")
    if not changed:
        return []
    event.sequence += 1
    event.updated_at = utcnow()
    if event.series_id is not None:
        # Edited on its own: later edits of the whole series leave it alone.
        event.detached = True
    if event.status == "published":
        queue_messages(event, "updated", changed)
        after_commit(lambda: hook().event_updated(event=event, changes=list(changed)))
    tell_webhooks("event.updated", event)
    commit()
    return changed


def tell_webhooks(kind: str, event: Event) -> None:
    """Queue the ``event.*`` webhook ``kind`` for ``event`` in the caller's transaction."""
    db.session.flush()
    webhooks.queue(kind, event, lambda: webhooks.event_data(event))


def queue_messages(event: Event, change: str, changes: list[str] | None = None) -> None:
    """Let plugins queue the messages ``change`` sends, in the caller's transaction."""
    db.session.flush()  # plugins' queries see the change itself
    hook().queue_event_messages(event=event, change=change, changes=list(changes or []))


def _mark_published(event: Event) -> None:
    event.status = "published"
    event.published_at = utcnow()
    queue_messages(event, "published")
    tell_webhooks("event.published", event)
    after_commit(lambda: hook().event_published(event=event))


def publish(event: Event) -> bool:
    """Publish a draft; False if it was not a draft."""
    if event.status != "draft":
        return False
    _mark_published(event)
    event.sequence += 1
    event.updated_at = utcnow()
    commit()
    return True


def cancel(event: Event) -> bool:
    """Cancel an event; its calendars show it as cancelled. False if already cancelled."""
    if event.status == "cancelled":
        return False
    was_published = event.status == "published"
    event.status = "cancelled"
    event.cancelled_at = utcnow()
    event.sequence += 1
    event.updated_at = utcnow()
    if was_published:
        queue_messages(event, "cancelled")
        after_commit(lambda: hook().event_cancelled(event=event))
    tell_webhooks("event.cancelled", event)
    commit()
    return True


def add_cohost(event: Event, email: str) -> Host | None:
    """Let the host with ``email`` edit ``event``; None when no such host exists."""
    host = db.session.scalar(select(Host).where(Host.email == email.strip().lower()))
    if host is None:
        return None
    if host.id != event.owner_id and not any(c.host_id == host.id for c in event.cohosts):
        event.cohosts.append(CoHost(host_id=host.id))
        db.session.flush()
        listeners.refresh_event(event.id)
        commit()
    return host


def remove_cohost(event: Event, host_id: int) -> None:
    """Take away a co-host's right to edit ``event``."""
    event.cohosts = [c for c in event.cohosts if c.host_id != host_id]
    db.session.flush()
    listeners.refresh_event(event.id)
    commit()


def visible_to(event: Event, viewer: Host | None) -> bool:
    """Published and cancelled events are public; drafts only to those who edit them."""
    return event.status != "draft" or can_edit(event, viewer)
