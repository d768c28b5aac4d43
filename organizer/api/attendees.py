"""``/api/v1/events/{event_id}/attendees``: an event's guest list, a page at a time."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from ..db import db
from ..models import ATTENDEE_STATUSES, Attendee
from .auth import authenticate_request
from .events import visible_event
from .paging import decode_cursor, encode_cursor
from .problems import problem

bp = Blueprint("api_attendees", __name__, description="The guest lists of the token's events.")
bp.before_request(authenticate_request)

MAX_PAGE = 200


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
    created_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)


class AttendeePageSchema(Schema):
    items = fields.List(fields.Nested(AttendeeSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True, metadata={
        "description": "Pass as `cursor` for the next page; null on the last page"})


class AttendeeQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(list(ATTENDEE_STATUSES)))
    checked_in = fields.Boolean(metadata={"description": "true: arrived; false: not yet"})
    updated_since = fields.AwareDateTime(metadata={
        "description": "Only guests changed at or after this time (with its UTC offset)"})
    limit = fields.Integer(load_default=50, validate=validate.Range(1, MAX_PAGE))
    cursor = fields.String(metadata={"description": "next_cursor of the previous page"})


@bp.route("/events/<int:event_id>/attendees")
class Attendees(MethodView):
    @bp.arguments(AttendeeQuerySchema, location="query")
    @bp.response(200, AttendeePageSchema)
    def get(self, args, event_id: int):
        """List an event's guests in the order they joined."""
        event = visible_event(event_id)
        if event is None:
            return problem(404, "There is no event with this id among yours.")
        query = select(Attendee).where(Attendee.event_id == event.id)
        if args.get("status"):
            query = query.where(Attendee.status == args["status"])
        if "checked_in" in args:
            arrived = Attendee.checked_in_at.is_not(None)
            query = query.where(arrived if args["checked_in"] else ~arrived)
        if args.get("updated_since"):
            query = query.where(Attendee.updated_at >= args["updated_since"])
        if args.get("cursor"):
            after = decode_cursor(args["cursor"])
            if after is None or not isinstance(after, int):
                return problem(400, "This cursor is not one the API gave: start again "
                                    "without it.")
            query = query.where(Attendee.id > after)
        limit = args["limit"]
        found = list(db.session.scalars(query.order_by(Attendee.id).limit(limit + 1)))
        items = found[:limit]
        more = len(found) > limit
        return {"items": items, "next_cursor": encode_cursor(items[-1].id) if more else None}


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
