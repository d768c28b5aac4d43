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
    raise RuntimeError("the printer is on fire at /srv/organizer/instance/jobs/1")


@jobs.register("test.refuse")
def refusing_job(ctx):
    raise jobs.JobError("The event has no guests yet.")


@jobs.register("test.partly")
def partly_failing_job(ctx):
    return {"failed": [
        "Ann Example: (sqlite3.OperationalError) database is locked\n[SQL: SELECT 1]",
        "Ben Example: [Errno 2] No such file or directory: '/srv/organizer/x.pdf'",
        "Cleo Example: the photo is too large to print"]}


@jobs.register("test.unstorable")
def unstorable_job(ctx):
    path = ctx.output_path("made.txt")
    path.write_text("made")
    return {"file": path}  # a Path is not JSON: the result cannot be stored


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
    # People read a sentence; the details are kept for whoever reads the log.
    assert job.status == "failed" and job.message == jobs.FAILED_MESSAGE
    assert "RuntimeError" in job.error and "the printer is on fire" in job.error
    page = host_client.get(f"/jobs/{job.id}").get_data(as_text=True)
    state = host_client.get(f"/jobs/{job.id}.json").get_json()
    assert "Failed: Something went wrong while running this job" in page
    assert state["message"] == jobs.FAILED_MESSAGE
    for shown in (page, str(state)):
        assert "printer" not in shown and "/srv/" not in shown and "RuntimeError" not in shown


def test_a_job_that_cannot_be_done_says_why(app, host_client):
    job = jobs.submit("test.refuse", owner=_host())
    state = host_client.get(f"/jobs/{job.id}.json").get_json()
    assert state["status"] == "failed" and state["message"] == "The event has no guests yet."
    page = host_client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "Failed: The event has no guests yet." in page


def test_internal_text_from_before_is_never_shown(app, host_client):
    # A failure stored with the driver's words (SQL, a path) shows a sentence instead.
    job = Job(kind="test.count", params={"n": 1}, owner_id=_host().id, status="failed",
              message="(sqlite3.OperationalError) database is locked [SQL: UPDATE job SET "
                      "status=?] [parameters: ('done', '{\"file\": \"/srv/x/jobs/1/a.pdf\"}')]")
    db.session.add(job)
    db.session.commit()
    state = host_client.get(f"/jobs/{job.id}.json").get_json()
    page = host_client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert state["message"] == jobs.FAILED_MESSAGE
    assert "SQL" not in page and "/srv/" not in page and "locked" not in page


def test_one_persons_failure_is_listed_without_the_raw_error(app, host_client):
    job = jobs.submit("test.partly", owner=_host())
    state = host_client.get(f"/jobs/{job.id}.json").get_json()
    assert state["status"] == "done" and state["failed"] == [
        f"Ann Example: {jobs.FAILED_ONE}", f"Ben Example: {jobs.FAILED_ONE}",
        "Cleo Example: the photo is too large to print"]
    page = host_client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "Not done for 3" in page and "SQL" not in page and "/srv/" not in page


def test_reason_turns_an_exception_into_a_sentence():
    assert jobs.reason(jobs.JobError("Nobody is going yet.")) == "Nobody is going yet."
    assert jobs.reason(OSError(2, "No such file", "/srv/x.pdf")) == jobs.FAILED_ONE
    assert jobs.presentable("The event has no guests yet.")
    assert jobs.presentable("See https://example.org/help/jobs and/or ask.")
    for internal in ("[SQL: SELECT 1]", "open /srv/organizer/instance/x", "Traceback (most "
                     "recent call last):", '  File "/x.py", line 1'):
        assert not jobs.presentable(internal), internal


def test_a_result_that_cannot_be_stored_fails_the_job_instead_of_leaving_it_running(
        app, host_client):
    job = jobs.submit("test.unstorable", owner=_host())
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.status == "failed" and job.finished_at is not None
    assert job.message == jobs.FAILED_MESSAGE
    assert host_client.get(f"/jobs/{job.id}/download").status_code == 404


def test_a_busy_database_delays_the_outcome_but_does_not_lose_it(app, monkeypatch):
    import sqlite3
    from contextlib import contextmanager

    from sqlalchemy import select
    from sqlalchemy.exc import OperationalError

    job = Job(kind="test.count", params={"n": 3})
    db.session.add(job)
    db.session.commit()
    real, refusals = jobs.write, []

    @contextmanager
    def busy_when_done(*args, **kwargs):
        with real(*args, **kwargs) as session:
            yield session
            status = session.scalar(select(Job.status).where(Job.id == job.id))
            if status == "done" and len(refusals) < 3:
                # The outcome's write is refused three times, then it goes through.
                refusals.append(status)
                raise OperationalError("UPDATE job", {}, sqlite3.OperationalError(
                    "database is locked"))

    monkeypatch.setattr(jobs, "write", busy_when_done)
    jobs.run_job(job.id)
    monkeypatch.setattr(jobs, "write", real)
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert refusals == ["done"] * 3
    assert job.status == "done" and job.done == 3 and job.result["file"].endswith("count.txt")


def test_a_removed_cohost_no_longer_sees_or_downloads_the_events_jobs(app, host_client):
    from .rsvp.helpers import make_event, rsvp
    from .conftest import post

    event = make_event(host_client, capacity="10")
    assert rsvp(app.test_client(), event, "Gus Guest", "gus@example.org").status_code == 201
    ben = app.test_client()
    signup(ben, name="Ben", email="ben@example.org")
    post(host_client, f"/events/{event.id}/cohosts", {"email": "ben@example.org"},
         page="/dashboard")
    # Ben, a co-host, starts a badge sheet and may download it.
    response = post(ben, f"/events/{event.id}/badges",
                    {"layout": "a4-2x4", "who": "going", "blanks": "0"},
                    page=f"/events/{event.id}/badges")
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    job = db.session.scalars(db.select(Job).order_by(Job.id.desc())).first()
    state = ben.get(f"/jobs/{job.id}.json").get_json()
    assert state["status"] == "done", state
    download = ben.get(state["download"])
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    assert "no-store" in download.headers["Cache-Control"]
    download.close()
    # The owner removes Ben: the job's page, its state and its file are his no more.
    ben_id = db.session.query(Host).filter_by(email="ben@example.org").one().id
    assert post(host_client, f"/events/{event.id}/cohosts/{ben_id}/remove",
                page="/dashboard").status_code == 302
    for url in (f"/jobs/{job.id}", f"/jobs/{job.id}.json", state["download"]):
        response = ben.get(url)
        assert response.status_code in (403, 404), url
        assert not response.data.startswith(b"%PDF")


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


def test_a_job_queued_in_a_server_that_restarted_before_starting_it_is_marked_failed(
        app_factory):
    from datetime import timedelta

    from organizer import tick
    from organizer.models import utcnow
    app = app_factory(JOB_BACKEND="thread")
    with app.app_context():
        client = app.test_client()
        signup(client)
        now = utcnow()
        lost = Job(kind="test.count", params={"n": 1}, owner_id=_host().id, status="queued",
                   created_at=now - timedelta(hours=2))
        waiting = Job(kind="test.count", params={"n": 1}, owner_id=_host().id, status="queued",
                      created_at=now - timedelta(minutes=30))
        db.session.add_all([lost, waiting])
        db.session.commit()
        assert tick.run(now=now)["stalled_jobs"] == 1
        db.session.expire_all()
        assert (lost.status, waiting.status) == ("failed", "queued")
        assert "never started" in client.get(f"/jobs/{lost.id}").get_data(as_text=True)

