"""Sending follow-ups (once per person, whatever runs twice) and the bulk ZIP for the host."""
from __future__ import annotations

import logging
import zipfile
from datetime import timedelta

from flask import render_template
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from organizer import jobs, mail
from organizer.db import db, immediate
from organizer.models import Attendee, Event, utcnow
from organizer.urls import external_url

from . import content, documents
from .models import Delivery, Preference, Settings

log = logging.getLogger(__name__)


def opted_out(event: Event) -> set[int]:
    return set(db.session.scalars(select(Preference.attendee_id)
                                  .join(Attendee, Attendee.id == Preference.attendee_id)
                                  .where(Attendee.event_id == event.id,
                                         Preference.opted_out.is_(True))))


# A claim this old without its mail marked sent belongs to a sender that
# died on the way (a restart mid-send): the person may be claimed again.
ABANDONED_AFTER = timedelta(minutes=15)


def _claim(person: Attendee) -> bool:
    """Record the delivery first; only the caller whose claim was stored sends the mail.

    Nobody who has opted out is claimed, even if they did so while a long
    send was under way. A claim whose sender died before the mail went out
    is taken over once it is old enough.
    """
    now = utcnow()
    try:
        with immediate():
            if db.session.scalar(select(Preference.opted_out).where(
                    Preference.attendee_id == person.id)):
                return False
            found = db.session.get(Delivery, person.id)
            if found is None:
                db.session.add(Delivery(attendee_id=person.id, event_id=person.event_id,
                                        claimed_at=now))
                return True
            if found.sent_at is not None or found.claimed_at > now - ABANDONED_AFTER:
                return False
            found.claimed_at = now
            return True
    except IntegrityError:  # another sender stored it a moment earlier
        db.session.rollback()
        return False


def _sent(person: Attendee) -> None:
    with immediate():
        db.session.execute(update(Delivery).where(Delivery.attendee_id == person.id)
                           .values(sent_at=utcnow()))


def _unclaim(person: Attendee) -> None:
    with immediate():
        found = db.session.get(Delivery, person.id)
        if found is not None and found.sent_at is None:
            db.session.delete(found)


def message(followup: content.Followup) -> mail.Message:
    """The follow-up mail with its PDF and plan attached."""
    person, event = followup.attendee, followup.event
    text = render_template("followup/mail/followup.txt", f=followup,
                           link=external_url("rsvp.mine", token=person.token))
    return mail.Message(
        to=person.email, subject=f"Your follow-up from {event.title}", text=text,
        reply_to=event.owner.email,
        attachments=[
            mail.Attachment("followup.pdf", documents.personal_pdf(followup), "application/pdf"),
            mail.Attachment("followup-plan.ics", documents.plan(followup), "text/calendar")])


@jobs.register("followup.send", title="Follow-up mails")
def send_all(ctx: jobs.JobContext, event_id: int) -> dict:
    """Mail each recipient their follow-up; a failure for one is reported, the rest go on."""
    event = db.session.get(Event, event_id)
    settings = content.settings_of(event)
    people = content.recipients(event, settings)
    skip = opted_out(event)
    ctx.progress(0, total=len(people), message="follow-ups")
    sent, failed = 0, []
    for done, person in enumerate(people, start=1):
        if person.id not in skip and _claim(person):
            try:
                mail.send(message(content.build(person, settings)))
            except Exception as exc:  # one bad address or PDF must not stop the rest
                log.exception("follow-up for attendee %s failed", person.id)
                db.session.rollback()
                _unclaim(person)  # a later send tries again
                failed.append(f"{person.name}: {exc}"[:300])
            else:
                _sent(person)
                sent += 1
        ctx.progress(done, message="follow-ups" + (f", {len(failed)} failed" if failed else ""))
    return {"sent": sent, "failed": failed, "opted_out": len(skip)}


@jobs.register("followup.zip", title="All follow-up PDFs")
def zip_all(ctx: jobs.JobContext, event_id: int) -> dict:
    """Every recipient's PDF in one ZIP; failures are listed in the ZIP and on the job page."""
    event = db.session.get(Event, event_id)
    settings = content.settings_of(event)
    people = content.recipients(event, settings)
    ctx.progress(0, total=len(people), message="PDFs")
    path = ctx.output_path(f"followups-{event.slug}.zip")
    failed = []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for done, person in enumerate(people, start=1):
            try:
                data = documents.personal_pdf(content.build(person, settings))
            except Exception as exc:
                log.exception("follow-up PDF for attendee %s failed", person.id)
                db.session.rollback()
                failed.append(f"{person.name}: {exc}"[:300])
            else:
                safe = "".join(ch if ch.isalnum() else "-" for ch in person.name)[:60]
                archive.writestr(f"{done:04d}-{safe}.pdf", data)
            ctx.progress(done, message="PDFs" + (f", {len(failed)} failed" if failed else ""))
        if failed:
            archive.writestr("FAILED.txt", "\n".join(failed) + "\n")
    return {"file": str(path), "failed": failed}


def close(event: Event, owner=None, again: bool = False):
    """Close the event for follow-up and start sending; None if it was closed already
    (unless ``again``: then sending starts anyway, for whoever has not had theirs)."""
    with immediate():
        settings = db.session.get(Settings, event.id)
        if settings is None:
            settings = content.settings_of(event)
            db.session.add(settings)
        if settings.closed_at is not None and not again:
            return None
        settings.closed_at = settings.closed_at or utcnow()
    return jobs.submit("followup.send", {"event_id": event.id}, owner=owner, event=event)
