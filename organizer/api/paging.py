"""Cursors of paged lists: opaque to clients, a position in the list to the API."""
from __future__ import annotations

import base64
import binascii
import json


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
