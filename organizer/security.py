"""Headers, cookies, CSRF, proxies, private pages and error pages for every response."""
from __future__ import annotations

import re

from flask import (Flask, abort, g, has_request_context, jsonify, make_response,
                   render_template, request)
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from .i18n import gettext as _, lazy_gettext as _l

csrf = CSRFProtect()

# Pages load scripts, styles and images from this app only; no inline script.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "media-src 'self' blob:; connect-src 'self'; font-src 'self'; object-src 'none'; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")

MESSAGES = {
    400: _l("The request could not be understood."),
    403: _l("You don't have permission to see or change this."),
    404: _l("There is nothing here. The link may be mistyped, or the page was removed."),
    405: _l("That action is not allowed here."),
    413: _l("That upload is too large."),
    429: _l("Too many attempts in a short time. Please wait a minute and try again."),
    500: _l("Something went wrong on our side. Nothing you entered was lost; please try "
            "again."),
}
UNHANDLED = _l("The request could not be handled.")


def _wants_json() -> bool:
    return request.path.endswith(".json") or request.accept_mimetypes.best == "application/json"


def error_response(code: int, message: str | None = None):
    """A human page (or JSON) for an HTTP error."""
    message = str(message or MESSAGES.get(code, UNHANDLED))
    if _wants_json():
        return jsonify(error=message), code
    return render_template("error.html", code=code, message=message), code


def _api_problem(error: HTTPException):
    """An HTTP error of the API as problem+json; input mistakes listed field by field."""
    from .api.problems import problem
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    if error.code == 422 and messages:
        return problem(422, "Some values are not valid: see errors.", errors=messages)
    detail = {400: "The request could not be understood: send a JSON object, with "
                   "“Content-Type: application/json”.",
              404: "There is nothing here. The API's paths are listed at /api/v1/docs.",
              405: "This path does not take this method."}.get(error.code)
    # In English: the API's requests speak it (organizer.i18n).
    return problem(error.code, detail or str(MESSAGES.get(error.code, UNHANDLED)))


def refuse(code: int, message: str):
    """Stop the request with ``code`` and a sentence the person can act on."""
    abort(make_response(error_response(code, message)))


# Paths with a secret in them (``<secret:...>`` parts of the app's rules), as
# patterns; the secret is a group. Learnt once the app's routes are known,
# for this process (the access log has no app to ask).
_SECRET_PATHS: dict[str, re.Pattern] = {}
_PART = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def learn_secret_paths(app: Flask) -> None:
    """Remember which paths of ``app`` carry a secret, so logs can hide it."""
    for rule in app.url_map.iter_rules():
        if "<secret:" not in rule.rule or rule.rule in _SECRET_PATHS:
            continue
        # Up to the last secret; every part a segment, the secrets captured.
        head = rule.rule[:rule.rule.rindex("<secret:")]
        head = rule.rule[:rule.rule.index(">", len(head)) + 1]
        pattern, last = "^", 0
        for part in _PART.finditer(head):
            pattern += re.escape(head[last:part.start()])
            pattern += "([^/?#]+)" if part.group(1) == "secret" else "[^/?#]+"
            last = part.end()
        _SECRET_PATHS[rule.rule] = re.compile(pattern)


def secret_authorised(view):
    """Mark ``view`` as authorised by the secret in its URL alone, not by a signed-in session.

    Such a view (a door station's scan, say) takes no form token: CSRF rides
    on a browser's cookies, and this view trusts none. It must check the
    secret in its path itself and change nothing else.
    """
    return csrf.exempt(view)


def hide_secrets(path: str) -> str:
    """``path`` (or a whole URL) with any secret in it replaced by ``…``."""
    prefix = ""
    if "://" in path:
        scheme, _sep, rest = path.partition("://")
        host, slash, path = rest.partition("/")
        prefix, path = f"{scheme}://{host}", slash + path
    for pattern in _SECRET_PATHS.values():
        found = pattern.match(path)
        if found:
            for index in range(len(found.groups()), 0, -1):
                path = path[:found.start(index)] + "…" + path[found.end(index):]
            break
    return prefix + path


def _has_secret() -> bool:
    rule = request.url_rule
    return rule is not None and "<secret:" in rule.rule


def private_page() -> None:
    """Mark the response as one person's own (their private link, a station): no caches."""
    g.organizer_private = True


class _SessionInterface(SecureCookieSessionInterface):
    """Marks the session cookie Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        # Behind a proxy, request.is_secure needs ProxyFix (see docs/deploy.md).
        return bool(app.config["SESSION_COOKIE_SECURE"]
                    or (has_request_context() and request.is_secure))


def allows_upload(limit: int):
    """Let a view receive a body of up to ``limit`` bytes (a photo), where every
    other view keeps ``MAX_CONTENT_LENGTH``."""
    def mark(view):
        view.upload_limit = limit
        return view
    return mark


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

    # Before CSRF's check, which reads the body under the app-wide limit.
    @app.before_request
    def _upload_limit():
        view = app.view_functions.get(request.endpoint)
        limit = getattr(view, "upload_limit", None)
        if limit:
            request.max_content_length = limit

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
        if _has_secret():
            private_page()  # pages reached by a secret link are that person's alone

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
        return error_response(400, _("This form has expired or was not sent from this site. "
                                     "Go back, reload the page and try again."))

    @app.errorhandler(HTTPException)
    def _http(error):
        if error.code is None or error.code < 400:
            return error
        if request.path.startswith("/api/"):
            return _api_problem(error)
        return error_response(error.code)

    @app.errorhandler(Exception)
    def _unexpected(error):
        app.logger.exception("unhandled error on %s", hide_secrets(request.path))
        from .db import db
        db.session.rollback()  # the error page must not trip over a failed transaction
        if request.path.startswith("/api/"):
            from .api.problems import problem
            return problem(500, "Something went wrong on our side; nothing was changed. "
                                "Try again in a moment.")
        return error_response(500)
