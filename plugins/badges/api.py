"""The badges plugin's part of the JSON API: check guests in and out by ticket code or id.

A client's ``request_id`` works like a door scanner's: the same id sent
again (a retry after a lost answer) gets the first answer and stores
nothing more. API check-ins are recorded at the event's "API" station.
"""
from __future__ import annotations

import secrets

from flask.views import MethodView
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import bindparam, select

from organizer.plugin_api import (MAX_ID, Attendee, Event, api_blueprint, api_event, api_problem, db,
                                  locked, own_transactions, write)

from . import checkin, tickets
from .models import Station, Ticket

bp = api_blueprint("Door", __name__, description="Check-in at the door.")
NO_GUEST = "There is no guest with this id on this event's list."
STATION_NAME = "API"


class CheckInSchema(Schema):
    code = fields.String(validate=validate.Length(max=500), metadata={
        "description": "The ticket's code as scanned or typed (its QR code's text)"})
    attendee_id = fields.Integer(validate=validate.Range(1, MAX_ID))
    request_id = fields.String(validate=validate.Length(1, 64), metadata={
        "description": "Your id for this request: sent again, it gets the first answer"})

    @validates_schema
    def _one_of(self, data, **kwargs):
        if ("code" in data) == ("attendee_id" in data):
            raise ValidationError("Send either the ticket's code or the guest's id.")


class CheckInResultSchema(Schema):
    result = fields.String(required=True, metadata={
        "enum": ["checked_in", "already"],
        "description": "checked_in: let them in; already: they were in before"})
    message = fields.String(required=True)
    attendee_id = fields.Integer(required=True)
    name = fields.String(required=True)
    guests = fields.Integer(required=True)
    checked_in_at = fields.AwareDateTime(allow_none=True, required=True)
    checkin_id = fields.Integer(allow_none=True, required=True)


class CheckOutSchema(Schema):
    attendee_id = fields.Integer(required=True, validate=validate.Range(1, MAX_ID))


_s = Station.__table__
_API_STATION = select(_s.c.id, _s.c.name).where(_s.c.event_id == bindparam("event_id"),
                                                _s.c.kind == "api")


def _api_station(event: Event) -> checkin.Door:
    """The event's station for API check-ins (a plain read), made the first time."""
    row = db.session.connection().execute(_API_STATION, {"event_id": event.id}).first()
    if row is None:
        station = _make_station(event)
        row = (station.id, station.name)
    return checkin.Door(row[0], event.id, row[1], event.zone, event.webhooks)


def _make_station(event: Event) -> Station:
    """Once, however many requests come at once: the event's row is held while looking."""
    with write():
        db.session.execute(locked(select(Event.id).where(Event.id == event.id), Event))
        found = db.session.scalar(select(Station).where(Station.event_id == event.id,
                                                        Station.kind == "api"))
        if found is None:
            found = Station(event_id=event.id, name=STATION_NAME, kind="api",
                            secret=secrets.token_urlsafe(32))
            db.session.add(found)
    return found


_a = Attendee.__table__
_HOLDER = select(_a.c.id, _a.c.event_id, _a.c.name, _a.c.organisation, _a.c.guests,
                 _a.c.status).where(_a.c.id == bindparam("attendee_id"))


def _holder(event: Event, sent: dict):
    """The guest the request names (by ticket code or id), or a problem to answer."""
    if "attendee_id" in sent:
        row = db.session.connection().execute(
            _HOLDER, {"attendee_id": sent["attendee_id"]}).first()
        if row is None or row.event_id != event.id:
            return None, api_problem(404, NO_GUEST)
        return checkin.Holder(*row), None
    secret = tickets.secret_in(sent["code"])
    ticket = db.session.scalar(select(Ticket).where(Ticket.secret == secret)) if secret else None
    if ticket is None or ticket.event_id != event.id:
        return None, api_problem(404, "No ticket of this event has this code.")
    if ticket.revoked_at is not None:
        return None, api_problem(409, "This ticket was replaced by a newer one: ask for the "
                                      "guest's current ticket.")
    return db.session.get(Attendee, ticket.attendee_id), None


@bp.route("/events/<int:event_id>/check-ins")
class CheckIns(MethodView):
    @bp.arguments(CheckInSchema())
    @bp.response(200, CheckInResultSchema)
    @bp.alt_response(409, description="The guest is not going (cancelled, waiting, ...)")
    @own_transactions
    def post(self, sent, event_id: int):
        """Check a guest in by ticket code or id; once, however often it is sent."""
        event = api_event(event_id)
        if event is None:
            return api_problem(404, "There is no event with this id among yours.")
        person, refused = _holder(event, sent)
        if refused is not None:
            return refused
        answer = checkin.check_in(_api_station(event), person, sent.get("request_id"))
        if answer.result not in ("checked_in", "already"):
            return api_problem(409, f"{person.name}: {answer.message}")
        return {"result": answer.result, "message": answer.message, "attendee_id": person.id,
                "name": person.name, "guests": person.guests,
                "checked_in_at": answer.when, "checkin_id": answer.checkin_id}


@bp.route("/events/<int:event_id>/check-outs")
class CheckOuts(MethodView):
    @bp.arguments(CheckOutSchema())
    @bp.response(200, CheckInResultSchema)
    @bp.alt_response(409, description="The guest is not checked in")
    @own_transactions
    def post(self, sent, event_id: int):
        """Take back a guest's check-in (let in by mistake, or gone again)."""
        event = api_event(event_id)
        if event is None:
            return api_problem(404, "There is no event with this id among yours.")
        person, refused = _holder(event, sent)
        if refused is not None:
            return refused
        record = checkin.latest(person.id)
        if record is None or not checkin.undo(_api_station(event), record.id):
            return api_problem(409, f"{person.name} is not checked in.")
        return {"result": "checked_out", "message": "Checked out.", "attendee_id": person.id,
                "name": person.name, "guests": person.guests, "checked_in_at": None,
                "checkin_id": record.id}


_t = Ticket.__table__
# A page of guests is a run of ids: one range read, not a list of 200 ids.
_TICKETS = select(_t.c.attendee_id, _t.c.secret).where(
    _t.c.attendee_id.between(bindparam("first"), bindparam("last")),
    _t.c.event_id == bindparam("event_id"), _t.c.revoked_at.is_(None))


def attendee_fields(event: Event, attendee_ids: list[int]) -> dict[int, dict]:
    """Each guest's valid ticket code (what its QR code holds), by attendee id."""
    wanted = set(attendee_ids)
    rows = db.session.connection().execute(_TICKETS, {
        "first": min(wanted), "last": max(wanted), "event_id": event.id})
    return {attendee_id: {"ticket_code": secret} for attendee_id, secret in rows
            if attendee_id in wanted}
