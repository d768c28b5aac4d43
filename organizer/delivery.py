"""The deliverer: sends what the outbox holds, retries what fails, and says why.

A pass claims a batch of due messages (one short write: their status
becomes "sending", with a claim token and a lease), then for each builds it
(its renderer, or the stored mail), hands it to the transport and records
the outcome at once, so a deliverer killed mid-batch leaves only the message
it was sending: its lease runs out and another pass sends it again with the
same Message-ID. A message is never lost: a refusal for good marks it
"failed" with the reason; anything else is tried again with growing pauses
for ``DELIVERY_GIVE_UP_HOURS`` (two days) before it is marked failed.

Who runs passes: with ``DELIVERY = "background"`` (the default) the runner
process that ``organizer serve`` starts; with ``"worker"`` the ``organizer
worker`` processes; with ``"eager"`` the process that queued the messages,
right after its commit (tests, scripts). ``organizer tick`` runs one too.
"""
from __future__ import annotations

import logging
import random
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, bindparam, func, or_, select, update

from . import i18n, mail, transport
from .i18n import gettext as _, lazy_gettext as _l, ngettext
from .db import db, write, is_sqlite
from .models import Event, OutboxMessage, utcnow

log = logging.getLogger(__name__)

BATCH = 20
# Pauses before the 2nd, 3rd, ... attempt; then every eight hours until the
# message is DELIVERY_GIVE_UP_HOURS old.
RETRY_DELAYS = (60, 300, 900, 1800, 3600, 7200, 14400, 28800)

_t = OutboxMessage.__table__
# Set when this process queued messages: a runner in the same process wakes.
wake = threading.Event()


@dataclass
class Claimed:
    """A message this pass holds (a plain row, not an ORM object)."""

    id: int
    message_id: str
    kind: str
    params: dict
    recipient: str
    subject: str
    payload: bytes | None
    attempts: int
    created_at: datetime
    tries_from: datetime
    webhook_endpoint_id: int | None = None
    event_id: int | None = None


def _lease() -> timedelta:
    return timedelta(seconds=int(current_app.config["DELIVERY_LEASE_SECONDS"]))


def _due(now: datetime):
    # Queued and due, or claimed by a deliverer whose lease ran out (it died).
    return or_(and_(_t.c.status == "queued", _t.c.next_attempt_at <= now),
               and_(_t.c.status == "sending", _t.c.lease_until < now))


def claim(now: datetime, limit: int = BATCH,
          message_ids: list[str] | None = None) -> tuple[str, list[Claimed]]:
    """Claim up to ``limit`` due messages (only ``message_ids`` when given), oldest first."""
    token = secrets.token_hex(16)
    with write() as session:
        query = select(_t.c.id).where(_due(now)).order_by(_t.c.id).limit(limit)
        if message_ids is not None:
            query = query.where(_t.c.message_id.in_(message_ids))
        if not is_sqlite():
            # Several deliverers on PostgreSQL take different messages
            # instead of queueing behind each other's row locks.
            query = query.with_for_update(skip_locked=True)
        conn = session.connection()
        ids = conn.execute(query).scalars().all()
        if not ids:
            return token, []
        conn.execute(update(_t).where(_t.c.id.in_(ids)).values(
            status="sending", claim=token, lease_until=now + _lease(),
            attempts=_t.c.attempts + 1))
        rows = conn.execute(select(
            _t.c.id, _t.c.message_id, _t.c.kind, _t.c.params, _t.c.recipient, _t.c.subject,
            _t.c.payload, _t.c.attempts, _t.c.created_at, _t.c.tries_from,
            _t.c.webhook_endpoint_id, _t.c.event_id)
            .where(_t.c.id.in_(ids))
            .order_by(_t.c.id)).all()
    return token, [Claimed(*row) for row in rows]


