"""The core's tables: hosts, events and series, co-hosts, attendees, jobs, the outbox.

Times are stored in UTC (as naive values, which every database keeps the
same way) and come back as aware UTC datetimes; each event also keeps its
IANA time zone so it can be shown and exported in local time.
"""
from __future__ import annotations

import secrets
from enum import StrEnum
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask_login import UserMixin
from sqlalchemy import (JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text,
                        UniqueConstraint, types)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db import db
from .i18n import lazy_gettext as _l


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(timezone.utc)


class UTCDateTime(types.TypeDecorator):
    """Aware UTC datetimes in Python, naive UTC in the database."""

    impl = types.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=timezone.utc)


def new_uid() -> str:
    """A stable, random iCalendar UID (128 bits)."""
    return f"{secrets.token_hex(16)}@organizer"


def new_slug() -> str:
    """A short random path segment for public URLs (not a secret)."""
    return secrets.token_urlsafe(8)


def new_token() -> str:
    """A secret of 192 bits for links that act on someone's behalf."""
    return secrets.token_urlsafe(24)


# Each kind's name as people read it, in the language being spoken (keys are machine values).
EVENT_KINDS = {
    "coffee": _l("Coffee chat"),
    "lunch": _l("Lunch"),
    "meetup": _l("Meetup"),
    "workshop": _l("Workshop"),
    "virtual": _l("Virtual session"),
}


class AttendeeStatus(StrEnum):
    """Where someone stands on an event's guest list. Each is also its text in the
    database, forms and URLs (``AttendeeStatus.GOING == "going"``)."""

    GOING = "going"
    WAITING = "waiting"      # on the waiting list, promoted in order when a seat frees up
    PENDING = "pending"      # waiting for the host's approval
    DECLINED = "declined"    # the host said no
    CANCELLED = "cancelled"  # they said no, or cancelled later


ATTENDEE_STATUSES = tuple(AttendeeStatus)

# The words people read for a stored status (the stored values stay English: they are
# the database's, the CSV's and the API's). ``event.status_label``, ``attendee.status_label``.
EVENT_STATUS_LABELS = {
    "draft": _l("Draft"),
    "published": _l("Published"),
    "cancelled": _l("Cancelled"),
}
ATTENDEE_STATUS_LABELS = {
    AttendeeStatus.GOING: _l("going"),
    AttendeeStatus.WAITING: _l("waiting"),
    AttendeeStatus.PENDING: _l("pending"),
    AttendeeStatus.DECLINED: _l("declined"),
    AttendeeStatus.CANCELLED: _l("cancelled"),
}


