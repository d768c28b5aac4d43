"""``/api/v1/events``: the events the token's host owns or co-hosts."""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from flask.views import MethodView
from marshmallow import Schema, fields, validate
from sqlalchemy import bindparam, or_, select, tuple_

from .. import events
from ..db import db
from ..i18n import LANGUAGES
from ..models import EVENT_KINDS, CoHost, Event, utcnow
from ..urls import MAX_ID, external_url
from .auth import api_blueprint, api_host, api_host_id
from .event_input import EventInSchema, NewEventSchema, check
from .paging import BAD_CURSOR, PageQuerySchema, decode_cursor, one_page, page_schema
from .problems import problem

bp = api_blueprint("Events", __name__, "Events the token's host owns or co-hosts.")
NOT_YOURS = "There is no event with this id among yours."


class PlannedSchema(Schema):
    """What an event and a series show alike."""

    id = fields.Integer(required=True)
    slug = fields.String(required=True)
    title = fields.String(required=True)
    kind = fields.String(required=True, metadata={"enum": list(EVENT_KINDS)})
    status = fields.String(required=True,
                           metadata={"enum": ["draft", "published", "cancelled"]})
    description = fields.String(required=True, metadata={"description": "Markdown"})
    timezone = fields.String(required=True)
    venue = fields.String(required=True)
    address = fields.String(required=True)
    online_url = fields.String(required=True)
    capacity = fields.Integer(allow_none=True, required=True,
                              metadata={"description": "null: no limit"})
    language = fields.String(required=True, metadata={
        "enum": list(LANGUAGES),
        "description": "The language of the event's mails, badges, calendar text and PDFs"})


class EventSchema(PlannedSchema):
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    series_id = fields.Integer(allow_none=True, required=True)
    published_at = fields.AwareDateTime(allow_none=True, required=True)
    cancelled_at = fields.AwareDateTime(allow_none=True, required=True)
    settings = fields.Dict(required=True, metadata={
        "description": "Plugins' settings by plugin name, as on the event form"})
    url = fields.Method("_url", required=True, metadata={"description": "The public page"})
    ics_url = fields.Method("_ics_url", required=True,
                            metadata={"description": "The event as a calendar file"})

    def _url(self, event: Event) -> str:
        return external_url("events.public", slug=event.slug)

    def _ics_url(self, event: Event) -> str:
        return external_url("events.event_ics", slug=event.slug)


EventPageSchema = page_schema(EventSchema)


class EventQuerySchema(PageQuerySchema):
    when = fields.String(validate=validate.OneOf(["upcoming", "past"]), metadata={
        "description": "upcoming: not yet ended; past: ended"})
    kind = fields.String(validate=validate.OneOf(list(EVENT_KINDS)))
    status = fields.String(validate=validate.OneOf(["draft", "published", "cancelled"]))
    series_id = fields.Integer(validate=validate.Range(1, MAX_ID),
                               metadata={"description": "Only the dates of this series"})


def _visible():
    """Events the token's host may see: their own and those they co-host."""
    host_id = api_host_id()
    return or_(Event.owner_id == host_id,
               Event.id.in_(select(CoHost.event_id).where(CoHost.host_id == host_id)))


_host_id = bindparam("host_id")
# Built once: every request about an event asks it.
_VISIBLE_EVENT = select(Event).where(
    Event.id == bindparam("event_id"),
    or_(Event.owner_id == _host_id,
        Event.id.in_(select(CoHost.event_id).where(CoHost.host_id == _host_id))))


def visible_event_ids():
    """The ids of the events the token's host owns or co-hosts, as a select to use in a
    query of your own (``Event.id.in_(api_event_ids())``). The same object for the same
    host, so a query built on it can be kept too."""
    return _visible_ids(api_host_id())


@lru_cache(maxsize=1024)
def _visible_ids(host_id: int):
    return select(Event.id).where(or_(
        Event.owner_id == host_id,
        Event.id.in_(select(CoHost.event_id).where(CoHost.host_id == host_id))))


