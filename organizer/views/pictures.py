"""Pictures: serving their files, an event's cover, a host's profile (name, bio, photo)."""
from __future__ import annotations

from flask import (Blueprint, Response, abort, flash, redirect, render_template, request,
                   url_for)
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import events, pictures
from ..db import db
from ..forms import CoverForm, ProfileForm
from ..i18n import gettext as _
from ..models import Picture, PictureFile, utcnow
from ..security import allows_upload

bp = Blueprint("pictures", __name__)

# The upload itself plus the form's other fields.
UPLOAD_LIMIT = pictures.MAX_BYTES + 64 * 1024


@bp.route("/p/<key>/<size>.jpg")
def picture_file(key: str, size: str):
    """One size of a picture. A picture's key changes with each upload, so its files
    never change and are cached for a year."""
    found = db.session.scalar(
        select(PictureFile).join(Picture).where(Picture.key == key, PictureFile.size == size))
    if found is None:
        abort(404)
    response = Response(found.data, mimetype="image/jpeg")
    response.set_etag(f"{key}-{size}")
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response.make_conditional(request)


def _upload(field) -> bytes | None:
    upload = field.data
    if not upload or not getattr(upload, "filename", ""):
        return None
    return upload.read(pictures.MAX_BYTES + 1)


@bp.route("/events/<int:event_id>/cover", methods=["GET", "POST"])
@login_required
@allows_upload(UPLOAD_LIMIT)
def cover(event_id: int):
    event = events.get_editable(event_id, current_user)
    form = CoverForm()
    if request.method == "GET" and event.cover:
        form.alt.data = event.cover.alt
    if form.validate_on_submit():
        raw = _upload(form.picture)
        try:
            if raw is not None:
                pictures.set_cover(event, pictures.make(raw, pictures.COVER, form.alt.data))
            elif event.cover:
                event.cover.alt = form.alt.data
            else:
                raise pictures.PictureError(_("Choose a picture to upload."))
        except pictures.PictureError as exc:
            form.picture.errors.append(str(exc))
        else:
            event.updated_at = utcnow()
            db.session.commit()
            flash(_("Cover saved. It shows on the event page and when its link is shared."),
                  "success")
            return redirect(url_for("host.manage", event_id=event.id))
    status = 422 if form.errors else 200
    return render_template("host/cover.html", event=event, form=form), status


@bp.route("/events/<int:event_id>/cover/remove", methods=["POST"])
@login_required
def remove_cover(event_id: int):
    event = events.get_editable(event_id, current_user)
    if event.cover:
        pictures.set_cover(event, None)
        event.updated_at = utcnow()
        db.session.commit()
        flash(_("Cover removed. Shared links show the drawn card again."), "success")
    return redirect(url_for("host.manage", event_id=event.id))


@bp.route("/settings/profile", methods=["GET", "POST"])
@login_required
@allows_upload(UPLOAD_LIMIT)
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        raw = _upload(form.photo)
        try:
            photo = pictures.make(raw, pictures.PHOTO, current_user.name) \
                if raw is not None else None
        except pictures.PictureError as exc:
            form.photo.errors.append(str(exc))
        else:
            current_user.name = form.name.data
            current_user.bio = form.bio.data
            if photo is not None:
                pictures.set_photo(current_user, photo)
            elif form.remove_photo.data:
                pictures.set_photo(current_user, None)
            if current_user.photo:
                current_user.photo.alt = current_user.name
            db.session.commit()
            flash(_("Profile saved."), "success")
            return redirect(url_for("pictures.profile"))
    status = 422 if form.errors else 200
    return render_template("host/profile.html", form=form, host=current_user), status
