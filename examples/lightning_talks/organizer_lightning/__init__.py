"""Lightning-talk sign-up: a panel on the event page and a slot count in the event form."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from markupsafe import Markup
from sqlalchemy import ForeignKey, String, func, select
from sqlalchemy.orm import Mapped, mapped_column
from wtforms import Form, IntegerField, StringField
from wtforms.validators import InputRequired, NumberRange, Optional

from organizer.plugin_api import Event, Link, SettingsSection, commit, db, hookimpl


NAME = "lightning"
DEFAULT_SLOTS = 5


class LightningTalk(db.Model):
    """One proposed talk. Plugin tables carry the plugin's name as a prefix."""

    __tablename__ = "lightning_talk"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    speaker: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(200))


bp = Blueprint("lightning", __name__, template_folder="templates")


def slots(event: Event) -> int:
    return int(event.plugin_settings(NAME).get("slots") or DEFAULT_SLOTS)


def talks(event: Event) -> list[LightningTalk]:
    return list(db.session.scalars(select(LightningTalk).where(
        LightningTalk.event_id == event.id).order_by(LightningTalk.id)))


def _one_line(limit: int):
    return lambda value: " ".join((value or "").split())[:limit]


class ProposalForm(Form):
    """A talk proposed from the event page."""

    speaker = StringField(filters=[_one_line(120)], validators=[InputRequired()])
    title = StringField(filters=[_one_line(200)], validators=[InputRequired()])


@bp.route("/e/<slug>/lightning-talks", methods=["POST"])
def propose(slug: str):
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None or event.status != "published":
        abort(404)
    form = ProposalForm(request.form)
    speaker, title = form.speaker.data, form.title.data
    taken = db.session.scalar(select(func.count()).where(LightningTalk.event_id == event.id))
    if not form.validate():
        flash("Give your name and your talk's title.", "error")
    elif taken >= slots(event):
        flash("All lightning-talk slots are taken.", "error")
    else:
        db.session.add(LightningTalk(event_id=event.id, speaker=speaker, title=title))
        commit()
        flash(f"Thanks, {speaker}! Your talk is on the list.", "success")
    return redirect(url_for("events.public", slug=slug))


@hookimpl
def register_blueprints(app):
    app.register_blueprint(bp)


@hookimpl
def migration_folders():
    return Path(__file__).parent / "migrations"


@hookimpl
def event_page_panels(event, viewer):
    if event.status != "published":
        return None
    return Markup(render_template("lightning/panel.html", event=event, talks=talks(event),
                                  slots=slots(event)))


class TalkSettings(Form):
    """The lightning talks' part of the event form."""

    slots = IntegerField("Talk slots", default=DEFAULT_SLOTS,
                         validators=[Optional(), NumberRange(0, 30, "Between 0 and 30.")],
                         description="Five-minute talks attendees can propose on the event page.")


@hookimpl
def event_form_sections(event):
    return SettingsSection(NAME, "Lightning talks", TalkSettings)


@hookimpl
def host_event_actions(event):
    return Link(f"Lightning talks ({len(talks(event))}/{slots(event)})",
                url_for("events.public", slug=event.slug) + "#lightning-talks")