class Host(UserMixin, db.Model):
    __tablename__ = "host"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    handle: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # Rotated on sign-out and password change: every older session cookie stops working.
    session_token: Mapped[str] = mapped_column(String(64), default=new_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Shown on the host's public page: a few sentences of plain text and a photo.
    bio: Mapped[str] = mapped_column(Text, default="")
    # Months after an event its guests are anonymised by the scheduled work (None: kept).
    retention_months: Mapped[int | None] = mapped_column(Integer)
    photo_id: Mapped[int | None] = mapped_column(
        ForeignKey("picture.id", ondelete="SET NULL", name="fk_host_photo_id_picture"))

    photo: Mapped["Picture | None"] = relationship()

    def get_id(self) -> str:
        # Flask-Login stores this in the session; tying it to a rotating token
        # makes sign-out end the session everywhere, not just in this browser.
        return f"{self.id}:{self.session_token}"


class ApiToken(db.Model):
    """A host's personal token for the API: only its SHA-256 is stored; the token itself
    is shown once, when it is made."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("host.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    # "read", or "write" (read and write).
    scope: Mapped[str] = mapped_column(String(10), default="read")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The token's first characters, so a host can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    host: Mapped[Host] = relationship()


class PasswordReset(db.Model):
    __tablename__ = "password_reset"

    id: Mapped[int] = mapped_column(primary_key=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("host.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    host: Mapped[Host] = relationship()


class _EventFields:
    """Columns an event and a series template share."""

    kind: Mapped[str] = mapped_column(String(20), default="meetup")
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    timezone: Mapped[str] = mapped_column(String(64))
    venue: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(500), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    capacity: Mapped[int | None] = mapped_column(Integer)
    # The language of the event's mails, badges, calendar text and PDFs (organizer.i18n).
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def kind_label(self) -> str:
        return str(EVENT_KINDS.get(self.kind, self.kind.title()))

    @property
    def status_label(self) -> str:
        """The status as people read it ("Draft", "Published", "Cancelled")."""
        return str(EVENT_STATUS_LABELS.get(self.status, self.status.capitalize()))


class Series(_EventFields, db.Model):
    """A recurring event: an RRULE and the template its occurrences copy."""

    __tablename__ = "series"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(80), unique=True, default=new_uid)
    slug: Mapped[str] = mapped_column(String(32), unique=True, default=new_slug)
    owner_id: Mapped[int] = mapped_column(ForeignKey("host.id"))
    # RRULE body without "RRULE:", e.g. FREQ=WEEKLY;INTERVAL=2;BYDAY=TU
    rrule: Mapped[str] = mapped_column(String(500))
    # The first start as a local wall-clock time in `timezone` (naive on purpose:
    # recurrences follow the wall clock across DST changes).
    dtstart_local: Mapped[datetime] = mapped_column(types.DateTime)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="published")

    owner: Mapped[Host] = relationship()
    events: Mapped[list["Event"]] = relationship(back_populates="series",
                                                 order_by="Event.starts_at")


class Event(_EventFields, db.Model):
    __tablename__ = "event"
    __table_args__ = (
        UniqueConstraint("series_id", "recurrence_id", name="uq_event_series_occurrence"),
        Index("ix_event_status_starts", "status", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(80), unique=True, default=new_uid)
    slug: Mapped[str] = mapped_column(String(32), unique=True, default=new_slug)
    owner_id: Mapped[int] = mapped_column(ForeignKey("host.id"), index=True)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"),
                                                  index=True)
    # The occurrence's original start (UTC) — its RECURRENCE-ID in calendars.
    recurrence_id: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # True once this occurrence was edited on its own; series edits leave it be.
    detached: Mapped[bool] = mapped_column(Boolean, default=False)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set once by the due-work command; guards the "event ended" notification.
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Per-event settings of plugins, one key per plugin name.
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    # True while a live webhook endpoint may want this event's changes (kept by
    # organizer.webhooks.listeners): a change of an event nobody listens to costs
    # no query for webhooks.
    webhooks: Mapped[bool] = mapped_column(Boolean, default=False)
    # A picture the host uploaded; without one, link previews use the drawn card.
    cover_id: Mapped[int | None] = mapped_column(
        ForeignKey("picture.id", ondelete="SET NULL", name="fk_event_cover_id_picture"))

    owner: Mapped[Host] = relationship()
    cover: Mapped["Picture | None"] = relationship()
    series: Mapped[Series | None] = relationship(back_populates="events")
    cohosts: Mapped[list["CoHost"]] = relationship(back_populates="event",
                                                   cascade="all, delete-orphan")

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(self.zone)

    @property
    def local_end(self) -> datetime:
        return self.ends_at.astimezone(self.zone)

    def plugin_settings(self, plugin: str) -> dict:
        """The settings a plugin stored for this event (a copy)."""
        return dict((self.settings or {}).get(plugin, {}))


class CoHost(db.Model):
    """A host who may edit someone else's event."""

    __tablename__ = "event_cohost"

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"),
                                          primary_key=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("host.id", ondelete="CASCADE"),
                                         primary_key=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship(back_populates="cohosts")
    host: Mapped[Host] = relationship()


class Attendee(db.Model):
    """One person on one event's guest list."""

    __tablename__ = "attendee"
    __table_args__ = (UniqueConstraint("event_id", "email", name="uq_attendee_event_email"),
                      Index("ix_attendee_event_status", "event_id", "status"),
                      # A guest list in the order people joined, a page at a time.
                      Index("ix_attendee_event_order", "event_id", "id"),
                      # One person across every guest list: their network, their series.
                      Index("ix_attendee_email", "email"))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    # Stored lower-cased so one address is one person.
    email: Mapped[str] = mapped_column(String(254))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20), default=AttendeeStatus.GOING)
    guests: Mapped[int] = mapped_column(Integer, default=0)
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # They chose to appear by name on the event's public page (off unless they tick it).
    listed: Mapped[bool] = mapped_column(Boolean, default=False)

    event: Mapped[Event] = relationship()

    @property
    def status_label(self) -> str:
        """The status as a word people read ("going", "waiting")."""
        return str(ATTENDEE_STATUS_LABELS.get(self.status, self.status))


class Picture(db.Model):
    """An uploaded picture (an event's cover, a host's photo), re-encoded in the sizes
    pages use. Its ``key`` is in its URLs; a new upload gets a new key, so the files
    can be cached for good. It belongs to the event or host that points at it, and
    is deleted when they let go of it."""

    __tablename__ = "picture"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    alt: Mapped[str] = mapped_column(String(300), default="")
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    files: Mapped[list["PictureFile"]] = relationship(cascade="all, delete-orphan",
                                                      passive_deletes=True)


