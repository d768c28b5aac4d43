"""Paged lists: the page and query schemas, opaque cursors, and one page of a query."""
from __future__ import annotations

import base64
import binascii
import json

from marshmallow import RAISE, Schema, fields, validate

from ..db import db

NEXT_CURSOR = "Pass as `cursor` for the next page; null on the last page"
BAD_CURSOR = "This cursor is not one the API gave: start again without it."


def page_schema(item: type[Schema]) -> type[Schema]:
    """The schema of a page of ``item``: ``items`` and ``next_cursor``."""
    return type(item.__name__.replace("Schema", "PageSchema"), (Schema,), {
        "items": fields.List(fields.Nested(item), required=True),
        "next_cursor": fields.String(allow_none=True, required=True,
                                     metadata={"description": NEXT_CURSOR})})


class PageQuerySchema(Schema):
    """``limit`` (1–100 unless a list says otherwise) and ``cursor``; a list's own
    filters extend it."""

    class Meta:
        unknown = RAISE  # a misspelt filter is an error, not silently ignored

    limit = fields.Integer(load_default=50, validate=validate.Range(1, 100))
    cursor = fields.String(metadata={"description": "next_cursor of the previous page"})


def encode_cursor(position) -> str:
    """A cursor for ``position`` (anything JSON holds): the last item of a page."""
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip("=")


def decode_cursor(cursor: str):
    """The position a cursor holds, or None when it is not one the API gave."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def one_page(query, limit: int, position_of) -> dict:
    """The first ``limit`` rows of ``query`` (already ordered and past the cursor), with
    the cursor of the next page when there is one (``position_of(last row)``)."""
    found = list(db.session.scalars(query.limit(limit + 1)))
    items = found[:limit]
    more = len(found) > limit
    return {"items": items, "next_cursor": encode_cursor(position_of(items[-1])) if more
            else None}
