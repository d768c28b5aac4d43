"""The matching plugin's hooks: its pages, tables, a panel on the attendee's page, a link for hosts."""
from __future__ import annotations

from pathlib import Path

from flask import url_for
from markupsafe import Markup


from organizer.plugin_api import (Attendee, AttendeeStatus, Link, Panel, db, gettext as _,
                                  hookimpl, utcnow)

# intros registers its mail renderers when imported (nudges, through views_host).
from . import api as matching_api
from . import for_followup, intros, personal_data, views_attendee, views_host  # noqa: F401


@hookimpl
def register_api(api):
    api.register_blueprint(matching_api.bp)


@hookimpl
def webhook_types():
    return {"matching.published": _("The host published the matches: who meets whom, round "
                                     "by round.")}


@hookimpl
def register_blueprints(app):
    app.register_blueprint(views_attendee.bp)
    app.register_blueprint(views_host.bp)


@hookimpl
def migration_folders():
    return Path(__file__).parent / "migrations"


@hookimpl
def translation_directories():
    return Path(__file__).parent / "translations"


@hookimpl
def attendee_data(attendees, whole):
    return personal_data.data(attendees, whole)


@hookimpl
def forget_attendees(attendees, whole):
    personal_data.forget(attendees, whole)


@hookimpl
def attendee_page_panels(attendee):
    if attendee.status not in (AttendeeStatus.GOING, AttendeeStatus.WAITING,
                               AttendeeStatus.PENDING):
        return None
    over = attendee.event.ends_at <= utcnow()
    if over and attendee.status != AttendeeStatus.GOING:
        return None
    found = [Panel(_("People you met") if over else _("People to meet"),
                   Markup(views_attendee.panel(attendee)), anchor="matching",
                   order=20 if over else 50)]
    if not over and attendee.status == AttendeeStatus.GOING:
        found.append(Panel(_("Asks and offers"), Markup(views_attendee.board_panel(attendee)),
                           anchor="board", order=55))
    return found


@hookimpl
def host_event_actions(event):
    return Link(_("Matching"), url_for("matching_host.page", event_id=event.id))


@hookimpl(optionalhook=True)  # the follow-up plugin's hook: it may be blocked
def followup_people(attendee):
    return for_followup.people(attendee)


@hookimpl(optionalhook=True)
def followup_people_of(attendees):
    return for_followup.people_of(attendees)


@hookimpl(optionalhook=True)
def followup_connections(event_ids):
    return for_followup.connections(event_ids)


@hookimpl(optionalhook=True)
def followup_report(event):
    return for_followup.report(event)


@hookimpl
def demo_data(app, host, events):
    """Profiles for the meetup's guests, so the host can run matching at once."""
    import random

    from sqlalchemy import select


    from .models import Profile
    from .profiles import COMMON_INTERESTS, COMMON_SKILLS, FIELDS

    chance = random.Random(12)  # the same demo every time
    meetup = events["meetup"]
    guests = db.session.scalars(select(Attendee).where(
        Attendee.event_id == meetup.id, Attendee.status == AttendeeStatus.GOING)
        .order_by(Attendee.id))
    for guest in guests:
        db.session.add(Profile(
            attendee_id=guest.id, event_id=meetup.id,
            interests=chance.sample(COMMON_INTERESTS[:12], 3),
            field=chance.choice(FIELDS), offers=chance.sample(COMMON_SKILLS, 2),
            seeks=chance.sample(COMMON_SKILLS, 2), languages=["english"], links=[],
            share=["organisation", "offers", "seeks", "interests"]
            + (["email"] if chance.random() < 0.6 else []),
            opted_out=False))
    db.session.commit()
