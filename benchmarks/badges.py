"""Badge sheets: badges per second and peak memory for 8, 80 and 800 badges.

Each size runs in a fresh process on its own SQLite database: an event with
N people going, each with a ticket whose QR code is made when the ticket is
issued (as it is when the confirmation mail goes out), then the host's
"badge sheet" job (A4, 2 × 4) is run twice — the first build pays for
loading fonts, the second shows the warm renderer a running server has.
Peak memory is the job process's maximum resident size over the whole run;
long sheets are rendered in renderer processes (one per core, PDF_PROCESSES),
whose largest maximum is the "renderer" column (the largest child process).

    .venv/bin/python benchmarks/badges.py
    .venv/bin/python benchmarks/badges.py --sizes 8 80 800 --layout letter-2x4

The baseline, in the same process after the two builds: the same badges'
HTML (the same stored codes) handed to WeasyPrint in one call, in one
process, with no job, no parts and no renderer processes — the naive render.

Goals: 800 badges in ≤ 6 s, under 250 MB, and the warm build at least as
fast as the naive render (ratio ≥ 1.0×).
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile

from support import python

RUN = """
import json, resource, secrets, sys, time
from datetime import timedelta
from sqlalchemy import insert, select
from organizer import create_app, events, auth, jobs
from organizer.db import db
from organizer.migrate import reset
from organizer.models import Attendee, Job, utcnow
from organizer_plugins.badges.models import Ticket
from organizer_plugins.badges.tickets import code_image, new_secret, url_for_secret

n, layout = int(sys.argv[1]), sys.argv[2]
app = create_app({"JOB_BACKEND": "eager", "BASE_URL": "https://meet.example.org"})
names = ["Ana Souza", "Benedikt Hohenzollern", "山田 太郎", "محمد عبد الله", "Zoë Ångström",
         "Priya Raghunathan", "Ole Nordmann", "Chidi Okonkwo"]
with app.app_context():
    reset()
    host = auth.create_host("Bench Host", "bench@example.org", "a bench passphrase", "UTC")
    start = utcnow() + timedelta(days=1)
    event = events.create(host, {"kind": "meetup", "title": "Climate Tech Meetup",
        "timezone": "UTC", "venue": "Hall", "capacity": n, "starts_at": start,
        "ends_at": start + timedelta(hours=3)}, publish=True)
    now = utcnow()
    db.session.execute(insert(Attendee), [
        {"event_id": event.id, "name": f"{names[i % 8]} {i}", "email": f"p{i}@example.org",
         "status": "going", "guests": 0, "token": secrets.token_urlsafe(24),
         "organisation": "Example Organisation", "role": "Founder",
         "created_at": now, "updated_at": now} for i in range(n)])
    ids = [row[0] for row in db.session.execute(select(Attendee.id))]
    began = time.perf_counter()
    rows = []
    for attendee_id in ids:
        secret = new_secret()
        rows.append({"attendee_id": attendee_id, "event_id": event.id, "secret": secret,
                     "issued_at": now, "code": code_image(url_for_secret(secret, event.id))})
    issuing = time.perf_counter() - began
    db.session.execute(insert(Ticket), rows)
    db.session.commit()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    builds = []
    for _ in range(2):
        began = time.perf_counter()
        job = jobs.submit("badges.sheet", {"event_id": event.id, "layout": layout,
                                           "who": "going", "blanks": 0}, owner=host, event=event)
        builds.append(time.perf_counter() - began)
        assert job.status == "done", job.error
    size = __import__("os").path.getsize(job.result["file"])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # The largest renderer process the job started (0 when it rendered in-process).
    renderer = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    # The naive render: one WeasyPrint call on the whole sheet's HTML.
    from weasyprint import HTML
    from organizer_plugins.badges import layouts, printing, sheets
    stored = {t.attendee_id: t for t in db.session.scalars(select(Ticket))}
    data = [printing.badge_data(event, db.session.get(Attendee, i), stored[i]) for i in ids]
    began = time.perf_counter()
    HTML(string=sheets.document(data, layouts.get(layout))).write_pdf()
    naive = time.perf_counter() - began
    print(json.dumps({"issuing": issuing, "cold": builds[0], "warm": builds[1], "naive": naive,
                      "before": before, "peak": peak, "renderer": renderer, "bytes": size}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[8, 80, 800])
    parser.add_argument("--layout", default="a4-2x4")
    args = parser.parse_args()
    print(f"layout {args.layout}; one fresh process per size\n")
    print(f"{'badges':>7} {'codes made':>11} {'first build':>12} {'warm build':>11} "
          f"{'naive':>8} {'ratio':>6} {'badges/s':>9} {'peak MB':>8} {'renderer MB':>12} "
          f"{'PDF kB':>7}  goal")
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as folder:
            env = {**os.environ, "ORGANIZER_INSTANCE_PATH": folder,
                   "ORGANIZER_DATABASE_URL": f"sqlite:///{folder}/bench.db"}
            result = json.loads(python(RUN, env, str(n), args.layout))
        ratio = result["naive"] / result["warm"]
        verdict = ""
        if n >= 800:
            ok = (result["warm"] <= 6 and result["cold"] <= 6 and result["peak"] < 250
                  and result["renderer"] < 250 and ratio >= 1.0)
            verdict = "met" if ok else "NOT met"
        print(f"{n:>7} {result['issuing']:>10.2f}s {result['cold']:>11.2f}s "
              f"{result['warm']:>10.2f}s {result['naive']:>7.2f}s {ratio:>5.2f}× "
              f"{n / result['warm']:>9.0f} {result['peak']:>8.0f} {result['renderer']:>12.0f} "
              f"{result['bytes'] / 1024:>7.0f}  {verdict}")
    print("\ncodes made: encoding every ticket's QR once, as issuing does (not part of a build)"
          "\nnaive: the same HTML in one WeasyPrint call, one process; ratio: naive / warm build")


if __name__ == "__main__":
    main()
