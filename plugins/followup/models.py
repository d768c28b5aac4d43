"""The follow-up plugin's tables: the host's settings, deliveries (one per person), opt-outs,
and each person's network across events: who they are, their notes and follow-up states."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from organizer.plugin_api import UTCDateTime, db, new_token, utcnow


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
    # The gentle nudges about people not yet followed up, a week and a month after the
    # event: set when each was sent, or passed over (nothing open, or not wanted).
    week_nudge_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    month_nudge_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Preference(db.Model):
    """An attendee who wants no follow-up mail."""

    __tablename__ = "followup_preference"

    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendee.id", ondelete="CASCADE"),
                                             primary_key=True)
    opted_out: Mapped[bool] = mapped_column(Boolean, default=True)


class Person(db.Model):
    """One person across every event, known by their address: the owner of a network.

    Made when someone first opens their network, and for the people they keep
    notes on. Nothing here is shown to anyone but the person.
    """

    __tablename__ = "followup_person"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Lower-cased, as on the guest list.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # The secret of their calendar feed (follow-up reminders, next dates of their series).
    feed_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    # Out of everyone else's network (they still see their own).
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    # A nudge a week and a month after an event about people not yet followed up.
    nudges: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Contact(db.Model):
    """What one person keeps about another they met: a note and where the follow-up stands."""

    __tablename__ = "followup_contact"
    __table_args__ = (UniqueConstraint("person_id", "other_id", name="uq_followup_contact_pair"),
                      Index("ix_followup_contact_due", "state", "remind_on"))

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("followup_person.id", ondelete="CASCADE"))
    other_id: Mapped[int] = mapped_column(ForeignKey("followup_person.id", ondelete="CASCADE"),
                                          index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    # "" (open), "reached" (they reached out), "remind" (on ``remind_on``), "not_now".
    state: Mapped[str] = mapped_column(String(10), default="")
    remind_on: Mapped[date | None] = mapped_column(Date)
    state_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the reminder mail for ``remind_on`` went out (once per date set).
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    other: Mapped[Person] = relationship(foreign_keys=[other_id])


class LinkUse(db.Model):
    """A one-click link from a mail that was used: each works once."""

    __tablename__ = "followup_link_use"

    nonce: Mapped[str] = mapped_column(String(32), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("followup_person.id", ondelete="CASCADE"),
                                           index=True)
    used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
