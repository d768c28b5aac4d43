"""The language switcher: a visitor picks the language pages speak to them, remembered
in a cookie for a year."""
from __future__ import annotations

from flask import Blueprint, redirect, request, url_for

from ..i18n import COOKIE, LANGUAGES, gettext
from ..security import error_response
from ..urls import local_path

bp = Blueprint("language", __name__)


@bp.post("/language")
def choose():
    """Remember the language in ``lang`` and go back to the page in ``next``."""
    code = request.form.get("lang", "")
    if code not in LANGUAGES:
        return error_response(400, gettext("Pick one of the languages offered."))
    back = local_path(request.form.get("next", "")) or url_for("host.home")
    response = redirect(back, code=303)
    response.set_cookie(COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax",
                        secure=request.is_secure, httponly=True)
    return response
