"""A host deletes their account: every event they own, with its guests and everything
plugins keep about them, their series, pictures and job files, then the account.

It runs as a background job, twenty events to a transaction, so a host with a
thousand events watches it go and a worker killed midway leaves a smaller
account that the job, started again, finishes. Guests who are on other hosts'
lists keep those; everything else about them goes (``forget_attendees``).
"""
from __future__ import annotations

import shutil
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, func, select, update

from . import jobs
from .db import db, write
from .i18n import gettext as _, lazy_gettext as _l
from .models import Attendee, Erasure, Event, Host, Job, OutboxMessage, Picture, Series
from .plugins import hook
from .privacy import ERASED_DOMAIN

KIND = "host.delete"
BATCH = 20  # events per transaction


def start(host: Host) -> Job:
    """Queue the deletion of ``host``'s account and return its job."""
    return jobs.submit(KIND, {"host_id": host.id}, owner=host)


def _drop_job_files(event_ids: list[int]) -> None:
    folder = Path(current_app.instance_path) / "jobs"
    for job_id in db.session.scalars(select(Job.id).where(Job.event_id.in_(event_ids))):
        shutil.rmtree(folder / str(job_id), ignore_errors=True)


def _delete_events(host_id: int, event_ids: list[int]) -> int:
    """Inside a write: delete these events of the host, their guests and what plugins
    keep about them; returns how many guest-list rows went."""
    guests = list(db.session.scalars(select(Attendee).where(Attendee.event_id.in_(event_ids))))
    if guests:
        hook().forget_attendees(attendees=guests, whole=False)
    covers = [c for c in db.session.scalars(select(Event.cover_id).where(
        Event.id.in_(event_ids))) if c is not None]
    _drop_job_files(event_ids)
    # Guest lists, tickets, matches, outbox rows… go with their event (ON DELETE CASCADE).
    db.session.execute(delete(Event).where(Event.id.in_(event_ids), Event.owner_id == host_id))
    if covers:
        db.session.execute(delete(Picture).where(Picture.id.in_(covers)))
    return len(guests)


def _events_of(host_id: int, limit: int | None = None) -> list[int]:
    query = select(Event.id).where(Event.owner_id == host_id).order_by(Event.id)
    return list(db.session.scalars(query.limit(limit) if limit else query))


@jobs.register(KIND, title=_l("Deleting an account"))
def delete_host(ctx, host_id: int) -> dict:
    """The job: the host's events a batch at a time, then the account itself."""
    total = db.session.scalar(select(func.count()).select_from(Event)
                              .where(Event.owner_id == host_id)) or 0
    ctx.progress(0, total=total)
    done = guests = 0
    while batch := _events_of(host_id, BATCH):
        with write():
            guests += _delete_events(host_id, batch)
        done += len(batch)
        ctx.progress(done, total=max(total, done))
    with write():
        host = db.session.get(Host, host_id)
        if host is None:  # deleted by an earlier run of this job
            return {"events": done, "guests": guests}
        # Dates a series added meanwhile, or an event made in another tab: under the
        # lock now, so nothing new can come.
        late = _events_of(host_id)
        if late:
            guests += _delete_events(host_id, late)
            done += len(late)
        mail = OutboxMessage.recipient == host.email
        db.session.execute(update(OutboxMessage).where(
            mail, OutboxMessage.status.in_(("queued", "sending")))
            .values(status="dropped", claim=None, last_error=_("The account was deleted.")))
        db.session.execute(update(OutboxMessage).where(mail).values(
            recipient=f"erased@{ERASED_DOMAIN}", subject="", params={}, payload=None))
        photo = host.photo_id
        db.session.execute(delete(Series).where(Series.owner_id == host_id))
        db.session.execute(delete(Host).where(Host.id == host_id))
        if photo is not None:
            db.session.execute(delete(Picture).where(Picture.id == photo))
        db.session.add(Erasure(by="account", host_id=None, attendees=guests, events=done))
    ctx.progress(done, total=done)
    return {"events": done, "guests": guests}


def running(host: Host) -> Job | None:
    """The deletion of ``host``'s account under way, if one is."""
    return db.session.scalar(select(Job).where(
        Job.kind == KIND, Job.owner_id == host.id, Job.status.in_(("queued", "running")))
        .order_by(Job.id.desc()).limit(1))
