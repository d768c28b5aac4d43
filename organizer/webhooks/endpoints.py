"""Hosts' webhook endpoints: add, change, pause and resume, delete; their delivery log.

An endpoint whose deliveries keep failing for ``WEBHOOK_PAUSE_AFTER_HOURS``
is paused: its waiting deliveries are marked failed (they can be sent again
from the log once it works), nothing new is queued for it, and its host gets
a mail saying so.
"""
from __future__ import annotations

import base64
import secrets
from datetime import datetime, timedelta, timezone

from flask import current_app
from sqlalchemy import func, select, update

from .. import mail
from ..db import commit, db, write
from ..i18n import format_clock, format_date_short, gettext as _, lazy_gettext as _l
from ..models import Host, OutboxMessage, WebhookAttempt, WebhookEndpoint, utcnow
from ..urls import external_url
from . import listeners

_m = OutboxMessage.__table__
_e = WebhookEndpoint.__table__


def new_secret() -> str:
    """A signing secret in the specification's form: ``whsec_`` and 32 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def of_host(host: Host) -> list[WebhookEndpoint]:
    """The host's endpoints, newest first."""
    return list(db.session.scalars(select(WebhookEndpoint).where(
        WebhookEndpoint.host_id == host.id).order_by(WebhookEndpoint.id.desc())))


def get(host: Host, endpoint_id: int) -> WebhookEndpoint | None:
    """The host's endpoint ``endpoint_id``, or None (another host's is not theirs to see)."""
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    return endpoint if endpoint is not None and endpoint.host_id == host.id else None


def create(host: Host, url: str, types: list[str], event_id: int | None = None,
           description: str = "") -> WebhookEndpoint:
    """Save an endpoint (the URL already checked with :func:`addresses.check`)."""
    endpoint = WebhookEndpoint(host_id=host.id, url=url, types=_joined(types),
                               event_id=event_id, description=description,
                               secret=new_secret())
    db.session.add(endpoint)
    db.session.flush()
    listeners.refresh_host(host.id)
    commit()
    return endpoint


def change(endpoint: WebhookEndpoint, url: str, types: list[str], event_id: int | None,
           description: str) -> None:
    """Change where an endpoint points and what it receives."""
    endpoint.url, endpoint.types = url, _joined(types)
    endpoint.event_id, endpoint.description = event_id, description
    db.session.flush()
    listeners.refresh_host(endpoint.host_id)
    commit()


def _joined(types: list[str]) -> str:
    return " " + " ".join(sorted(set(types))) + " "


def delete(endpoint: WebhookEndpoint) -> None:
    """Delete an endpoint and its log; its waiting deliveries go with it."""
    host_id = endpoint.host_id
    db.session.delete(endpoint)
    db.session.flush()
    listeners.refresh_host(host_id)
    commit()


def pause(endpoint: WebhookEndpoint, reason: str) -> int:
    """Stop delivering to an endpoint; return how many waiting deliveries were stopped."""
    endpoint.paused_at = utcnow()
    endpoint.pause_reason = reason[:300]
    stopped = _stop_waiting(endpoint.id, reason)
    db.session.flush()
    listeners.refresh_host(endpoint.host_id)
    commit()
    return stopped


def resume(endpoint: WebhookEndpoint) -> None:
    """Deliver to an endpoint again (new changes; old ones can be resent from the log)."""
    endpoint.paused_at = None
    endpoint.pause_reason = ""
    endpoint.failing_since = None
    db.session.flush()
    listeners.refresh_host(endpoint.host_id)
    commit()


def _stop_waiting(endpoint_id: int, reason: str) -> int:
    return db.session.execute(update(_m).where(
        _m.c.webhook_endpoint_id == endpoint_id, _m.c.status == "queued").values(
        status="failed", last_error=_("Not sent: the endpoint was paused. %(reason)s",
                                      reason=reason).strip()[:500])
    ).rowcount


