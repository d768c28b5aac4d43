"""A plugin that implements every hook, so each hook's call can be tested."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Blueprint
from markupsafe import Markup, escape
from wtforms import BooleanField, Form, IntegerField, SelectChoice, SelectField
from wtforms.validators import NumberRange, Optional

from organizer.plugin_api import Action, Attachment, Link, Panel, SettingsSection, hookimpl

from . import own_hooks


class EverySettings(Form):
    talks = IntegerField("Lightning talks", default=3, description="How many talk slots.",
                         validators=[Optional(), NumberRange(0, 10, "between 0 and 10 slots.")])
    open = BooleanField("Open sign-up", default=True)
    track = SelectField("Track", choices=[SelectChoice("main", "Main room"),
                                          SelectChoice("side", "Side room")], default="main")


class EveryHook:
    """Records every call; answers with something a test can see."""

    def __init__(self):
        self.calls: list[tuple[str, dict]] = []

    def _record(self, name, **kwargs):
        self.calls.append((name, kwargs))

    def called(self, name):
        return [kwargs for hook, kwargs in self.calls if hook == name]

    @hookimpl
    def register_blueprints(self, app):
        bp = Blueprint("everyhook", __name__, template_folder="templates")

        @bp.route("/everyhook/hello")
        def hello():
            return "hello from a plugin"

        app.register_blueprint(bp)

    @hookimpl
    def register_commands(self, cli):
        @cli.command("everyhook-greet")
        @click.argument("name")
        def greet(name):
            """Say hello."""
            click.echo(f"Hello, {name}!")

    @hookimpl
    def add_hookspecs(self, pm):
        pm.add_hookspecs(own_hooks)

    @hookimpl
    def migration_folders(self):
        return [Path(__file__).parent / "migrations"]

    @hookimpl
    def demo_data(self, app, host, events):
        self._record("demo_data", host=host, events=events)

    @hookimpl
    def event_page_panels(self, event, viewer):
        # User text is escaped: the title may contain anything.
        return Markup(f"<p class='everyhook'>Panel for {escape(event.title)}</p>")

    @hookimpl
    def host_event_actions(self, event):
        return [Link("Print everyhook badges", f"/everyhook/{event.id}")]

    @hookimpl
    def event_form_sections(self, event):
        return SettingsSection("everyhook", "Everyhook settings", EverySettings)

    @hookimpl
    def ics_event(self, event, vevent, attendee):
        vevent.add("x-everyhook", f"seen {event.id}")

    @hookimpl
    def mail_attachments(self, message_kind, attendee):
        return Attachment("everyhook.txt", message_kind.encode(), "text/plain")

    @hookimpl
    def event_published(self, event):
        self._record("event_published", event=event)

    @hookimpl
    def event_updated(self, event, changes):
        self._record("event_updated", event=event, changes=changes)

    @hookimpl
    def event_cancelled(self, event):
        self._record("event_cancelled", event=event)

    @hookimpl
    def event_ended(self, event):
        self._record("event_ended", event=event)

    @hookimpl
    def attendee_registered(self, attendee):
        self._record("attendee_registered", attendee=attendee)

    @hookimpl
    def attendee_status_changed(self, attendee, old_status):
        self._record("attendee_status_changed", attendee=attendee, old_status=old_status)

    @hookimpl
    def attendee_checked_in(self, attendee):
        self._record("attendee_checked_in", attendee=attendee)

    @hookimpl
    def attendee_check_in_undone(self, attendee):
        self._record("attendee_check_in_undone", attendee=attendee)

    @hookimpl
    def attendee_page_panels(self, attendee):
        self._record("attendee_page_panels", attendee=attendee)
        return Panel("Everyhook for you", Markup(f"<p>Hello {escape(attendee.name)}</p>"),
                     order=1)

    @hookimpl
    def attendee_page_actions(self, attendee):
        return Action("Everyhook extras", f"/everyhook/mine/{attendee.id}")

    @hookimpl
    def due_work(self, now):
        self._record("due_work", now=now)
        return 2


class Listener:
    """Implements the fixture plugin's own hook."""

    @hookimpl
    def everyhook_greeted(self, name):
        return f"listener heard {name}"
