"""Errors of the API as ``application/problem+json`` (RFC 9457), each with a sentence."""
from __future__ import annotations

from flask import jsonify
from marshmallow import Schema, fields

CONTENT_TYPE = "application/problem+json"


class ProblemSchema(Schema):
    """What every error of the API says (RFC 9457)."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True, metadata={"description": "A sentence for a person"})
    errors = fields.Dict(metadata={"description": "Invalid values, by location and field"})

TITLES = {400: "Bad request", 401: "Not signed in", 403: "Not allowed", 404: "Not found",
          405: "Method not allowed", 409: "Conflict", 413: "Too large",
          422: "Invalid input", 429: "Too many requests", 500: "Server error"}


def problem(status: int, detail: str, **extra):
    """A problem response: ``title`` for the kind, ``detail`` a sentence for a person."""
    body = {"type": "about:blank", "title": TITLES.get(status, "Error"), "status": status,
            "detail": detail, **extra}
    response = jsonify(body)
    response.status_code = status
    response.mimetype = CONTENT_TYPE
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="organizer"'
    return response
