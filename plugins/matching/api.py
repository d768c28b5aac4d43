"""The matching plugin's part of the JSON API: the event's published matches."""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields

from organizer.plugin_api import api_blueprint, api_event, api_problem

from . import runs

bp = api_blueprint("Matches", __name__, description="Who meets whom, once published.")


class GroupSchema(Schema):
    group = fields.Integer(required=True)
    attendee_ids = fields.List(fields.Integer(), required=True)


class MatchesSchema(Schema):
    event_id = fields.Integer(required=True)
    run_id = fields.Integer(required=True)
    published_at = fields.String(allow_none=True, required=True)
    rounds = fields.List(fields.List(fields.Nested(GroupSchema)), required=True, metadata={
        "description": "Round by round, the groups (pairs, tables) and who is in each"})


@bp.route("/events/<int:event_id>/matches")
class Matches(MethodView):
    @bp.response(200, MatchesSchema)
    def get(self, event_id: int):
        """The published matches (a draft is the host's until published)."""
        event = api_event(event_id)
        if event is None:
            return api_problem(404, "There is no event with this id among yours.")
        run = runs.published(event)
        if run is None:
            return api_problem(404, "No matches are published for this event yet.")
        return runs.published_data(run, event)
