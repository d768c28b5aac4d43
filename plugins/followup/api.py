"""The follow-up plugin's part of the JSON API: who was sent a follow-up, and how it went."""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields

from organizer.plugin_api import api_blueprint, api_event, api_problem, db

from . import sending
from .models import Settings

bp = api_blueprint("Follow-ups", __name__, description="Personal follow-ups after an event.")


class FollowupSchema(Schema):
    attendee_id = fields.Integer(required=True)
    status = fields.String(required=True, metadata={
        "enum": ["queued", "sending", "sent", "failed", "dropped"],
        "description": "How its mail is getting on"})
    problem = fields.String(required=True, metadata={
        "description": "Why it has not arrived yet, or did not (empty when all is well)"})


class FollowupsSchema(Schema):
    closed_at = fields.AwareDateTime(allow_none=True, required=True, metadata={
        "description": "When the event was closed for follow-ups; null: not yet"})
    followups = fields.List(fields.Nested(FollowupSchema), required=True)


@bp.route("/events/<int:event_id>/followups")
class Followups(MethodView):
    @bp.response(200, FollowupsSchema)
    def get(self, event_id: int):
        """Each guest sent a follow-up, and how its delivery went."""
        event = api_event(event_id)
        if event is None:
            return api_problem(404, "There is no event with this id among yours.")
        settings = db.session.get(Settings, event.id)
        states = sending.states(event)
        return {"closed_at": settings.closed_at if settings else None,
                "followups": [{"attendee_id": attendee_id, "status": status, "problem": why}
                              for attendee_id, (status, why) in sorted(states.items())]}
