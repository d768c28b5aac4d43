"""Hosts: sign up, sign in, sign out, and password reset by mail."""
from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from datetime import timedelta

from flask import (Blueprint, current_app, flash, redirect, render_template, request,
                   session, url_for)
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from sqlalchemy import delete, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from . import mail
from .db import commit, db, write
from .forms import ResetPasswordForm, ResetRequestForm, SignInForm, SignUpForm
from .i18n import gettext as _, lazy_gettext as _l
from .models import Host, PasswordReset, new_token, utcnow
from .ratelimit import limiter
from .urls import local_path
from .urls import external_url

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.signin"
login_manager.login_message = _l("Please sign in to continue.")
login_manager.localize_callback = str  # in the language of the page that asked

RESET_VALID = timedelta(hours=1)
# Verifying against a hash of the same method when the e-mail is unknown keeps
# both answers equally slow, so timing does not reveal who has an account.
_DUMMY_HASHES: dict[str, str] = {}


def hash_password(password: str) -> str:
    """The password's hash, by the app's ``PASSWORD_HASH_METHOD``."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def _dummy_hash() -> str:
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = generate_password_hash(secrets.token_hex(16), method=method)
    return _DUMMY_HASHES[method]


@login_manager.user_loader
def load_host(session_id: str) -> Host | None:
    """Find the host of a session; an id whose token was rotated finds nobody."""
    host_id, _colon, token = session_id.partition(":")
    if not host_id.isdigit() or not token:
        return None
    host = db.session.get(Host, int(host_id))
    if host is None or not secrets.compare_digest(host.session_token, token):
        return None
    return host


def _local_target(target: str) -> str:
    return local_path(target) or url_for("host.dashboard")


def _signin_limit() -> str:
    return current_app.config["SIGNIN_RATE_LIMIT"]


def _unique_handle(name: str) -> str:
    base = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", base.lower()).strip("-")[:40] or "host"
    handle = base
    while db.session.scalar(select(Host.id).where(Host.handle == handle)) is not None:
        handle = f"{base}-{secrets.token_hex(2)}"
    return handle


def create_host(name: str, email: str, password: str, timezone: str) -> Host:
    """Store a new host account (the e-mail lower-cased)."""
    host = Host(name=name, email=email.strip().lower(), handle=_unique_handle(name),
                password_hash=hash_password(password), timezone=timezone)
    db.session.add(host)
    commit()
    return host


def _start_session(host: Host) -> None:
    session.clear()  # a fresh session: nothing from before sign-in survives
    login_user(host)


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    form = SignUpForm()
    if request.method == "GET":
        form.timezone.data = current_app.config["DEFAULT_TIMEZONE"]
    if form.validate_on_submit():
        email = form.email.data.lower()
        if db.session.scalar(select(Host.id).where(Host.email == email)) is not None:
            form.email.errors.append(_("An account with this e-mail already exists. "
                                       "Sign in, or reset your password."))
        else:
            host = create_host(form.name.data, email, form.password.data, form.timezone.data)
            _start_session(host)
            flash(_("Welcome, %(name)s! Create your first event.", name=host.name), "success")
            return redirect(url_for("host.dashboard"))
    return render_template("auth/signup.html", form=form), 422 if form.errors else 200


@bp.route("/signin", methods=["GET", "POST"])
@limiter.limit(_signin_limit, methods=["POST"])
def signin():
    form = SignInForm()
    if form.validate_on_submit():
        host = db.session.scalar(select(Host).where(Host.email == form.email.data.lower()))
        valid = check_password_hash(host.password_hash if host else _dummy_hash(),
                                    form.password.data)
        if host and valid:
            _start_session(host)
            return redirect(_local_target(request.args.get("next", "")))
        form.password.errors.append(_("That e-mail and password don't match an account."))
    return render_template("auth/signin.html", form=form), 401 if form.errors else 200


@bp.route("/signout", methods=["POST"])
@login_required
def signout():
    # Rotating the token ends every copy of this session, not just this cookie.
    current_user.session_token = new_token()
    commit()
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("host.home"))


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_signin_limit, methods=["POST"])
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        host = db.session.scalar(select(Host).where(Host.email == form.email.data.lower()))
        if host is not None:
            token = secrets.token_urlsafe(32)
            db.session.add(PasswordReset(host_id=host.id, token_hash=_hash_token(token),
                                         expires_at=utcnow() + RESET_VALID))
            link = external_url("auth.reset_password", token=token)
            # Queued with the link it carries: both are stored, or neither. It speaks the
            # language of the page it was asked from.
            paragraphs = [
                _("Hello %(name)s,", name=host.name),
                _("Someone (hopefully you) asked to reset the password of your organizer "
                  "account. Choose a new one here within the next hour:"),
                link,
                _("If it was not you, ignore this mail; your password stays as it is."),
            ]
            mail.queue_message(mail.Message(
                to=host.email, subject=_("Reset your organizer password"),
                text="\n\n".join(paragraphs) + "\n"))
            commit()
        # The same answer whether or not the account exists.
        flash(_("If an account uses that address, a reset link is on its way. "
                "It works for one hour."), "info")
        return redirect(url_for("auth.signin"))
    return render_template("auth/reset_request.html", form=form)


def prune_resets(now) -> int:
    """Delete reset links that were used or have expired (the due-work command does)."""
    with write():  # a write after whatever the caller read: the write lock first
        result = db.session.execute(delete(PasswordReset).where(
            (PasswordReset.used_at.is_not(None)) | (PasswordReset.expires_at < now)))
    return result.rowcount


def _valid_reset(token: str) -> PasswordReset | None:
    reset = db.session.scalar(select(PasswordReset).where(
        PasswordReset.token_hash == _hash_token(token)))
    if reset is None or reset.used_at is not None or reset.expires_at < utcnow():
        return None
    return reset


@bp.route("/reset/<secret:token>", methods=["GET", "POST"])
def reset_password(token: str):
    reset = _valid_reset(token)
    if reset is None:
        return render_template("error.html", code=400, message=_(
            "This reset link is invalid, was already used or has expired. "
            "Ask for a new one.")), 400
    form = ResetPasswordForm()
    form.account_email, form.account_name = reset.host.email, reset.host.name
    if form.validate_on_submit():
        host = reset.host
        # This link and every other one sent to the account stop working; of
        # two uses of one link at once, only the first changes the password.
        used = db.session.execute(update(PasswordReset).where(
            PasswordReset.host_id == host.id, PasswordReset.used_at.is_(None))
            .values(used_at=utcnow()).returning(PasswordReset.id)).scalars().all()
        if reset.id not in used:
            db.session.rollback()
            return render_template("error.html", code=400, message=_(
                "This reset link was just used. Ask for a new one if you still need to.")), 400
        host.password_hash = hash_password(form.password.data)
        host.session_token = new_token()  # sign out every other session
        commit()
        _start_session(host)
        flash(_("Your password is changed and you are signed in."), "success")
        return redirect(url_for("host.dashboard"))
    return render_template("auth/reset_password.html", form=form)


def init_app(app) -> None:
    """Wire sign-in and the auth routes into ``app``."""
    login_manager.init_app(app)
    app.register_blueprint(bp)
