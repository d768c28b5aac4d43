"""The matching plugin's tables: profiles, the host's set-up and rules, runs, matches, requests."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from organizer.plugin_api import Attendee, UTCDateTime, db, lazy_gettext as _l, utcnow


# What an attendee may agree to show the people they are matched with.
SHAREABLE = {
    "email": _l("My e-mail address"),
    "organisation": _l("Organisation and role"),
    "field": _l("My field"),
    "links": _l("My links"),
    "offers": _l("What I can offer"),
    "seeks": _l("What I'm looking for"),
    "interests": _l("My interests"),
    "languages": _l("The languages I speak"),
}


class Profile(db.Model):
    """What one attendee tells matching about themselves, and what they share."""

    __tablename__ = "matching_profile"

    attendee_id: Mapped[int] = mapped_column(
        ForeignKey("attendee.id", ondelete="CASCADE"), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    interests: Mapped[list] = mapped_column(JSON, default=list)
    field: Mapped[str] = mapped_column(String(100), default="")
    offers: Mapped[list] = mapped_column(JSON, default=list)
    seeks: Mapped[list] = mapped_column(JSON, default=list)
    languages: Mapped[list] = mapped_column(JSON, default=list)
    links: Mapped[list] = mapped_column(JSON, default=list)
    # Keys of SHAREABLE the person agreed to show their matches; nothing else is shown.
    share: Mapped[list] = mapped_column(JSON, default=list)
    opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    attendee: Mapped[Attendee] = relationship()


class Setup(db.Model):
    """How the host wants people matched at one event."""

    __tablename__ = "matching_setup"

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"),
                                          primary_key=True)
    mode: Mapped[str] = mapped_column(String(10), default="pairs")  # "pairs" | "groups"
    group_size: Mapped[int] = mapped_column(Integer, default=4)
    rounds: Mapped[int] = mapped_column(Integer, default=1)
    checked_in_only: Mapped[bool] = mapped_column(Boolean, default=False)
    same_org: Mapped[str] = mapped_column(String(10), default="avoid")  # "avoid" | "allow"
    slot_minutes: Mapped[int] = mapped_column(Integer, default=20)
    # Attendee ids the host took out of matching.
    excluded: Mapped[list] = mapped_column(JSON, default=list)
    # A more diverse mix: prefer other fields and organisations; pair newcomers with regulars.
    mix_fields: Mapped[bool] = mapped_column(Boolean, default=False)
    mix_newcomers: Mapped[bool] = mapped_column(Boolean, default=False)


class Rule(db.Model):
    """Two people who must, or must not, meet."""

    __tablename__ = "matching_rule"
    __table_args__ = (UniqueConstraint("event_id", "first_id", "second_id",
                                       name="uq_matching_rule_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # "must" | "never"
    first_id: Mapped[int] = mapped_column(ForeignKey("attendee.id", ondelete="CASCADE"))
    second_id: Mapped[int] = mapped_column(ForeignKey("attendee.id", ondelete="CASCADE"))


class Run(db.Model):
    """One result of matching: a draft the host edits, then published once."""

    __tablename__ = "matching_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="draft")  # draft | published
    mode: Mapped[str] = mapped_column(String(10))
    # [[{"members": [attendee ids], "locked": bool, "score": float}, ...], ...] per round
    rounds: Mapped[list] = mapped_column(JSON, default=list)
    total: Mapped[float] = mapped_column(Float, default=0.0)
    warnings: Mapped[list] = mapped_column(JSON, default=list)
    # What a diversity preference did: shares of pairs (cross-field, cross-organisation,
    # newcomer–regular) in this run and in the plain run of the same people.
    mix: Mapped[dict | None] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Match(db.Model):
    """One person's place in a published group: who met whom, for pages and follow-ups."""

    __tablename__ = "matching_match"
    # Everyone at one table; it serves lookups by run alone too.
    __table_args__ = (Index("ix_matching_match_table", "run_id", "round", "group_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("matching_run.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    group_no: Mapped[int] = mapped_column(Integer)
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendee.id", ondelete="CASCADE"),
                                             index=True)
    # Set when this person's introduction mail went out (once per person and run).
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class IntroRequest(db.Model):
    """Connector mode: one attendee asks to be introduced to another."""

    __tablename__ = "matching_intro"
    __table_args__ = (UniqueConstraint("from_id", "to_id", name="uq_matching_intro_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    from_id: Mapped[int] = mapped_column(ForeignKey("attendee.id", ondelete="CASCADE"))
    to_id: Mapped[int] = mapped_column(ForeignKey("attendee.id", ondelete="CASCADE"), index=True)
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="pending")  # accepted | declined
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    sender: Mapped[Attendee] = relationship(foreign_keys=[from_id])
    receiver: Mapped[Attendee] = relationship(foreign_keys=[to_id])


class Nudge(db.Model):
    """An attendee mailed a request to fill in their profile (once per person)."""

    __tablename__ = "matching_nudge"

    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendee.id", ondelete="CASCADE"),
                                             primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BoardPost(db.Model):
    """A short ask or offer an attendee puts on the event's board before it, for the
    others taking part in matching to answer ("I can help", "me too")."""

    __tablename__ = "matching_board_post"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendee.id", ondelete="CASCADE"),
                                             index=True)
    kind: Mapped[str] = mapped_column(String(10))  # "ask" | "offer"
    text: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    author: Mapped[Attendee] = relationship()
