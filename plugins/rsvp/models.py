"""The RSVP plugin's tables: custom questions and one registration per attendee."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from organizer.plugin_api import Attendee, UTCDateTime, db


QUESTION_KINDS = {"text": "Short answer", "choice": "One of several choices",
                  "checkbox": "Yes / no tick box"}


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

    attendee: Mapped[Attendee] = relationship()
