"""The badges plugin's part of the JSON API: check guests in and out by ticket code or id.

A client's ``request_id`` works like a door scanner's: the same id sent
again (a retry after a lost answer) gets the first answer and stores
nothing more. API check-ins are recorded at the event's "API" station.
"""
from __future__ import annotations

import secrets
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask.views import MethodView
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import and_, bindparam, select

from organizer.plugin_api import (MAX_ID, Attendee, Event, api_blueprint, api_event, api_event_ids,
                                  api_problem, db,
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
    code = fields.String(validate=validate.Length(max=500), metadata={
        "description": "The ticket's code as scanned or typed"})
    attendee_id = fields.Integer(validate=validate.Range(1, MAX_ID))

    @validates_schema
    def _one_of(self, data, **kwargs):
        if ("code" in data) == ("attendee_id" in data):
            raise ValidationError("Send either the ticket's code or the guest's id.")


_a, _e, _s, _t = Attendee.__table__, Event.__table__, Station.__table__, Ticket.__table__
_GUEST_COLUMNS = (_a.c.id, _a.c.event_id, _a.c.name, _a.c.organisation, _a.c.guests,
                  _a.c.status, _e.c.timezone, _e.c.webhooks, _s.c.id.label("station_id"),
                  _s.c.name.label("station_name"))
_WITH_EVENT = _a.join(_e, _e.c.id == _a.c.event_id).outerjoin(
    _s, and_(_s.c.event_id == _e.c.id, _s.c.kind == "api"))
# The guest, their event and its API station in one read: by id, or by ticket code.
_BY_ID = select(*_GUEST_COLUMNS).select_from(_WITH_EVENT).where(
    _a.c.id == bindparam("attendee_id"), _e.c.id == bindparam("event_id"))
_BY_CODE = (select(*_GUEST_COLUMNS, _t.c.revoked_at)
            .select_from(_WITH_EVENT.join(_t, _t.c.attendee_id == _a.c.id))
            .where(_t.c.secret == bindparam("secret"), _e.c.id == bindparam("event_id")))


def _guest(event_id: int, sent: dict, state: dict):
    """The guest the request names (by id or ticket code) with the event's API station,
    read in the caller's transaction. The guest goes to ``state["holder"]``, or a problem
    to answer instead to ``state["problem"]``; the station and guest are returned."""
    if "attendee_id" in sent:
        query, values = _BY_ID, {"attendee_id": sent["attendee_id"]}
    else:
        query, values = _BY_CODE, {"secret": tickets.secret_in(sent["code"]) or ""}
    row = db.session.connection().execute(
        _among(query, api_event_ids()), {**values, "event_id": event_id}).first()
    if row is None:
        state["problem"] = _missing(event_id, sent)
        return None
    if "code" in sent and row.revoked_at is not None:
        state["problem"] = api_problem(409, "This ticket was replaced by a newer one: ask for "
                                            "the guest's current ticket.")
        return None
    station_id, name = row.station_id, row.station_name
    if station_id is None:
        station_id, name = _new_station(event_id), STATION_NAME
    state["holder"] = checkin.Holder(row.id, row.event_id, row.name, row.organisation,
                                     row.guests, row.status)
    return (checkin.Door(station_id, event_id, name, ZoneInfo(row.timezone), row.webhooks),
            state["holder"])


@lru_cache(maxsize=1024)
def _among(query, visible):
    """``query`` limited to the token's host's events (kept per host: built once)."""
    return query.where(_e.c.id.in_(visible))


def _missing(event_id: int, sent: dict):
    if api_event(event_id) is None:
        return api_problem(404, "There is no event with this id among yours.")
    if "attendee_id" in sent:
        return api_problem(404, NO_GUEST)
    return api_problem(404, "No ticket of this event has this code.")


def _new_station(event_id: int) -> int:
    """Inside the caller's write: the event's API station, made the first time (its
    row held while looking, so two first check-ins make one)."""
    db.session.execute(locked(select(Event.id).where(Event.id == event_id), Event))
    found = db.session.scalar(select(Station.id).where(Station.event_id == event_id,
                                                       Station.kind == "api"))
    if found is None:
        station = Station(event_id=event_id, name=STATION_NAME, kind="api",
                          secret=secrets.token_urlsafe(32))
        db.session.add(station)
        db.session.flush()
        found = station.id
    return found


@bp.route("/events/<int:event_id>/check-ins")
class CheckIns(MethodView):
    @bp.arguments(CheckInSchema())
    @bp.response(200, CheckInResultSchema)
    @bp.alt_response(409, description="The guest is not going (cancelled, waiting, ...)")
    @own_transactions
    def post(self, sent, event_id: int):
        """Check a guest in by ticket code or id; once, however often it is sent."""
        state: dict = {}
        answer = checkin.check_in_found(lambda: _guest(event_id, sent, state),
                                        sent.get("request_id"))
        if "problem" in state:
            return state["problem"]
        person = state["holder"]
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
        state: dict = {}
        with write():
            found = _guest(event_id, sent, state)
        if found is None:
            return state["problem"]
        station, person = found
        record = checkin.latest(person.id)
        if record is None or not checkin.undo(station, record.id):
            return api_problem(409, f"{person.name} is not checked in.")
        return {"result": "checked_out", "message": "Checked out.", "attendee_id": person.id,
                "name": person.name, "guests": person.guests, "checked_in_at": None,
                "checkin_id": record.id}


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
