"""With any built-in plugin blocked (each in turn, then all four), every page of the others
still works for the host and for attendees: no 5xx, no link or form that leads nowhere."""
from __future__ import annotations

import re

import pytest
from markupsafe import Markup
from sqlalchemy import select

from organizer.db import db
from organizer.demo import DEMO_EMAIL, DEMO_PASSWORD
from organizer.models import Attendee, Event
from organizer.plugin_api import Panel, hookimpl

from .conftest import signin
from .walker import send_forms, walk

BUILT_IN = ["rsvp", "badges", "matching", "followup"]

# Pages that belong to one plugin, so the walk can show it reached them (or did not).
PLUGIN_PAGES = {
    "rsvp": re.compile(r"^/events/\d+/guests$"),
    "badges": re.compile(r"^/events/\d+/stations$"),
    "matching": re.compile(r"^/events/\d+/matching$"),
    "followup": re.compile(r"^/events/\d+/followup$"),
}

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _every_table_afterwards(pg_schema_restored):
    """The demo resets the database with only the running plugins' tables."""


def _pattern(path: str) -> str:
    """Pages of one kind share a pattern: ids and secrets left out, query keys kept."""
    path, _, query = path.partition("?")
    path = re.sub(r"^/([esh])/[^/.]+", r"/\1/S", path)  # an event's, series' or host's page
    path = re.sub(r"/[A-Za-z0-9_-]{20,}", "/T", re.sub(r"\d+", "N", path))
    keys = sorted(part.split("=")[0] for part in query.split("&") if part)
    return path + ("?" + "&".join(keys) if keys else "")


def _few_of_each_kind(limit: int = 2):
    counts: dict[str, int] = {}

    def skip(path: str) -> bool:
        kind = _pattern(path)
        counts[kind] = counts.get(kind, 0) + 1
        return counts[kind] > limit
    return skip


def _people(app) -> list[str]:
    """Tokens of attendees in each situation: going, waiting, cancelled, at a past event."""
    with app.app_context():
        tokens = []
        meetup = db.session.scalar(select(Event).where(Event.title.like("Climate Tech%")))
        for status in ("going", "waiting", "cancelled", "pending"):
            found = db.session.scalar(select(Attendee).where(
                Attendee.event_id == meetup.id, Attendee.status == status).limit(1))
            if found is not None:
                tokens.append(found.token)
        past = db.session.scalar(select(Attendee).join(Event).where(
            Event.ends_at < db.func.now(), Attendee.status == "going").limit(1))
        if past is not None:
            tokens.append(past.token)
        return tokens


def _walk_everything(app) -> tuple[list[str], set[str]]:
    """The host's and the attendees' walks, their forms sent, then the walks again."""
    host = app.test_client()
    assert signin(host, DEMO_EMAIL, DEMO_PASSWORD).status_code == 302
    people = {token: app.test_client() for token in _people(app)}
    assert people, "the demo has attendees"
    problems, visited = [], set()

    def walk_all():
        found = walk(host, ["/dashboard", "/"], skip=_few_of_each_kind())
        problems.extend(found.problems)
        visited.update(found.statuses)
        forms = [(host, found.forms)]
        for token, client in people.items():
            mine = walk(client, [f"/rsvp/{token}"], skip=_few_of_each_kind())
            problems.extend(mine.problems)
            visited.update(mine.statuses)
            forms.append((client, mine.forms))
        return forms

    for client, forms in walk_all():
        problems.extend(send_forms(client, forms, skip=lambda action: action == "/signout"))
    walk_all()
    return problems, visited


@pytest.mark.parametrize("blocked", [[], *([name] for name in BUILT_IN), BUILT_IN],
                         ids=["none", *BUILT_IN, "all-four"])
def test_every_page_works_with_plugins_blocked(app_factory, blocked):
    app = app_factory(BLOCKED_PLUGINS=blocked)
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["demo", "--yes"])
        assert result.exit_code == 0, result.output
    problems, visited = _walk_everything(app)
    assert not problems, "\n".join(problems)
    for name, page in PLUGIN_PAGES.items():
        reached = any(page.match(path) for path in visited)
        # The walk reaches each plugin that runs (so it would see its failures), and
        # nothing links to the pages of one that is blocked.
        assert reached == (name not in blocked), (name, blocked)


class DeadLink:
    """A plugin with a mistake the walk must catch: a panel linking to no page."""

    @hookimpl
    def attendee_page_panels(self, attendee):
        return Panel("Broken", Markup('<a href="/rsvp/nowhere/at-all">a page that is not there</a>'))


def test_control_the_walk_reports_a_dead_link(app_factory):
    app = app_factory(EXTRA_PLUGINS=[("deadlink", DeadLink())], BLOCKED_PLUGINS=BUILT_IN)
    with app.app_context():
        assert app.test_cli_runner().invoke(args=["demo", "--yes"]).exit_code == 0
    problems, _ = _walk_everything(app)
    assert any("/rsvp/nowhere/at-all → 404" in problem for problem in problems), problems
