"""The badges plugin's tables: tickets, check-in stations and check-ins."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from organizer.plugin_api import Attendee, Event, UTCDateTime, db, utcnow


class Ticket(db.Model):
    """A ticket's secret; re-issuing revokes the old one and makes a new one."""

    __tablename__ = "badges_ticket"
    # One valid ticket per person: two requests issuing at once cannot both win.
    __table_args__ = (Index("uq_badges_ticket_valid", "attendee_id", unique=True,
                            sqlite_where=text("revoked_at IS NULL"),
                            postgresql_where=text("revoked_at IS NULL")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendee.id", ondelete="CASCADE"),
                                             index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    secret: Mapped[str] = mapped_column(String(40), unique=True)
    # The QR code (PNG, one pixel per module), made once when the ticket is issued.
    code: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    attendee: Mapped[Attendee] = relationship()


class Station(db.Model):
    """A door's check-in link: secret, limited to one event, revocable."""

    __tablename__ = "badges_station"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    # "door": staff check people in; "poster": attendees check themselves in.
    kind: Mapped[str] = mapped_column(String(10), default="door")
    secret: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the door phone last told the server: when, and how many check-ins it
    # held that were not yet sent; and when it last took a copy of the guest list.
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    queued: Mapped[int] = mapped_column(default=0, server_default="0")
    copied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()

    @property
    def zone(self):
        """The event's time zone (check-in times are shown in it)."""
        return self.event.zone


class CheckIn(db.Model):
    """One recorded arrival (undone ones are kept, marked)."""

    __tablename__ = "badges_checkin"
    __table_args__ = (Index("ix_badges_checkin_attendee", "attendee_id", "undone_at"),
                      UniqueConstraint("station_id", "nonce", name="uq_badges_checkin_nonce"))

    id: Mapped[int] = mapped_column(primary_key=True)
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendee.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    station_id: Mapped[int | None] = mapped_column(
        ForeignKey("badges_station.id", ondelete="SET NULL"))
    # The scanner's request id, per station: a retried request finds its first answer.
    nonce: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    attendee: Mapped[Attendee] = relationship()
    station: Mapped[Station | None] = relationship()


class EventKey(db.Model):
    """The Ed25519 key pair that signs an event's tickets, so a station can check a ticket
    without the server (made when the event's first ticket or station copy needs it)."""

    __tablename__ = "badges_event_key"

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"),
                                          primary_key=True)
    private: Mapped[bytes] = mapped_column(LargeBinary)  # raw 32 bytes
    public: Mapped[bytes] = mapped_column(LargeBinary)  # raw 32 bytes
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DoorConflict(db.Model):
    """A check-in a station made offline that the server could not simply keep.

    ``kind``: ``double`` (someone already checked in: ``checkin_id`` is the
    check-in that stands), ``not_going`` (cancelled, declined or moved while
    the station was offline), ``revoked`` (a replaced or cancelled ticket),
    ``unknown`` (no ticket of this event has that code). The scan's request id
    is kept, so a batch sent again records nothing twice.
    """

    __tablename__ = "badges_door_conflict"
    __table_args__ = (UniqueConstraint("station_id", "nonce", name="uq_badges_conflict_nonce"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    station_id: Mapped[int | None] = mapped_column(
        ForeignKey("badges_station.id", ondelete="SET NULL"))
    nonce: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(12))
    attendee_id: Mapped[int | None] = mapped_column(
        ForeignKey("attendee.id", ondelete="CASCADE"))
    checkin_id: Mapped[int | None] = mapped_column(
        ForeignKey("badges_checkin.id", ondelete="SET NULL"))
    # When the station admitted the person (its own clock, corrected by the server's).
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    attendee: Mapped[Attendee | None] = relationship()
    station: Mapped[Station | None] = relationship()
    checkin: Mapped[CheckIn | None] = relationship()
