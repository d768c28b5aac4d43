"""Progress of long jobs, as a page and as JSON for the page's polling script."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, jsonify, render_template, send_file, url_for
from flask_login import current_user, login_required

from .. import events, jobs
from ..db import db
from ..i18n import gettext as _
from ..models import Event, Job

bp = Blueprint("jobs", __name__, url_prefix="/jobs")
MAX_FAILED_LINES = 100


def _own_job(job_id: int) -> Job:
    """The job, if the viewer started it and may still edit its event (403 otherwise).

    The right is checked now, not when the job was started: a co-host who has
    been removed from the event no longer sees its jobs or their files.
    """
    job = db.session.get(Job, job_id)
    if job is None:
        abort(404)
    if job.owner_id != current_user.id:
        abort(403)
    if job.event_id is not None:
        event = db.session.get(Event, job.event_id)
        if event is None:
            abort(404)
        if not events.can_edit(event, current_user):
            abort(403)
    return job


def _message(job: Job) -> str:
    """The job's message as people may read it: a sentence, never internals."""
    message = job.message or ""
    if jobs.presentable(message):
        return jobs.shown(message)
    return str(jobs.FAILED_MESSAGE) if job.status == "failed" else ""


def _failed_line(line) -> str:
    """One person's failure, without the raw error text a job may have put in it."""
    text = str(line)
    if jobs.presentable(text):
        return text
    name, sep, _rest = text.partition(": ")
    if sep and jobs.presentable(name):
        # Translators: one person's line in the list of those a job could not do.
        return _("%(name)s: %(reason)s", name=name, reason=jobs.FAILED_ONE)
    return str(jobs.FAILED_ONE_ALONE)


def job_state(job: Job) -> dict:
    """What a progress page needs to know about ``job``."""
    state = {"id": job.id, "kind": job.kind, "title": jobs.title(job.kind), "status": job.status,
             "done": job.done, "total": job.total, "percent": job.percent,
             "message": _message(job)}
    result = job.result if isinstance(job.result, dict) else {}
    failed = result.get("failed")
    if failed and isinstance(failed, (list, tuple)):
        state["failed"] = [_failed_line(line) for line in failed[:MAX_FAILED_LINES]]
    if job.status == "done" and result.get("file"):
        state["download"] = url_for("jobs.download", job_id=job.id)
    return state


@bp.route("/<int:job_id>")
@login_required
def show(job_id: int):
    job = _own_job(job_id)
    return render_template("jobs/show.html", job=job, state=job_state(job))


@bp.route("/<int:job_id>.json")
@login_required
def state(job_id: int):
    response = jsonify(job_state(_own_job(job_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<int:job_id>/download")
@login_required
def download(job_id: int):
    job = _own_job(job_id)
    result = job.result if isinstance(job.result, dict) else {}
    path = Path(str(result.get("file") or "")).resolve()
    folder = (Path(current_app.instance_path) / "jobs" / str(job.id)).resolve()
    # Only files the job wrote into its own folder are ever sent.
    if job.status != "done" or folder not in path.parents or not path.is_file():
        abort(404)
    response = send_file(path, as_attachment=True, download_name=path.name)
    # Who may download can change (a co-host removed): never from a cache.
    response.headers["Cache-Control"] = "private, no-store"
    return response