def run_pass(now: datetime | None = None, limit: int = BATCH,
             message_ids: list[str] | None = None) -> dict[str, int]:
    """Claim and deliver one batch; return how many were sent, retried, failed, dropped."""
    token, batch = claim(now or utcnow(), limit, message_ids)
    counts = {"sent": 0, "retry": 0, "failed": 0, "dropped": 0, "taken": 0}
    # Written to the outbox folder, a message sent twice is the same file
    # written twice: those are recorded together at the end of the batch.
    # Each one to a mail server is recorded the moment it is accepted.
    delivered: list[dict] | None = [] if transport.idempotent() else None
    renew_at = utcnow() + _lease() / 2
    try:
        for index, message in enumerate(batch):
            if utcnow() >= renew_at:
                _renew([m.id for m in batch[index:]], token)
                renew_at = utcnow() + _lease() / 2
            outcome, unreachable = _deliver(message, token, delivered)
            counts[outcome] += 1
            if unreachable:
                rest = batch[index + 1:]
                _release(rest, token)
                counts["retry"] += len(rest)
                break
    finally:
        if delivered:
            _record_sent(delivered, token)
    counts["claimed"] = len(batch)
    return counts


def drain(now: datetime | None = None, budget: int = 1000) -> int:
    """Deliver what is due until nothing is (or ``budget`` messages were tried)."""
    tried = 0
    while tried < budget:
        counts = run_pass(now, limit=min(BATCH, budget - tried))
        tried += counts["claimed"]
        if counts["claimed"] == 0 or counts["claimed"] == counts["retry"]:
            break  # nothing due, or the server is unreachable: wait for the next try
    return tried


def newest_id() -> int:
    """The id of the newest message queued (0 when none): ids only grow."""
    return db.session.scalar(select(func.max(_t.c.id))) or 0


def committed(message_ids: list[str]) -> None:
    """Called once a transaction that queued ``message_ids`` has committed."""
    if current_app.config["DELIVERY"] == "eager":
        # In the caller's session: a second one would need a second connection
        # while the first may still hold one, and threads doing this at once
        # could take the whole pool between them.
        try:
            run_pass(message_ids=message_ids, limit=len(message_ids))
        except Exception:  # never the caller's problem: the messages stay queued
            log.exception("delivering %d new messages failed; they stay queued",
                          len(message_ids))
    else:
        wake.set()


# --- one message -----------------------------------------------------------------

def _deliver(message: Claimed, token: str,
             delivered: list[dict] | None = None) -> tuple[str, bool]:
    """Build and send one message; return the outcome and whether the server was unreachable.

    A message sent is recorded at once, or added to ``delivered`` for the
    caller to record (when sending it again could do no harm). A mail about an
    event is built, and how it went is told, in the event's language, whoever
    caused it.
    """
    with i18n.in_language(_event_language(message.event_id)):
        return _deliver_now(message, token, delivered)


def _deliver_now(message: Claimed, token: str,
                 delivered: list[dict] | None) -> tuple[str, bool]:
    if message.webhook_endpoint_id is not None:
        return _deliver_webhook(message, token), False
    try:
        try:
            raw, recipient, subject = _prepare(message)
        finally:
            _end_reads()  # not held while the mail server takes its time
    except mail.Skip as skip:
        _finish(message, token, status="dropped", last_error=str(skip)[:500])
        return "dropped", False
    except mail.NoRenderer:
        log.error("message %s: nothing here builds mail of the kind %r", message.id,
                  message.kind)
        _finish(message, token, status="failed", last_error=str(NO_RENDERER))
        return "failed", False
    except Exception:
        log.exception("message %s (%s) could not be built", message.id, message.kind)
        return _retry(message, token, _("The message could not be prepared (an error on "
                                        "our side, which has been logged); it will be "
                                        "tried again.")), False
    if delivered is None and not _still_ours(message, token):
        # Building it took longer than the claim lasts, and another deliverer
        # has taken it over: sending it too would send it twice.
        return "taken", False
    try:
        transport.send(raw, mail.envelope_sender(), recipient, _file_name(message))
    except transport.DeliveryError as error:
        log.warning("message %s not delivered (attempt %d): %s", message.id, message.attempts,
                    error)
        if error.permanent:
            _finish(message, token, status="failed", last_error=str(error)[:500],
                    recipient=recipient, subject=subject)
            return "failed", False
        outcome = _retry(message, token, str(error), recipient=recipient, subject=subject)
        return outcome, error.unreachable
    if delivered is not None:
        delivered.append({"b_id": message.id, "b_recipient": recipient, "b_subject": subject,
                          "b_sent_at": utcnow()})
    else:
        _finish(message, token, status="sent", sent_at=utcnow(), payload=None, last_error="",
                recipient=recipient, subject=subject)
    return "sent", False


