"""``/api/v1/events/{event_id}/attendees``: an event's guest list, a page at a time."""
from __future__ import annotations

import json
from datetime import datetime

from flask import current_app
from flask.views import MethodView
from marshmallow import Schema, fields, validate
from sqlalchemy import bindparam, select

from ..db import db
from ..models import ATTENDEE_STATUSES, Attendee, Event
from ..plugins import hook
from ..urls import MAX_ID
from .auth import api_blueprint
from .events import NOT_YOURS, visible_event
from .paging import BAD_CURSOR, PageQuerySchema, decode_cursor, encode_cursor, page_schema
from .problems import problem

bp = api_blueprint("Guests", __name__, "The guest lists of the token's events.")


class AttendeeSchema(Schema):
    id = fields.Integer(required=True)
    event_id = fields.Integer(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True)
    organisation = fields.String(required=True)
    role = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": list(ATTENDEE_STATUSES)})
    guests = fields.Integer(required=True, metadata={"description": "1 for a +1"})
    checked_in_at = fields.AwareDateTime(allow_none=True, required=True)
    listed = fields.Boolean(required=True, metadata={
        "description": "They chose to appear by name under “Who's going” on the event page"})
    created_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)
    plugins = fields.Method("_plugins", required=True, metadata={
        "description": "Plugins' fields, by plugin name (the RSVP form's answers, ...)"})

    def _plugins(self, attendee: Attendee) -> dict:
        return plugin_fields(attendee.event_id, [attendee.id]).get(attendee.id, {})


AttendeePageSchema = page_schema(AttendeeSchema)
_COLUMNS = [Attendee.__table__.c[name] for name in AttendeeSchema._declared_fields
            if name != "plugins"]


def plugin_fields(event_id: int, attendee_ids: list[int]) -> dict[int, dict]:
    """Each guest's plugins' fields: attendee id → {plugin name: {field: value}}."""
    found: dict[int, dict] = {}
    if not attendee_ids:
        return found
    caller = hook().api_attendee_fields
    implementations = caller.get_hookimpls()
    if not implementations:
        return found
    event = db.session.get(Event, event_id)
    for implementation in implementations:
        values = implementation.function(event=event, attendee_ids=attendee_ids) or {}
        for attendee_id, fields_of in values.items():
            found.setdefault(attendee_id, {})[implementation.plugin_name] = fields_of
    return found


_KEYS = [column.key for column in _COLUMNS]


def as_json(row) -> dict:
    """A guest row (of ``_COLUMNS``) as ``AttendeeSchema`` writes it."""
    return {key: value.isoformat() if isinstance(value, datetime) else value
            for key, value in zip(_KEYS, row)}


class AttendeeQuerySchema(PageQuerySchema):

    status = fields.String(validate=validate.OneOf(list(ATTENDEE_STATUSES)))
    checked_in = fields.Boolean(metadata={"description": "true: arrived; false: not yet"})
    updated_since = fields.AwareDateTime(metadata={
        "description": "Only guests changed at or after this time (with its UTC offset)"})
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))


# A page of an event's guests after an id; filters are added to it. Built once.
_PAGE = (select(*_COLUMNS)
         .where(Attendee.event_id == bindparam("event_id"), Attendee.id > bindparam("after"))
         .order_by(Attendee.id).limit(bindparam("limit")))


@bp.route("/events/<int:event_id>/attendees")
class Attendees(MethodView):
    @bp.arguments(AttendeeQuerySchema(), location="query")
    @bp.response(200, AttendeePageSchema)
    def get(self, args, event_id: int):
        """List an event's guests in the order they joined."""
        event = visible_event(event_id)
        if event is None:
            return problem(404, NOT_YOURS)
        query, after = _PAGE, 0
        if args.get("status"):
            query = query.where(Attendee.status == args["status"])
        if "checked_in" in args:
            arrived = Attendee.checked_in_at.is_not(None)
            query = query.where(arrived if args["checked_in"] else ~arrived)
        if args.get("updated_since"):
            query = query.where(Attendee.updated_at >= args["updated_since"])
        if args.get("cursor"):
            after = decode_cursor(args["cursor"])
            if not isinstance(after, int) or not 0 <= after <= MAX_ID:
                return problem(400, BAD_CURSOR)
        rows = db.session.connection().execute(query, {
            "event_id": event.id, "after": after, "limit": args["limit"] + 1}).all()
        items = [as_json(row) for row in rows[:args["limit"]]]
        extra = plugin_fields(event.id, [item["id"] for item in items])
        for item in items:
            item["plugins"] = extra.get(item["id"], {})
        page = {"items": items, "next_cursor": encode_cursor(items[-1]["id"])
                if len(rows) > args["limit"] else None}
        # Rows straight to JSON: a page of 200 through the ORM and marshmallow costs
        # several times the query. as_json matches AttendeeSchema (a test holds them equal).
        return current_app.response_class(json.dumps(page, separators=(",", ":")),
                                          mimetype="application/json")


@bp.route("/events/<int:event_id>/attendees/<int:attendee_id>")
class OneAttendee(MethodView):
    @bp.response(200, AttendeeSchema)
    def get(self, event_id: int, attendee_id: int):
        """One guest of the event."""
        event = visible_event(event_id)
        attendee = db.session.get(Attendee, attendee_id) if event is not None else None
        if attendee is None or attendee.event_id != event.id:
            return problem(404, "There is no guest with this id on this event's list.")
        return attendee
