"""Headers, cookies, CSRF, proxies, private pages and error pages for every response."""
from __future__ import annotations

import re

from flask import (Flask, abort, g, has_request_context, jsonify, make_response,
                   render_template, request)
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

csrf = CSRFProtect()

# Pages load scripts, styles and images from this app only; no inline script.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "media-src 'self' blob:; connect-src 'self'; font-src 'self'; object-src 'none'; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")

MESSAGES = {
    400: "The request could not be understood.",
    403: "You don't have permission to see or change this.",
    404: "There is nothing here. The link may be mistyped, or the page was removed.",
    405: "That action is not allowed here.",
    413: "That upload is too large.",
    429: "Too many attempts in a short time. Please wait a minute and try again.",
    500: "Something went wrong on our side. Nothing you entered was lost; please try again.",
}


def _wants_json() -> bool:
    return request.path.endswith(".json") or request.accept_mimetypes.best == "application/json"


def error_response(code: int, message: str | None = None):
    """A human page (or JSON) for an HTTP error."""
    message = message or MESSAGES.get(code, "The request could not be handled.")
    if _wants_json():
        return jsonify(error=message), code
    return render_template("error.html", code=code, message=message), code


def refuse(code: int, message: str):
    """Stop the request with ``code`` and a sentence the person can act on."""
    abort(make_response(error_response(code, message)))


# Where the request's path with its secrets hidden is kept for the access log.
LOG_PATH = "organizer.log_path"
_SECRET_ARGS = re.compile(r"<secret:(\w+)>")


def secret_values() -> list[str]:
    """The secrets in the current request's path (``<secret:...>`` parts of its rule)."""
    rule = request.url_rule
    if rule is None or "<secret:" not in rule.rule:
        return []
    return [str(request.view_args[name]) for name in _SECRET_ARGS.findall(rule.rule)
            if (request.view_args or {}).get(name)]


def loggable_path() -> str:
    """The request's path as logs may show it: secrets replaced by ``…``."""
    path = request.path
    for value in secret_values():
        path = path.replace(value, "…")
    return path


def private_page() -> None:
    """Mark the response as one person's own (their private link, a station): no caches."""
    g.organizer_private = True


class _SessionInterface(SecureCookieSessionInterface):
    """Marks the session cookie Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        # Behind a proxy, request.is_secure needs ProxyFix (see docs/deploy.md).
        return bool(app.config["SESSION_COOKIE_SECURE"]
                    or (has_request_context() and request.is_secure))


def init_app(app: Flask) -> None:
    """Turn on CSRF, secure cookies, security headers and friendly error pages."""
    # Flask's own defaults leave SameSite unset; "Lax" keeps the cookie off
    # cross-site POSTs while links from mail still arrive signed in.
    for name in ("SESSION_COOKIE_SAMESITE", "REMEMBER_COOKIE_SAMESITE"):
        if not app.config.get(name):
            app.config[name] = "Lax"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["REMEMBER_COOKIE_HTTPONLY"] = True
    # A form left open all day still submits; the token is bound to the session.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    if app.config.get("BASE_URL", "").startswith("https://"):
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    csrf.init_app(app)

    app.session_interface = _SessionInterface()
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        # Only then are X-Forwarded-* believed: otherwise anyone could claim
        # any client address (and so any rate-limit bucket) or scheme.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies,
                                x_host=proxies, x_port=proxies, x_prefix=proxies)
    hsts = app.config.get("BASE_URL", "").startswith("https://")

    @app.before_request
    def _secrets_in_path():
        if secret_values():
            # Pages reached by a secret link are that person's alone; the
            # access log shows the path without the secret.
            private_page()
            request.environ[LOG_PATH] = loggable_path()

    @app.after_request
    def _headers(response):
        if g.get("organizer_private"):
            response.headers["Cache-Control"] = "private, no-store"
        if hsts:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(self), geolocation=()")
        return response

    @app.errorhandler(CSRFError)
    def _csrf(error):
        return error_response(400, "This form has expired or was not sent from this site. "
                                   "Go back, reload the page and try again.")

    @app.errorhandler(HTTPException)
    def _http(error):
        if error.code is None or error.code < 400:
            return error
        return error_response(error.code)

    @app.errorhandler(Exception)
    def _unexpected(error):
        app.logger.exception("unhandled error on %s", loggable_path())
        from .db import db
        db.session.rollback()  # the error page must not trip over a failed transaction
        return error_response(500)