def _deliver_webhook(message: Claimed, token: str) -> str:
    """Post one webhook; a receiver that fails delays only its own endpoint's deliveries."""
    from .webhooks import endpoints, sending
    to = sending.target(message.webhook_endpoint_id)
    ahead = _older_waiting(message)
    _end_reads()
    if to is None:
        _finish(message, token, status="dropped", last_error=_("The endpoint was deleted."))
        return "dropped"
    if to.paused_at is not None:
        _finish(message, token, status="failed",
                last_error=_("Not sent: the endpoint was paused. %(reason)s",
                             reason=to.pause_reason).strip()[:500])
        return "failed"
    if ahead is not None:
        # An older delivery to this endpoint waits for its retry: this one goes after
        # it, so a receiver sees one guest's changes in the order they happened.
        _finish(message, token, status="queued", attempts=message.attempts - 1,
                next_attempt_at=ahead,
                last_error=_("Waiting for an earlier delivery to this endpoint."))
        return "retry"
    if not _still_ours(message, token):
        return "taken"
    try:
        sending.post(message.id, message.message_id, to, message.payload)
    except transport.DeliveryError as error:
        now = utcnow()
        if endpoints.failed(message.webhook_endpoint_id, now):
            return "failed"  # the endpoint is paused, and this delivery with it
        return _retry(message, token, str(error))
    _finish(message, token, status="sent", sent_at=utcnow(), last_error="")
    endpoints.delivered(message.webhook_endpoint_id)
    return "sent"


def _older_waiting(message: Claimed) -> datetime | None:
    """When the oldest earlier delivery to the same endpoint, still waiting, is due."""
    return db.session.scalar(select(func.min(_t.c.next_attempt_at)).where(
        _t.c.webhook_endpoint_id == message.webhook_endpoint_id, _t.c.id < message.id,
        _t.c.status.in_(("queued", "sending"))))


NO_RENDERER = _l("Nothing here writes this kind of mail any more (the plugin that wrote it "
                 "is not installed or is blocked), so it was not sent.")


def _still_ours(message: Claimed, token: str) -> bool:
    """Renew this message's claim just before it goes out; False if it is no longer ours."""
    with write() as session:
        return session.connection().execute(update(_t).where(
            _t.c.id == message.id, _t.c.claim == token).values(
            lease_until=utcnow() + _lease())).rowcount == 1


def _end_reads() -> None:
    """End the session's transaction: committed if it can be, else rolled back."""
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()


def _prepare(message: Claimed) -> tuple[bytes, str, str]:
    if message.payload is not None:
        return message.payload, message.recipient, message.subject
    # In the event's language (see _deliver).
    built = mail.render(message.kind, message.params)
    return (mail.build(built, message.message_id), mail.recipient_of(built),
            " ".join(built.subject.split())[:300])


def _event_language(event_id: int | None) -> str | None:
    if event_id is None:
        return None
    return db.session.scalar(select(Event.language).where(Event.id == event_id))


def _file_name(message) -> str:
    # Stable for the message: a retry after a crash replaces its file.
    return f"{message.created_at:%Y%m%dT%H%M%S}-{message.id:08d}"


def forget_files(messages) -> None:
    """Delete the copies the outbox folder keeps of ``messages`` (rows with ``id`` and
    ``created_at``), when mail goes to the folder rather than to an SMTP server."""
    if not transport.idempotent():
        return
    for message in messages:
        (transport.outbox_folder() / f"{_file_name(message)}.eml").unlink(missing_ok=True)


