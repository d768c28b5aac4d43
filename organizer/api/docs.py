"""The API's interactive docs (Swagger UI), served from the app: nothing comes from a CDN."""
from __future__ import annotations

from pathlib import Path

import swagger_ui
from flask import Blueprint, render_template

# The swagger-ui-py package ships Swagger UI's files; only those are used from it.
SWAGGER_UI = Path(swagger_ui.__file__).resolve().parent / "static"

bp = Blueprint("api_docs", __name__, static_folder=str(SWAGGER_UI),
               static_url_path="/docs/assets")


@bp.route("/docs")
def page():
    """The API's reference, readable and tryable in the browser."""
    response = render_template("api/docs.html")
    # Swagger UI sets element styles from its script.
    return response, 200, {"Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; object-src 'none'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")}
