"""The RSVP plugin's part of the JSON API: a host adds guests with the guest list's rules."""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from sqlalchemy import bindparam, select

from organizer.plugin_api import (ATTENDEE_STATUSES, Attendee, AttendeeStatus, GuestListError,
                                  api_blueprint, api_event, api_problem, db, in_language)

from . import seats
from .answers import check_email, one_line, questions
from .models import RsvpRegistration

bp = api_blueprint("RSVP", __name__, description="Guests added by the host.")


class NewGuestSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(1, 120))
    email = fields.String(required=True, validate=validate.Length(1, 254))
    organisation = fields.String(load_default="", validate=validate.Length(max=200))
    role = fields.String(load_default="", validate=validate.Length(max=200))


class AddedGuestSchema(Schema):
    id = fields.Integer(required=True)
    event_id = fields.Integer(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": list(ATTENDEE_STATUSES)})


@bp.route("/events/<int:event_id>/attendees")
class AddGuest(MethodView):
    @bp.arguments(NewGuestSchema())
    @bp.response(201, AddedGuestSchema)
    @bp.alt_response(409, description="The address is already on the list")
    def post(self, guest, event_id: int):
        """Add a guest: going while a seat is free, else on the waiting list; mailed as
        after an RSVP. Never more going than seats, however many requests come at once."""
        event = api_event(event_id)
        if event is None:
            return api_problem(404, "There is no event with this id among yours.")
        name = one_line(guest["name"], 120)
        with in_language("en"):  # the API speaks English
            email, error = check_email(guest["email"])
        if error or not name:
            return api_problem(422, error or "Give the guest's name.")
        try:
            return seats.add_by_host(event.id, name, email, one_line(guest["organisation"], 200),
                                     one_line(guest["role"], 200))
        except GuestListError as exc:
            return api_problem(409, str(exc))


class StatusChangeSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(
        [AttendeeStatus.GOING, AttendeeStatus.WAITING, AttendeeStatus.DECLINED,
         AttendeeStatus.CANCELLED, AttendeeStatus.PENDING]), metadata={"description": (
            "going: approve or move up (waiting instead when no seat is free); waiting; "
            "declined; cancelled; pending")})


class StatusChangedSchema(AddedGuestSchema):
    asked = fields.String(required=True, metadata={"description": "The status asked for"})


@bp.route("/events/<int:event_id>/attendees/<int:attendee_id>/status")
class GuestStatus(MethodView):
    @bp.arguments(StatusChangeSchema())
    @bp.response(200, StatusChangedSchema)
    def post(self, change, event_id: int, attendee_id: int):
        """Approve, decline, move or cancel a guest, with the guest list's rules: seats
        free up for those waiting, and the guest is mailed, as from the web."""
        event = api_event(event_id)
        attendee = db.session.get(Attendee, attendee_id) if event is not None else None
        if attendee is None or attendee.event_id != event.id:
            return api_problem(404, "There is no guest with this id on this event's list.")
        attendee, ended = seats.set_status(attendee.id, change["status"])
        return {"id": attendee.id, "event_id": attendee.event_id, "name": attendee.name,
                "email": attendee.email, "status": ended, "asked": change["status"]}


class QuestionSchema(Schema):
    id = fields.Integer(required=True, metadata={
        "description": "The key of its answers in a guest's plugins.rsvp.answers"})
    label = fields.String(required=True)
    kind = fields.String(required=True, metadata={"description": "text, choice or yes/no"})
    choices = fields.List(fields.String(), required=True)
    required = fields.Boolean(required=True)


@bp.route("/events/<int:event_id>/questions")
class Questions(MethodView):
    @bp.response(200, QuestionSchema(many=True))
    def get(self, event_id: int):
        """The RSVP form's questions, in the host's order. Each guest's answers are in
        their `plugins.rsvp.answers`, by question id."""
        event = api_event(event_id)
        if event is None:
            return api_problem(404, "There is no event with this id among yours.")
        return questions(event)


_r = RsvpRegistration.__table__
# A page of guests is a run of ids: one range read, not a list of 200 ids.
_REGISTRATIONS = select(_r.c.attendee_id, _r.c.answers, _r.c.guest_name).where(
    _r.c.attendee_id.between(bindparam("first"), bindparam("last")),
    _r.c.event_id == bindparam("event_id"))


def attendee_fields(event, attendee_ids: list[int]) -> dict[int, dict]:
    """Each guest's answers to the RSVP form and their +1's name, by attendee id."""
    wanted = set(attendee_ids)
    rows = db.session.connection().execute(_REGISTRATIONS, {
        "first": min(wanted), "last": max(wanted), "event_id": event.id})
    return {attendee_id: {"answers": answers or {}, "guest_name": guest_name}
            for attendee_id, answers, guest_name in rows if attendee_id in wanted}
