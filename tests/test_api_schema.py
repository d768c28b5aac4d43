"""The API against its own OpenAPI document (Schemathesis): for generated requests to every
operation — valid and not — no 5xx, every answer as documented, and a token sees and
changes only its own host's events (another host's are 404)."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemathesis.specs.openapi.checks import positive_data_acceptance

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


def test_every_operation_answers_as_documented(app, seeded):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    # The token is given, not generated: requests without one are tested in test_api.
    schema.config.update(headers={"Authorization": f"Bearer {seeded['token']}"})
    schema.config.generation.with_security_parameters = False
    operations = [result.ok() for result in schema.get_all_operations()]
    seen: dict[str, set[int]] = {}
    assert len(operations) >= 12
    for operation in operations:
        for mode in (schemathesis.GenerationMode.POSITIVE,
                     schemathesis.GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode)

            @settings(max_examples=20, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))
            @given(data=st.data())
            def answers_as_documented(data):
                case = data.draw(strategy)
                # A schema cannot say every rule a valid request must meet (an event's
                # end after its start, a cursor the API gave): those are refused with
                # a documented 4xx, which this one check would count as a failure.
                response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
                seen.setdefault(operation.label, set()).add(response.status_code)

            answers_as_documented()
    # The token worked (lists answered), bad input was refused, and Bo's event stayed his.
    assert 200 in seen["GET /api/v1/events"] and 422 in seen["GET /api/v1/events"]
    theirs = app.test_client().get(f"/api/v1/events/{seeded['theirs']}",
                                   headers=schema.config.headers)
    assert theirs.status_code == 404
