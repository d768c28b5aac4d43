"""The RSVP plugin's tables: custom questions, one registration per attendee, and the people
who hold a seat for every date of a series."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from organizer.plugin_api import (Attendee, Series, UTCDateTime, db, lazy_gettext as _l, new_token,
                                  utcnow)


QUESTION_KINDS = {"text": _l("Short answer"), "choice": _l("One of several choices"),
                  "checkbox": _l("Yes / no tick box")}


class RsvpQuestion(db.Model):
    """A question the host asks everyone who RSVPs."""

    __tablename__ = "rsvp_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    label: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20), default="text")
    choices: Mapped[list] = mapped_column(JSON, default=list)
    required: Mapped[bool] = mapped_column(Boolean, default=False)

    @property
    def field_name(self) -> str:
        return f"q{self.id}"


class RsvpRegistration(db.Model):
    """What the RSVP plugin knows about one attendee beyond the core's guest list."""

    __tablename__ = "rsvp_registration"

    attendee_id: Mapped[int] = mapped_column(
        ForeignKey("attendee.id", ondelete="CASCADE"), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    # Answers by question id (as text keys, for JSON).
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    guest_name: Mapped[str] = mapped_column(String(120), default="")
    # Added to the event's SEQUENCE in this person's invites, so a withdrawal
    # (CANCEL) and a later re-join (REQUEST) each rank above the last message.
    ics_bump: Mapped[int] = mapped_column(Integer, default=0)
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the person joined the waiting list: its order, first come first.
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the seat was taken by a hold on every date of the series (not by the
    # person's own RSVP for this date): stopping the hold gives such seats back.
    hold_id: Mapped[int | None] = mapped_column(
        ForeignKey("rsvp_series_hold.id", ondelete="SET NULL"), index=True)

    attendee: Mapped[Attendee] = relationship()


class SeriesHold(db.Model):
    """Someone who holds a seat for every date of a series, until they stop."""

    __tablename__ = "rsvp_series_hold"
    __table_args__ = (UniqueConstraint("series_id", "email", name="uq_rsvp_series_hold_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"),
                                           index=True)
    # As on the guest list: lower-cased, one address one person.
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(120))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(200), default="")
    # The secret of the page where they see their dates and stop.
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    series: Mapped[Series] = relationship()
