"""Long jobs record their progress in the database, where any page can show it."""
from __future__ import annotations

import threading
import time

from organizer import jobs
from organizer.db import db
from organizer.models import Host, Job

from .conftest import signup

RELEASE = threading.Event()


@jobs.register("test.count")
def count_job(ctx, n):
    ctx.progress(0, total=n, message="counting")
    for i in range(n):
        ctx.progress(i + 1)
    path = ctx.output_path("count.txt")
    path.write_text(f"counted {n}")
    return {"file": str(path)}


@jobs.register("test.wait")
def waiting_job(ctx):
    ctx.progress(1, total=2, message="halfway")
    RELEASE.wait(10)
    ctx.progress(2)
    return {}


@jobs.register("test.fail")
def failing_job(ctx):
    ctx.progress(1, total=3)
    raise RuntimeError("the printer is on fire")


def _host():
    return db.session.query(Host).one()


def test_a_job_records_progress_and_its_file_can_be_downloaded(app, host_client):
    job = jobs.submit("test.count", {"n": 5}, owner=_host())
    assert job.status == "done" and job.done == 5 and job.total == 5 and job.percent == 100
    state = host_client.get(f"/jobs/{job.id}.json").get_json()
    assert state["status"] == "done" and state["percent"] == 100
    download = host_client.get(state["download"])
    assert download.status_code == 200 and download.data == b"counted 5"
    download.close()
    assert "Finished." in host_client.get(f"/jobs/{job.id}").get_data(as_text=True)


def test_the_thread_backend_runs_jobs_in_the_background_with_live_progress(app_factory):
    app = app_factory(JOB_BACKEND="thread")
    RELEASE.clear()
    with app.app_context():
        client = app.test_client()
        signup(client)
        job_id = jobs.submit("test.wait", owner=_host()).id
        for _ in range(200):
            state = client.get(f"/jobs/{job_id}.json").get_json()
            if state["status"] == "running" and state["done"] == 1:
                break  # halfway, and waiting for RELEASE
            time.sleep(0.05)
        assert state["status"] == "running" and state["percent"] == 50
        assert state["message"] == "halfway"
        RELEASE.set()
        jobs.wait_all(app)
        assert client.get(f"/jobs/{job_id}.json").get_json()["status"] == "done"


def test_a_failing_job_is_reported_not_lost(app, host_client):
    job = jobs.submit("test.fail", owner=_host())
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.status == "failed" and "the printer is on fire" in job.message
    assert "RuntimeError" in job.error
    page = host_client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "Failed: the printer is on fire" in page


def test_a_job_is_run_once_even_if_handed_to_two_workers(app):
    job = Job(kind="test.count", params={"n": 2})
    db.session.add(job)
    db.session.commit()
    jobs.run_job(job.id)
    first = db.session.get(Job, job.id).finished_at
    jobs.run_job(job.id)
    db.session.expire_all()
    assert db.session.get(Job, job.id).finished_at == first


def test_another_hosts_job_is_forbidden(app, host_client):
    job = jobs.submit("test.count", {"n": 1}, owner=_host())
    other = app.test_client()
    signup(other, name="Ben", email="ben@example.org")
    assert other.get(f"/jobs/{job.id}.json").status_code == 403
    assert other.get(f"/jobs/{job.id}/download").status_code == 403
    assert other.get("/jobs/424242").status_code == 404


def test_a_job_whose_process_died_is_marked_failed_by_the_due_work_command(app, host_client):
    from datetime import timedelta

    from organizer import tick
    from organizer.models import utcnow
    now = utcnow()
    # One job's process died half an hour ago; another reported a minute ago.
    dead = Job(kind="test.count", params={"n": 9}, owner_id=_host().id, status="running",
               started_at=now - timedelta(hours=1), heartbeat_at=now - timedelta(minutes=30))
    alive = Job(kind="test.count", params={"n": 9}, owner_id=_host().id, status="running",
                started_at=now - timedelta(hours=1), heartbeat_at=now - timedelta(minutes=1))
    db.session.add_all([dead, alive])
    db.session.commit()
    assert tick.run(now=now)["stalled_jobs"] == 1
    db.session.expire_all()
    assert (dead.status, alive.status) == ("failed", "running")
    page = host_client.get(f"/jobs/{dead.id}").get_data(as_text=True)
    assert "stopped without finishing" in page and "Start it again" in page
    assert tick.run(now=now)["stalled_jobs"] == 0  # a second timer finds nothing to do