def _retry(message: Claimed, token: str, reason: str, **values) -> str:
    now = utcnow()
    pause = RETRY_DELAYS[min(message.attempts, len(RETRY_DELAYS)) - 1]
    pause *= 1 + random.random() / 10  # many messages failing at once don't return at once
    give_up = message.tries_from + timedelta(hours=current_app.config["DELIVERY_GIVE_UP_HOURS"])
    if now + timedelta(seconds=pause) > give_up:
        _finish(message, token, status="failed", last_error=ngettext(
            "Gave up after %(num)d attempt: %(reason)s",
            "Gave up after %(num)d attempts: %(reason)s", message.attempts,
            reason=reason)[:500], **values)
        return "failed"
    _finish(message, token, status="queued", next_attempt_at=now + timedelta(seconds=pause),
            last_error=reason[:500], **values)
    return "retry"


def _finish(message: Claimed, token: str, **values) -> None:
    """Record the outcome, unless another deliverer took the message over meanwhile."""
    with write() as session:
        session.connection().execute(update(_t).where(_t.c.id == message.id, _t.c.claim == token)
                                     .values(claim=None, lease_until=None, **values))


_SENT = (update(_t).where(_t.c.id == bindparam("b_id"), _t.c.claim == bindparam("b_claim"))
         .values(status="sent", sent_at=bindparam("b_sent_at"), payload=None, last_error="",
                 claim=None, lease_until=None, recipient=bindparam("b_recipient"),
                 subject=bindparam("b_subject")))


def _record_sent(delivered: list[dict], token: str) -> None:
    """Record several messages as sent in one write."""
    with write() as session:
        session.connection().execute(_SENT, [{**row, "b_claim": token} for row in delivered])


def _renew(ids: list[int], token: str) -> None:
    with write() as session:
        session.connection().execute(update(_t).where(_t.c.id.in_(ids), _t.c.claim == token)
                                     .values(lease_until=utcnow() + _lease()))


def _release(rest: list[Claimed], token: str) -> None:
    """Give back the batch's other messages untried: the server is unreachable, and
    each would only wait for its timeout. They keep their place and try again soon."""
    if not rest:
        return
    with write() as session:
        session.connection().execute(update(_t).where(
            _t.c.id.in_([m.id for m in rest]), _t.c.claim == token).values(
            status="queued", claim=None, lease_until=None, attempts=_t.c.attempts - 1,
            next_attempt_at=utcnow() + timedelta(seconds=RETRY_DELAYS[0]),
            last_error=_("The mail server could not be reached; waiting to try again.")))


# --- what hosts do about messages that did not arrive ------------------------------

def retry_now(event_id: int, message_ids: list[int] | None = None) -> int:
    """Try the event's waiting or failed messages (those of ``message_ids``) again now."""
    with write() as session:
        query = update(_t).where(_t.c.event_id == event_id,
                                 _t.c.status.in_(("queued", "failed")))
        if message_ids is not None:
            query = query.where(_t.c.id.in_(message_ids))
        now = utcnow()
        # A fresh run of attempts: two more days, starting with short pauses.
        result = session.connection().execute(query.values(
            status="queued", next_attempt_at=now, tries_from=now, attempts=0))
    wake.set()
    return result.rowcount


def readdress(attendee_id: int, email: str) -> int:
    """Send the attendee's undelivered messages again, to their new address ``email``.

    Call it in the transaction that changes the address. Messages built when
    they were queued (none go to attendees today) keep the address they were
    built for; the others are rebuilt for the new one when they are sent.
    """
    result = db.session.connection().execute(update(_t).where(
        _t.c.attendee_id == attendee_id, _t.c.status.in_(("queued", "failed")),
        _t.c.payload.is_(None)).values(status="queued", next_attempt_at=utcnow(),
                                       tries_from=utcnow(), attempts=0, recipient=email,
                                       last_error=""))
    wake.set()
    return result.rowcount