class PictureFile(db.Model):
    """One size of a picture, as JPEG."""

    __tablename__ = "picture_file"

    picture_id: Mapped[int] = mapped_column(ForeignKey("picture.id", ondelete="CASCADE"),
                                            primary_key=True)
    size: Mapped[str] = mapped_column(String(20), primary_key=True)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)


class Job(db.Model):
    """A long task (a badge sheet, a bulk PDF, a mass mail) and its progress."""

    __tablename__ = "job"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default="queued")
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(String(500), default="")
    result: Mapped[dict] = mapped_column(JSON, default=dict)
    error: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("host.id", ondelete="SET NULL"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When a running job last reported: one silent for long has stopped.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def percent(self) -> int:
        if self.status == "done":
            return 100
        return int(100 * self.done / self.total) if self.total else 0


class OutboxMessage(db.Model):
    """One message to deliver (a mail now, a webhook later): the transactional outbox.

    The row is written in the transaction of the change that causes it, so
    the message exists exactly when the change does; a deliverer sends it
    after the commit and records how that went. ``kind`` names the renderer
    that builds the message from ``params`` when it is sent (so the page that
    caused it never waits for a PDF or an invite); a message whose content
    is only known at that moment (a password-reset link) is stored whole in
    ``payload`` instead.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_due", "status", "next_attempt_at"),
                      Index("ix_outbox_message_event_status", "event_id", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    # The Message-ID every attempt carries, so a receiver can tell a retry.
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(100))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300), default="")
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    attendee_id: Mapped[int | None] = mapped_column(
        ForeignKey("attendee.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the current run of attempts began: when it was queued, or when a
    # host asked for it to be tried again. It is given up two days later.
    tries_from: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Who is sending it now, and until when that claim holds (a deliverer
    # that died leaves a claim that runs out).
    claim: Mapped[str | None] = mapped_column(String(32))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why the last attempt failed, as a sentence for the host.
    last_error: Mapped[str] = mapped_column(String(500), default="")
    payload: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Set for a webhook delivery: the endpoint it goes to (``kind`` is "webhook").
    webhook_endpoint_id: Mapped[int | None] = mapped_column(
        ForeignKey("webhook_endpoint.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WebhookEndpoint(db.Model):
    """A host's URL that is told about changes (of one event, or of every event they host),
    signed per the Standard Webhooks specification with ``secret``."""

    __tablename__ = "webhook_endpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("host.id", ondelete="CASCADE"), index=True)
    # None: every event the host owns or co-hosts.
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(200), default="")
    # The types it receives, each with a space on both sides (" a.b c.d "), so one
    # LIKE finds the endpoints of a type on every database.
    types: Mapped[str] = mapped_column(String(1000))
    # "whsec_" and 32 random bytes in base64, as the specification's libraries expect.
    secret: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the current run of failed deliveries began (None while it works).
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why it was paused, as a sentence for the host.
    pause_reason: Mapped[str] = mapped_column(String(300), default="")

    host: Mapped[Host] = relationship()
    event: Mapped["Event | None"] = relationship()

    @property
    def type_list(self) -> list[str]:
        return self.types.split()


class WebhookAttempt(db.Model):
    """One try at delivering a webhook: when, how long, what the receiver answered."""

    __tablename__ = "webhook_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("outbox_message.id", ondelete="CASCADE"), index=True)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The receiver's HTTP status; None when it could not be reached.
    status_code: Mapped[int | None] = mapped_column(Integer)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(String(500), default="")


class IdempotentRequest(db.Model):
    """The answer an API write gave, kept for its ``Idempotency-Key``: the same key and
    body get the same answer again instead of doing the write twice."""

    __tablename__ = "idempotent_request"
    __table_args__ = (UniqueConstraint("token_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_token.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    # SHA-256 of the method, path and body: the same key with another request is refused.
    fingerprint: Mapped[str] = mapped_column(String(64))
    # None while the first request is still being answered.
    status_code: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    content_type: Mapped[str] = mapped_column(String(100), default="")
    location: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class Erasure(db.Model):
    """A record that someone's data was erased: what, when and by whom, never who.

    ``by`` is "attendee" (they asked on their own page), "host" (a host on a
    person's request; ``host_id`` says which), "retention" (the host's
    retention period ran out) or "account" (a host deleted their account and
    every event of it).
    """

    __tablename__ = "erasure"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    by: Mapped[str] = mapped_column(String(20))
    host_id: Mapped[int | None] = mapped_column(ForeignKey("host.id", ondelete="SET NULL"))
    # How many guest-list rows (one per event) were anonymised.
    attendees: Mapped[int] = mapped_column(Integer, default=0)
    events: Mapped[int] = mapped_column(Integer, default=0)