def resend(endpoint: WebhookEndpoint, message_ids: list[int] | None = None) -> int:
    """Queue the endpoint's failed deliveries (those of ``message_ids``) again now."""
    query = update(_m).where(_m.c.webhook_endpoint_id == endpoint.id,
                             _m.c.status.in_(("failed", "sent")))
    if message_ids is not None:
        query = query.where(_m.c.id.in_(message_ids))
    else:
        query = query.where(_m.c.status == "failed")
    now = utcnow()
    count = db.session.execute(query.values(status="queued", next_attempt_at=now,
                                            tries_from=now, attempts=0)).rowcount
    commit()
    if count:
        from ..delivery import wake
        wake.set()
    return count


def log(endpoint: WebhookEndpoint, limit: int = 100, before: int | None = None) -> list[dict]:
    """The endpoint's latest deliveries, newest first, each with its last attempt."""
    query = select(OutboxMessage).where(OutboxMessage.webhook_endpoint_id == endpoint.id)
    if before:
        query = query.where(OutboxMessage.id < before)
    messages = list(db.session.scalars(query.order_by(OutboxMessage.id.desc()).limit(limit)))
    last = {}
    if messages:
        newest = (select(WebhookAttempt.message_id, func.max(WebhookAttempt.id).label("id"))
                  .where(WebhookAttempt.message_id.in_([m.id for m in messages]))
                  .group_by(WebhookAttempt.message_id).subquery())
        for attempt in db.session.scalars(select(WebhookAttempt).join(
                newest, WebhookAttempt.id == newest.c.id)):
            last[attempt.message_id] = attempt
    return [{"message": m, "type": (m.params or {}).get("type", m.subject),
             "attempt": last.get(m.id)} for m in messages]


# --- what the deliverer reports --------------------------------------------------

def delivered(endpoint_id: int) -> None:
    """A delivery got through: the endpoint is not failing any more."""
    with write() as session:
        session.connection().execute(update(_e).where(
            _e.c.id == endpoint_id, _e.c.failing_since.is_not(None)).values(failing_since=None))


def failed(endpoint_id: int, now: datetime) -> bool:
    """A delivery failed: note since when the endpoint fails; pause it (and tell its host)
    once that is longer than allowed. True when this paused it."""
    limit = timedelta(hours=current_app.config["WEBHOOK_PAUSE_AFTER_HOURS"])
    with write() as session:
        endpoint = session.get(WebhookEndpoint, endpoint_id, with_for_update=True)
        if endpoint is None or endpoint.paused_at is not None:
            return False
        if endpoint.failing_since is None:
            endpoint.failing_since = now
            return False
        if now - endpoint.failing_since < limit:
            return False
        reason = _("Every delivery failed from %(first)s UTC to %(last)s UTC.",
                   first=_utc_moment(endpoint.failing_since), last=_utc_moment(now))
        endpoint.paused_at = now
        endpoint.pause_reason = reason
        _stop_waiting(endpoint_id, reason)
        session.flush()
        listeners.refresh_host(endpoint.host_id)
        mail.queue("webhook_paused", endpoint.host.email, {"endpoint_id": endpoint_id})
    return True


def _utc_moment(when: datetime) -> str:
    """'3 Mar 2026, 08:30' in UTC, as the language being spoken writes it."""
    when = when.astimezone(timezone.utc)
    # Translators: a date and time of day: "3 Mar 2026, 08:30".
    return _("%(day)s, %(time)s", day=format_date_short(when), time=format_clock(when))


@mail.renderer("webhook_paused", _l("Webhook endpoint paused"))
def _paused_mail(params: dict) -> mail.Message:
    endpoint = db.session.get(WebhookEndpoint, params["endpoint_id"])
    if endpoint is None or endpoint.paused_at is None:
        raise mail.Skip(_("The endpoint was deleted or resumed before this mail went out."))
    link = external_url("webhooks.endpoint", endpoint_id=endpoint.id)
    return mail.Message(
        to=endpoint.host.email, subject=_("A webhook endpoint of yours was paused"),
        text=(_("Hello %(name)s,", name=endpoint.host.name) + "\n\n"
              + _("organizer stopped sending webhooks to\n  %(url)s", url=endpoint.url)
              + f"\n{endpoint.pause_reason}\n\n"
              + _("Changes from now on are not sent there until you resume it. Once it works "
                  "again, resume it and resend what it missed from its delivery log:\n"
                  "  %(link)s", link=link) + "\n"))

