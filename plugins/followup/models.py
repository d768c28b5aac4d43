"""The follow-up plugin's tables: the host's settings, deliveries (one per person), opt-outs."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from organizer.plugin_api import UTCDateTime, db, utcnow



class Settings(db.Model):
    """What the host says after an event, and who hears it."""

    __tablename__ = "followup_settings"

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"),
                                          primary_key=True)
    # "checked_in": people who came; "going": everyone who was going.
    recipients: Mapped[str] = mapped_column(String(12), default="checked_in")
    message: Mapped[str] = mapped_column(Text, default="")  # Markdown
    # One resource per line: "Title https://…" or just the address.
    resources: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Delivery(db.Model):
    """A follow-up for one person, stored with its mail in the outbox: the primary key
    lets each person have one, however often sending is started."""

    __tablename__ = "followup_delivery"

    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendee.id", ondelete="CASCADE"),
                                             primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    # When the mail was queued, and its Message-ID in the outbox.
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    message_id: Mapped[str | None] = mapped_column(String(255))


class Preference(db.Model):
    """An attendee who wants no follow-up mail."""

    __tablename__ = "followup_preference"

    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendee.id", ondelete="CASCADE"),
                                             primary_key=True)
    opted_out: Mapped[bool] = mapped_column(Boolean, default=True)
