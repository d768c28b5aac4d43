"""The host's webhook endpoints: add one, see its deliveries, resend, pause, resume, delete."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import or_, select

from .. import webhooks
from ..db import db
from ..forms import WebhookForm, options
from ..i18n import format_date_short, gettext as _, ngettext
from ..models import CoHost, Event
from ..security import private_page
from ..webhooks import addresses, endpoints

bp = Blueprint("webhooks", __name__)


def _events_of_host() -> list[Event]:
    return list(db.session.scalars(select(Event).where(or_(
        Event.owner_id == current_user.id,
        Event.id.in_(select(CoHost.event_id).where(CoHost.host_id == current_user.id))))
        .order_by(Event.starts_at.desc()).limit(500)))


def _form(**kwargs) -> WebhookForm:
    form = WebhookForm(**kwargs)
    form.event_id.choices = options(
        [("", _("All my events"))] + [
            (str(e.id), f"{e.title} ({format_date_short(e.local_start)})")
            for e in _events_of_host()])
    form.types.choices = options(sorted(webhooks.types().items()))
    return form


def _checked(form: WebhookForm) -> tuple[str | None, int | None]:
    """The URL if a webhook may go there (else the form's error), and the event chosen."""
    url = None
    if form.validate_on_submit():
        try:
            url = addresses.check(form.url.data)
        except addresses.Refused as refused:
            form.url.errors = [str(refused)]
    return url, int(form.event_id.data) if form.event_id.data else None


@bp.route("/settings/webhooks", methods=["GET", "POST"])
@login_required
def page():
    form = _form()
    url, event_id = _checked(form)
    if url:
        endpoint = endpoints.create(current_user, url, form.types.data, event_id,
                                    form.description.data or "")
        flash(_("The endpoint is saved. Check signatures with the secret shown below."),
              "success")
        return redirect(url_for("webhooks.endpoint", endpoint_id=endpoint.id))
    if request.method == "GET" and not form.types.data:
        form.types.data = list(webhooks.CORE_TYPES)
    return render_template("host/webhooks.html", form=form,
                           endpoints=endpoints.of_host(current_user),
                           types=webhooks.types()), 422 if form.errors else 200


def _own(endpoint_id: int):
    endpoint = endpoints.get(current_user, endpoint_id)
    if endpoint is None:
        abort(404)
    return endpoint


@bp.route("/settings/webhooks/<int:endpoint_id>", methods=["GET", "POST"])
@login_required
def endpoint(endpoint_id: int):
    found = _own(endpoint_id)
    form = _form(obj=None) if request.method == "POST" else _form(data={
        "url": found.url, "description": found.description,
        "event_id": str(found.event_id or ""), "types": found.type_list})
    url, event_id = _checked(form)
    if url:
        endpoints.change(found, url, form.types.data, event_id, form.description.data or "")
        flash(_("The endpoint is changed."), "success")
        return redirect(url_for("webhooks.endpoint", endpoint_id=found.id))
    before = request.args.get("before", type=int)
    private_page()  # the signing secret is on this page
    return render_template("host/webhook.html", endpoint=found, form=form,
                           deliveries=endpoints.log(found, before=before),
                           types=webhooks.types()), 422 if form.errors else 200


@bp.route("/settings/webhooks/<int:endpoint_id>/resend", methods=["POST"])
@login_required
def resend(endpoint_id: int):
    found = _own(endpoint_id)
    if found.paused_at is not None:
        flash(_("Resume the endpoint first: nothing is sent to a paused endpoint."), "error")
        return redirect(url_for("webhooks.endpoint", endpoint_id=found.id))
    chosen = request.form.get("message_id", type=int)
    count = endpoints.resend(found, [chosen] if chosen else None)
    flash(ngettext("%(num)d delivery is queued again.", "%(num)d deliveries are queued again.",
                   count)
          if count else _("There was nothing to send again."), "success" if count else "info")
    return redirect(url_for("webhooks.endpoint", endpoint_id=found.id))


@bp.route("/settings/webhooks/<int:endpoint_id>/pause", methods=["POST"])
@login_required
def pause(endpoint_id: int):
    found = _own(endpoint_id)
    if found.paused_at is None:
        endpoints.pause(found, _("Paused by %(name)s.", name=current_user.name))
    flash(_("The endpoint is paused: changes are not sent to it until you resume it."),
          "success")
    return redirect(url_for("webhooks.endpoint", endpoint_id=found.id))


@bp.route("/settings/webhooks/<int:endpoint_id>/resume", methods=["POST"])
@login_required
def resume(endpoint_id: int):
    found = _own(endpoint_id)
    endpoints.resume(found)
    flash(_("The endpoint receives changes again. Resend what it missed from the log below."),
          "success")
    return redirect(url_for("webhooks.endpoint", endpoint_id=found.id))


@bp.route("/settings/webhooks/<int:endpoint_id>/delete", methods=["POST"])
@login_required
def delete(endpoint_id: int):
    found = _own(endpoint_id)
    endpoints.delete(found)
    flash(_("The endpoint and its delivery log are deleted."), "success")
    return redirect(url_for("webhooks.page"))
