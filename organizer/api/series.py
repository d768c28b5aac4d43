"""``/api/v1/series``: the token's host's recurring series, made and changed by the series
form's rules. Each date of a series is an event (``GET /events?series_id=``)."""
from __future__ import annotations

from datetime import date, time

from flask.views import MethodView
from marshmallow import Schema, fields, validate
from sqlalchemy import bindparam, select
from werkzeug.datastructures import MultiDict

from .. import series as series_service
from ..db import db
from ..forms import SeriesForm
from ..models import EVENT_KINDS, Series
from ..series import TEMPLATE_FIELDS, WEEKDAYS
from ..urls import MAX_ID, external_url
from .auth import api_blueprint, api_host, api_host_id
from .event_input import TemplateSchema
from .events import PlannedSchema
from .paging import BAD_CURSOR, PageQuerySchema, decode_cursor, one_page, page_schema
from .problems import problem

bp = api_blueprint("Series", __name__, "Recurring series of the token's host.")
NOT_YOURS = "There is no series with this id among yours."
# API name → the series form's field.
_FORM_NAMES = {"start_time": "time", "duration_minutes": "duration", "repeats": "freq"}
_API_NAMES = {form: api for api, form in _FORM_NAMES.items()}
SCHEDULE = ("first_date", "start_time", "duration_minutes", "repeats", "interval", "weekdays",
            "month_week", "ends", "count", "until")


class SeriesSchema(PlannedSchema):
    rrule = fields.String(required=True, metadata={"description": "RFC 5545, without RRULE:"})
    schedule = fields.Method("_schedule", required=True,
                             metadata={"description": "The rule in words"})
    first_date = fields.Method("_first_date", required=True)
    start_time = fields.Method("_start_time", required=True,
                               metadata={"description": "HH:MM, the series' wall clock"})
    duration_minutes = fields.Integer(required=True)
    events_url = fields.Method("_events_url", required=True,
                               metadata={"description": "Its dates, in the API"})

    def _schedule(self, series: Series) -> str:
        return series_service.describe(series)

    def _first_date(self, series: Series) -> str:
        return series.dtstart_local.date().isoformat()

    def _start_time(self, series: Series) -> str:
        return series.dtstart_local.strftime("%H:%M")

    def _events_url(self, series: Series) -> str:
        return external_url("Events.Events", series_id=series.id)


SeriesPageSchema = page_schema(SeriesSchema)


class ScheduleSchema(Schema):
    first_date = fields.Date()
    start_time = fields.String(validate=validate.Regexp(r"^\d{2}:\d{2}$", error=(
        "Give the time as HH:MM, e.g. 08:30.")))
    duration_minutes = fields.Integer(validate=validate.Range(5, 24 * 60))
    repeats = fields.String(validate=validate.OneOf(["weekly", "monthly"]))
    interval = fields.Integer(validate=validate.OneOf([1, 2, 3, 4]), metadata={
        "description": "Every 1st, 2nd, 3rd or 4th week or month"})
    weekdays = fields.List(fields.String(validate=validate.OneOf(WEEKDAYS)), metadata={
        "description": "Weekly: the days it meets (MO … SU); the first date's day if empty"})
    month_week = fields.Integer(validate=validate.OneOf([1, 2, 3, 4, -1]), metadata={
        "description": "Monthly: which week (-1 the last), on the first date's weekday"})
    ends = fields.String(validate=validate.OneOf(["never", "count", "until"]))
    count = fields.Integer(allow_none=True, validate=validate.Range(1, 500))
    until = fields.Date(allow_none=True)


class SeriesInSchema(ScheduleSchema, TemplateSchema):
    """A change to a series: send only what changes."""


class NewSeriesSchema(SeriesInSchema):
    kind = fields.String(load_default="coffee", validate=validate.OneOf(list(EVENT_KINDS)))
    title = fields.String(required=True, validate=validate.Length(1, 200))
    timezone = fields.String(required=True)
    first_date = fields.Date(required=True)
    start_time = fields.String(required=True, validate=validate.Regexp(r"^\d{2}:\d{2}$"))
    duration_minutes = fields.Integer(required=True, validate=validate.Range(5, 24 * 60))
    repeats = fields.String(load_default="weekly", validate=validate.OneOf(["weekly",
                                                                            "monthly"]))
    interval = fields.Integer(load_default=1, validate=validate.OneOf([1, 2, 3, 4]))
    ends = fields.String(load_default="never", validate=validate.OneOf(["never", "count",
                                                                        "until"]))
    publish = fields.Boolean(load_default=False)


class SeriesQuerySchema(PageQuerySchema):
    status = fields.String(validate=validate.OneOf(["draft", "published", "cancelled"]))