def visible_event(event_id: int) -> Event | None:
    """The event if the token's host owns or co-hosts it, else None (a 404 to them)."""
    return db.session.scalars(_VISIBLE_EVENT, {"event_id": event_id,
                                               "host_id": api_host_id()}).first()


def _position(event: Event) -> list:
    return [event.starts_at.isoformat(), event.id]


def _after(cursor: str):
    try:
        starts, event_id = decode_cursor(cursor)
        if not 0 <= int(event_id) <= MAX_ID:
            return None
        return datetime.fromisoformat(starts), int(event_id)
    except (ValueError, TypeError):
        return None


@bp.route("/events")
class Events(MethodView):
    @bp.arguments(EventQuerySchema(), location="query")
    @bp.response(200, EventPageSchema)
    def get(self, args):
        """List events, soonest first, a page at a time."""
        query = select(Event).where(_visible())
        now = utcnow()
        if args.get("when") == "upcoming":
            query = query.where(Event.ends_at > now)
        elif args.get("when") == "past":
            query = query.where(Event.ends_at <= now)
        for name in ("kind", "status", "series_id"):
            if args.get(name):
                query = query.where(getattr(Event, name) == args[name])
        if args.get("cursor"):
            after = _after(args["cursor"])
            if after is None:
                return problem(400, BAD_CURSOR)
            query = query.where(tuple_(Event.starts_at, Event.id) > after)
        return one_page(query.order_by(Event.starts_at, Event.id), args["limit"], _position)

    @bp.arguments(NewEventSchema())
    @bp.response(201, EventSchema)
    @bp.alt_response(422, description="The event does not pass the event form's rules")
    def post(self, sent):
        """Create an event (a draft unless `publish`), checked like the web form."""
        values, settings, errors = check(sent, None)
        if errors:
            return _invalid(errors)
        return events.create(api_host(), values, settings, publish=sent["publish"])


def _invalid(errors: dict):
    first = next(iter(errors.items()))
    return problem(422, f"{first[0]}: {first[1][0]}", errors={"json": errors})


@bp.route("/events/<int:event_id>")
class OneEvent(MethodView):
    @bp.response(200, EventSchema)
    def get(self, event_id: int):
        """One event."""
        event = visible_event(event_id)
        if event is None:
            return problem(404, NOT_YOURS)
        return event


    @bp.arguments(EventInSchema())
    @bp.response(200, EventSchema)
    @bp.alt_response(409, description="The event is cancelled")
    @bp.alt_response(422, description="The change does not pass the event form's rules")
    def patch(self, sent, event_id: int):
        """Change an event: send only what changes. Guests are told as from the web."""
        event = visible_event(event_id)
        if event is None:
            return problem(404, NOT_YOURS)
        if event.status == "cancelled":
            return problem(409, "A cancelled event cannot be changed.")
        values, settings, errors = check(sent, event)
        if errors:
            return _invalid(errors)
        events.update(event, values, settings)
        return event


@bp.route("/events/<int:event_id>/cancel")
class Cancel(MethodView):
    @bp.response(200, EventSchema)
    @bp.alt_response(409, description="The event is already cancelled")
    def post(self, event_id: int):
        """Cancel an event: its page, calendars and guests are told, as from the web."""
        event = visible_event(event_id)
        if event is None:
            return problem(404, NOT_YOURS)
        if not events.cancel(event):
            return problem(409, "This event is already cancelled.")
        return event


@bp.route("/events/<int:event_id>/publish")
class Publish(MethodView):
    @bp.response(200, EventSchema)
    @bp.alt_response(409, description="The event is not a draft")
    def post(self, event_id: int):
        """Publish a draft: its page goes public and its guests are told, as from the web."""
        event = visible_event(event_id)
        if event is None:
            return problem(404, NOT_YOURS)
        if not events.publish(event):
            return problem(409, f"This event is {event.status}, not a draft: there is "
                                "nothing to publish.")
        return event
