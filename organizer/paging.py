"""Long lists a page at a time: a host with years of fortnightly dates, say."""
from __future__ import annotations

from dataclasses import dataclass

from flask import request
from sqlalchemy import Select

from .db import db

PAGE_SIZE = 20
# Far enough for any real list; beyond it a number is a typing slip or a probe.
MAX_PAGE = 10_000


@dataclass
class Page:
    """One page of a list: its items, its number (from 1) and whether others follow."""

    items: list
    number: int
    has_previous: bool
    has_next: bool


def requested(name: str = "page") -> int:
    """The page number asked for in the query string; 1 for anything that is not one."""
    try:
        number = int(request.args.get(name, "1"))
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)


def page_of(query: Select, number: int, size: int = PAGE_SIZE) -> Page:
    """Page ``number`` of the ORM ``query`` (which must be ordered): one row more than a
    page is read to know whether another page follows, so no count is needed."""
    rows = db.session.scalars(query.offset((number - 1) * size).limit(size + 1)).all()
    return Page(items=list(rows[:size]), number=number, has_previous=number > 1,
                has_next=len(rows) > size)
