"""Sending follow-ups (queued once per person, whatever runs twice) and the bulk ZIP for the host."""
from __future__ import annotations

import logging
import zipfile

from flask import render_template
from sqlalchemy import select

from organizer.plugin_api import (Attachment, Attendee, Event, JobContext, Message, Skip,
                                  card_url, db, external_url, format_number, gettext as _,
                                  in_language, job_failure, lazy_gettext as _l, locked,
                                  mail_renderer, mail_states, queue_mails, register_job,
                                  send_webhook, utcnow, write)

from . import content, documents, people
from .models import Delivery, Person, Preference, Settings

log = logging.getLogger(__name__)


def opted_out(event: Event) -> set[int]:
    return set(db.session.scalars(select(Preference.attendee_id)
                                  .join(Attendee, Attendee.id == Preference.attendee_id)
                                  .where(Attendee.event_id == event.id,
                                         Preference.opted_out.is_(True))))


KIND = "followup.personal"


def queue_all(event: Event) -> int:
    """Inside the caller's transaction: queue a follow-up for each recipient who has none.

    The delivery row (its primary key is the person) and the mail are stored
    together, so nobody gets two however often sending is started, and a
    send that dies on the way loses nothing. Returns how many were queued.
    """
    # The event's row is locked first: the host's button and the event's end
    # at the same moment queue one after the other, not both.
    db.session.execute(locked(select(Event.id).where(Event.id == event.id)))
    settings = content.settings_of(event)
    people = content.recipients(event, settings)
    have = set(db.session.scalars(select(Delivery.attendee_id).where(
        Delivery.event_id == event.id)))
    skip = opted_out(event)
    fresh = [p for p in people if p.id not in have and p.id not in skip]
    with in_language(event.language):
        subject = _("Your follow-up from %(event)s", event=event.title)
    ids = queue_mails(KIND, [
        {"to": p.email, "params": {"attendee_id": p.id}, "event_id": event.id,
         "attendee_id": p.id, "subject": subject} for p in fresh])
    for person, message_id in zip(fresh, ids):
        db.session.add(Delivery(attendee_id=person.id, event_id=event.id,
                                message_id=message_id))
    if fresh:
        send_webhook("followup.sent", event, {
            "event_id": event.id, "attendee_ids": [p.id for p in fresh]})
    return len(fresh)


@mail_renderer(KIND, title=_l("Follow-ups"))
def render(params: dict) -> Message:
    """A person's follow-up with its PDF and plan, built when it is delivered."""
    person = db.session.get(Attendee, params["attendee_id"])
    if person is None:
        raise Skip(_("They are no longer on the guest list."))
    if db.session.scalar(select(Preference.opted_out).where(
            Preference.attendee_id == person.id)):
        raise Skip(_("They asked for no follow-up mail."))
    if person.event.status != "published":
        raise Skip(_("The event was cancelled."))
    return message(content.build(person))


def follow_through(followup: content.Followup) -> dict:
    """The one-click links of a follow-up mail: for each person met, "I reached out" and
    "remind me in two weeks"; the person's network; "nudge me" unless they asked already."""
    guest = followup.attendee
    others = {}
    for other in followup.people:
        met = db.session.get(Attendee, other["attendee_id"])
        others[other["attendee_id"]] = {"reached": people.action_url(guest, "reached", met),
                                        "remind": people.action_url(guest, "remind14", met)}
    wants = db.session.scalar(select(Person.nudges).where(Person.email == guest.email))
    return {"others": others, "network": people.network_url(guest),
            "nudges": None if wants or not followup.people
            else people.action_url(guest, "nudges")}


def message(followup: content.Followup) -> Message:
    """The follow-up mail with its PDF and plan attached, in the event's language."""
    person, event = followup.attendee, followup.event
    link = external_url("attendee.page", token=person.token)
    links = follow_through(followup)
    with in_language(event.language):
        text = render_template("followup/mail/followup.txt", f=followup, link=link, links=links)
        html = render_template("followup/mail/followup.html", f=followup, link=link,
                               links=links, card=card_url(event))
        subject = _("Your follow-up from %(event)s", event=event.title)
    return Message(
        to=person.email, subject=subject, text=text, html=html,
        reply_to=event.owner.email,
        attachments=[
            Attachment("followup.pdf", documents.personal_pdf(followup), "application/pdf"),
            Attachment("followup-plan.ics", documents.plan(followup), "text/calendar")])


def states(event: Event) -> dict[int, tuple[str, str]]:
    """Each queued person's follow-up: attendee id → (delivery status, why it failed)."""
    deliveries = dict(db.session.execute(select(Delivery.attendee_id, Delivery.message_id)
                                         .where(Delivery.event_id == event.id)).all())
    found = mail_states(list(deliveries.values()))
    return {attendee_id: found.get(message_id, ("sent", ""))
            for attendee_id, message_id in deliveries.items()}


@register_job("followup.zip", title=_l("All follow-up PDFs"))
def zip_all(ctx: JobContext, event_id: int) -> dict:
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
                failed.append(f"{person.name}: {job_failure(exc)}"[:300])
            else:
                safe = "".join(ch if ch.isalnum() else "-" for ch in person.name)[:60]
                archive.writestr(f"{done:04d}-{safe}.pdf", data)
            ctx.progress(done, message=_("PDFs, %(count)s failed", count=format_number(
                len(failed))) if failed else "PDFs")
        if failed:
            archive.writestr("FAILED.txt", "\n".join(failed) + "\n")
    return {"file": str(path), "failed": failed}


def close(event: Event) -> int:
    """Close the event for follow-up and queue everyone's who has not had one; return how
    many were queued."""
    with write():
        close_in_transaction(event)
        return queue_all(event)


def close_in_transaction(event: Event) -> None:
    """Mark the event closed for follow-up (the first time), in the caller's transaction."""
    settings = db.session.get(Settings, event.id)
    if settings is None:
        settings = content.settings_of(event)
        db.session.add(settings)
    settings.closed_at = settings.closed_at or utcnow()
