"""Follow-up PDFs: PDFs per second and memory over a run, for 10, 100 and 500 attendees.

Each size runs in a fresh process on its own SQLite database: an event whose
attendees all checked in, with profiles and published pairs (so every PDF
lists a match with reasons and shared details), then every attendee's
follow-up PDF is built as the send job builds it. Memory is the process's
resident size after the first PDF and after the last: flat means the
renderer does not grow with the number of PDFs.

    .venv/bin/python benchmarks/followup.py
    .venv/bin/python benchmarks/followup.py --sizes 10 100

The baseline, in the same process: the same documents' HTML (built
beforehand) handed to WeasyPrint directly, one ``HTML(...).write_pdf()`` a
person, with nothing shared between calls — the library called naively.

Goals: ≥ 10 PDFs per second, memory flat across the run, and at least the
naive rate (ratio ≥ 1.0×).
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile

from support import python

RUN = """
import json, secrets, sys, time
from datetime import timedelta
from sqlalchemy import insert, select
from organizer import create_app, events, auth
from organizer.db import db
from organizer.migrate import reset
from organizer.models import Attendee, utcnow
from organizer_plugins.followup import content, documents
from organizer_plugins.matching import runs
from organizer_plugins.matching.models import Profile

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

n = int(sys.argv[1])
skills = ["fundraising", "hiring", "design", "python", "sales", "mentoring", "policy"]
app = create_app({"JOB_BACKEND": "eager", "BASE_URL": "https://meet.example.org"})
with app.app_context():
    reset()
    host = auth.create_host("Bench Host", "bench@example.org", "a bench passphrase", "UTC")
    start = utcnow() - timedelta(hours=3)
    event = events.create(host, {"kind": "meetup", "title": "Climate Tech Meetup",
        "timezone": "Europe/Berlin", "venue": "Hall", "capacity": n, "starts_at": start,
        "ends_at": start + timedelta(hours=2)}, publish=True)
    now = utcnow()
    db.session.execute(insert(Attendee), [
        {"event_id": event.id, "name": f"Person {i} Müller-Łukasiewicz", "email": f"p{i}@example.org",
         "status": "going", "guests": 0, "token": secrets.token_urlsafe(24),
         "organisation": f"Org {i % 17}", "role": "Founder", "created_at": now,
         "updated_at": now, "checked_in_at": now} for i in range(n)])
    ids = [row[0] for row in db.session.execute(select(Attendee.id).order_by(Attendee.id))]
    db.session.execute(insert(Profile), [
        {"attendee_id": a, "event_id": event.id, "interests": ["climate", skills[i % 7]],
         "field": ["energy", "finance", "software"][i % 3], "offers": [skills[i % 7]],
         "seeks": [skills[(i + 3) % 7]], "languages": [], "links": ["https://example.org/p"],
         "share": ["email", "offers", "organisation"], "opted_out": False,
         "updated_at": now} for i, a in enumerate(ids)])
    db.session.commit()
    setup = runs.setup_of(event)
    runs.store_draft(event, runs.compute(event, setup))
    runs.publish(runs.draft(event), event, setup)
    settings = content.settings_of(event)
    people = content.recipients(event, settings)
    documents.personal_pdf(content.build(people[0], settings))  # the renderer, warm
    first = rss_mb()
    began = time.perf_counter()
    for someone in people:
        documents.personal_pdf(content.build(someone, settings))
    seconds = time.perf_counter() - began
    last = rss_mb()
    from flask import render_template
    from weasyprint import HTML
    from organizer.plugin_api import FONT_STACK
    with app.test_request_context():
        pages = [render_template("followup/personal.html", f=content.build(someone, settings),
                                 font_stack=FONT_STACK) for someone in people]
    began = time.perf_counter()
    for page in pages:
        HTML(string=page).write_pdf()
    naive = time.perf_counter() - began
    print(json.dumps({"seconds": seconds, "naive": naive, "first": first, "last": last}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 500])
    args = parser.parse_args()
    print("one fresh process per size; each attendee's PDF built once\n")
    print(f"{'attendees':>9} {'seconds':>8} {'PDFs/s':>7} {'naive/s':>8} {'ratio':>6} "
          f"{'RSS after 1st':>14} {'RSS at end':>11} {'growth':>7}  goal")
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as folder:
            env = {**os.environ, "ORGANIZER_INSTANCE_PATH": folder,
                   "ORGANIZER_DATABASE_URL": f"sqlite:///{folder}/bench.db"}
            result = json.loads(python(RUN, env, str(n)))
        rate, naive = n / result["seconds"], n / result["naive"]
        growth = result["last"] - result["first"]
        verdict = "met" if rate >= 10 and growth < 20 and rate >= naive else "NOT met"
        print(f"{n:>9} {result['seconds']:>8.2f} {rate:>7.1f} {naive:>8.1f} {rate / naive:>5.2f}× "
              f"{result['first']:>12.0f} MB {result['last']:>8.0f} MB {growth:>+5.0f} MB  "
              f"{verdict}")


if __name__ == "__main__":
    main()
