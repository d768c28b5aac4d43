"""Progress of long jobs, as a page and as JSON for the page's polling script."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, jsonify, render_template, send_file, url_for
from flask_login import current_user, login_required

from .. import jobs
from ..db import db
from ..models import Job

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


def _own_job(job_id: int) -> Job:
    job = db.session.get(Job, job_id)
    if job is None:
        abort(404)
    if job.owner_id != current_user.id:
        abort(403)
    return job


def job_state(job: Job) -> dict:
    """What a progress page needs to know about ``job``."""
    state = {"id": job.id, "kind": job.kind, "title": jobs.title(job.kind), "status": job.status, "done": job.done,
             "total": job.total, "percent": job.percent, "message": job.message}
    failed = job.result.get("failed") if isinstance(job.result, dict) else None
    if failed:
        state["failed"] = [str(line) for line in failed][:100]
    if job.status == "done" and job.result.get("file"):
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
    return jsonify(job_state(_own_job(job_id)))


@bp.route("/<int:job_id>/download")
@login_required
def download(job_id: int):
    job = _own_job(job_id)
    path = Path(job.result.get("file", "")).resolve()
    folder = (Path(current_app.instance_path) / "jobs" / str(job.id)).resolve()
    # Only files the job wrote into its own folder are ever sent.
    if job.status != "done" or folder not in path.parents or not path.is_file():
        abort(404)
    return send_file(path, as_attachment=True, download_name=path.name)
