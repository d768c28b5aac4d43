"""The host's API tokens: make one (shown once), see when each was last used, revoke."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..api import tokens
from ..forms import ApiTokenForm
from ..i18n import gettext as _
from ..security import private_page

bp = Blueprint("tokens", __name__)


@bp.route("/settings/api-tokens", methods=["GET", "POST"])
@login_required
def page():
    form = ApiTokenForm()
    made = None
    if form.validate_on_submit():
        token, secret = tokens.issue(current_user, form.name.data, form.scope.data)
        made = {"token": token, "secret": secret}
        private_page()  # the secret is on this page: never cached
        form = ApiTokenForm(formdata=None)
    status = 422 if form.errors else (201 if made else 200)
    return render_template("host/api_tokens.html", form=form, made=made,
                           tokens=tokens.of_host(current_user), scopes=tokens.SCOPES), status


@bp.route("/settings/api-tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int):
    token = tokens.revoke(current_user, token_id)
    if token is None:
        abort(404)
    flash(_("“%(name)s” is revoked: requests with it are refused from now on.",
            name=token.name), "success")
    return redirect(url_for("tokens.page"))