def _current(series: Series | None) -> dict:
    if series is None:
        return {"month_week": 1}
    found = {name: getattr(series, name) for name in TEMPLATE_FIELDS}
    for name, value in series_service.schedule_of(series).items():
        found[_API_NAMES.get(name, name)] = value
    found["start_time"] = found["start_time"].strftime("%H:%M")
    return found


def _form(merged: dict) -> SeriesForm:
    data = MultiDict()
    for name, value in merged.items():
        if name in ("publish", "settings") or value is None:
            continue
        key = _FORM_NAMES.get(name, name)
        if isinstance(value, list):
            for item in value:
                data.add(key, item)
        elif isinstance(value, (date, time)):
            data[key] = value.isoformat() if isinstance(value, date) else value.strftime(
                "%H:%M")
        else:
            data[key] = str(value)
    return SeriesForm(formdata=data, meta={"csrf": False})


def _checked(sent: dict, series: Series | None):
    form = _form({**_current(series), **sent})
    if form.validate():
        return form, None
    errors = {_API_NAMES.get(name, name): list(messages)
              for name, messages in form.errors.items()}
    first = next(iter(errors.items()))
    return None, problem(422, f"{first[0]}: {first[1][0]}", errors={"json": errors})


_OWN = select(Series).where(Series.id == bindparam("series_id"),
                            Series.owner_id == bindparam("host_id"))


def own_series(series_id: int) -> Series | None:
    """The series if the token's host owns it, else None (a 404 to them)."""
    return db.session.scalars(_OWN, {"series_id": series_id,
                                     "host_id": api_host_id()}).first()


@bp.route("/series")
class AllSeries(MethodView):
    @bp.arguments(SeriesQuerySchema(), location="query")
    @bp.response(200, SeriesPageSchema)
    def get(self, args):
        """List the host's series, oldest first, a page at a time."""
        query = select(Series).where(Series.owner_id == api_host_id())
        if args.get("status"):
            query = query.where(Series.status == args["status"])
        if args.get("cursor"):
            after = decode_cursor(args["cursor"])
            if not isinstance(after, int) or not 0 <= after <= MAX_ID:
                return problem(400, BAD_CURSOR)
            query = query.where(Series.id > after)
        return one_page(query.order_by(Series.id), args["limit"], lambda row: row.id)

    @bp.arguments(NewSeriesSchema())
    @bp.response(201, SeriesSchema)
    @bp.alt_response(422, description="The series does not pass the series form's rules")
    def post(self, sent):
        """Create a series (a draft unless `publish`); its dates are made as events."""
        form, refused = _checked(sent, None)
        if refused is not None:
            return refused
        return series_service.create(
            api_host(), form.template_values(), series_service.build_rule(**form.rule_parts()),
            form.dtstart_local, form.duration.data, publish=sent["publish"])


@bp.route("/series/<int:series_id>")
class OneSeries(MethodView):
    @bp.response(200, SeriesSchema)
    def get(self, series_id: int):
        """One series."""
        series = own_series(series_id)
        return series if series is not None else problem(404, NOT_YOURS)

    @bp.arguments(SeriesInSchema())
    @bp.response(200, SeriesSchema)
    @bp.alt_response(409, description="The series is cancelled")
    @bp.alt_response(422, description="The change does not pass the series form's rules")
    def patch(self, sent, series_id: int):
        """Change the whole series: upcoming dates follow (those edited on their own keep
        their edits), dates the new rule drops are cancelled, new ones are added."""
        series = own_series(series_id)
        if series is None:
            return problem(404, NOT_YOURS)
        if series.status == "cancelled":
            return problem(409, "A cancelled series cannot be changed.")
        form, refused = _checked(sent, series)
        if refused is not None:
            return refused
        series_service.update(series, form.template_values(),
                              series_service.build_rule(**form.rule_parts()),
                              form.dtstart_local, form.duration.data)
        return series


@bp.route("/series/<int:series_id>/publish")
class PublishSeries(MethodView):
    @bp.response(200, SeriesSchema)
    @bp.alt_response(409, description="The series is not a draft")
    def post(self, series_id: int):
        """Publish a draft series and its upcoming dates."""
        series = own_series(series_id)
        if series is None:
            return problem(404, NOT_YOURS)
        if series.status != "draft":
            return problem(409, f"This series is {series.status}, not a draft.")
        series_service.publish(series)
        return series


@bp.route("/series/<int:series_id>/cancel")
class CancelSeries(MethodView):
    @bp.response(200, SeriesSchema)
    @bp.alt_response(409, description="The series is already cancelled")
    def post(self, series_id: int):
        """Cancel the series and every upcoming date; their guests are told."""
        series = own_series(series_id)
        if series is None:
            return problem(404, NOT_YOURS)
        if series.status == "cancelled":
            return problem(409, "This series is already cancelled.")
        series_service.cancel(series)
        return series
