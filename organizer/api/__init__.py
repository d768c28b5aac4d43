"""The JSON API under ``/api/v1``: hosts' tokens, their events; the OpenAPI 3.1 document is
made from the code (flask-smorest) and its interactive docs are served by the app itself.

Requests carry ``Authorization: Bearer <token>``; no cookie, so no CSRF token. An object
the token's host may not see is a 404, as if it did not exist. Every error is
``application/problem+json`` with a sentence.
"""
from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from ..plugins import hook
from ..ratelimit import limiter
from ..security import csrf
from . import attendees, docs, events, series
from .problems import CONTENT_TYPE, ProblemSchema

PREFIX = "/api/v1"
RESOURCES = (events.bp, series.bp, attendees.bp)


class _Api(Api):
    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self):
        # organizer's own handlers answer for every route (problem+json under /api/).
        pass

    def _register_responses(self):
        # The document describes errors as they are sent: problem+json.
        content_type = self.DEFAULT_RESPONSE_CONTENT_TYPE
        self.DEFAULT_RESPONSE_CONTENT_TYPE = CONTENT_TYPE
        try:
            super()._register_responses()
        finally:
            self.DEFAULT_RESPONSE_CONTENT_TYPE = content_type


def init_app(app: Flask) -> None:
    """Mount the API, its OpenAPI document (``/api/v1/openapi.json``) and docs page."""
    app.config.update(API_TITLE="organizer", API_VERSION="v1", OPENAPI_VERSION="3.1.0",
                      OPENAPI_URL_PREFIX=PREFIX, OPENAPI_JSON_PATH="openapi.json")
    app.config.setdefault("API_SPEC_OPTIONS", {
        "info": {"description": "Events and guests of the token's host. Send "
                                "`Authorization: Bearer <token>`."},
        "components": {"securitySchemes": {"token": {"type": "http", "scheme": "bearer"}}},
        "security": [{"token": []}],
    })
    api = _Api(app)
    registrar = _Registrar(api)
    for blueprint in RESOURCES:
        registrar.register_blueprint(blueprint)
    hook(app).register_api(api=registrar)
    app.register_blueprint(docs.bp, url_prefix=PREFIX)
    app.extensions["organizer.api"] = api


class _Registrar:
    """What ``register_api`` hands plugins: a place to mount their API blueprints."""

    def __init__(self, api: Api):
        self._api = api

    def register_blueprint(self, blueprint) -> None:
        """Mount ``blueprint`` (from ``api_blueprint``) under ``/api/v1``."""
        csrf.exempt(blueprint)  # no cookie is read: the token in the header is the proof
        limiter.exempt(blueprint)  # limited per token instead (organizer.api.limits)
        self._api.register_blueprint(blueprint, url_prefix=PREFIX)
