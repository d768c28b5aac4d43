"""A host's calendar feed of 1,000 events: how long the app takes to answer it, and a poll.

Runs in a fresh process on its own SQLite database: a host with 1,000
published events in three time zones (title, description, venue, address),
then the feed ``/h/<handle>/calendar.ics`` is fetched through the app as a
calendar app fetches it, several times (the best and the median are kept),
and once more with the ``If-None-Match`` it was given (a poll when nothing
changed).

The baseline, in the same process: the same events read with one SELECT and
built into a calendar with icalendar directly (the same properties, each
zone's VTIMEZONE), with nothing else: no app, no plugins, no request.

    .venv/bin/python benchmarks/feeds.py
    .venv/bin/python benchmarks/feeds.py --events 1000 --runs 3

Goal: the feed takes ≤ 1.5× the baseline; a poll when nothing changed is
answered 304, far under either.
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile

from support import python

RUN = """
import json, statistics, sys, time
from datetime import timedelta
from zoneinfo import ZoneInfo
from sqlalchemy import select
from organizer import create_app, events, auth
from organizer.db import db
from organizer.migrate import reset
from organizer.models import Event, utcnow

n, repeat = int(sys.argv[1]), int(sys.argv[2])
zones = ["Europe/Berlin", "America/New_York", "Asia/Tokyo"]
app = create_app({"JOB_BACKEND": "eager", "BASE_URL": "https://meet.example.org"})
with app.app_context():
    reset()
    host = auth.create_host("Bench Host", "bench@example.org", "a bench passphrase", "UTC")
    start = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    for i in range(n):
        at = start + timedelta(hours=7 * i)
        events.create(host, {"kind": "coffee", "title": f"Coffee chat {i}: founders & funders",
            "description": "Bring **one** question and meet two people.\\n\\nWe meet at the "
                           "window tables; look for the organizer sign.",
            "timezone": zones[i % 3], "venue": "Café Lumen", "address": f"Markt {i}, Berlin",
            "starts_at": at, "ends_at": at + timedelta(hours=1)}, publish=True)
    handle = host.handle

client = app.test_client()
def product():
    began = time.perf_counter()
    response = client.get(f"/h/{handle}/calendar.ics")
    assert response.status_code == 200 and response.data.count(b"BEGIN:VEVENT") == n
    return time.perf_counter() - began, response

def baseline():
    from icalendar import Calendar, Event as VEvent, Timezone
    began = time.perf_counter()
    with app.app_context():
        rows = db.session.execute(select(
            Event.uid, Event.slug, Event.title, Event.description, Event.venue, Event.address,
            Event.timezone, Event.starts_at, Event.ends_at, Event.sequence, Event.created_at,
            Event.updated_at).where(Event.status == "published")).all()
    cal = Calendar()
    cal.add("prodid", "-//bench//EN")
    cal.add("version", "2.0")
    now = utcnow()
    for row in rows:
        zone = ZoneInfo(row.timezone)
        vevent = VEvent()
        vevent.add("uid", row.uid)
        vevent.add("sequence", row.sequence)
        vevent.add("dtstart", row.starts_at.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone))
        vevent.add("dtend", row.ends_at.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone))
        vevent.add("summary", row.title)
        vevent.add("dtstamp", now)
        vevent.add("description", row.description + "\\n\\nEvent page: https://meet.example.org/e/" + row.slug)
        vevent.add("location", f"{row.venue}, {row.address}")
        vevent.add("url", "https://meet.example.org/e/" + row.slug)
        vevent.add("created", row.created_at)
        vevent.add("last-modified", row.updated_at)
        cal.add_component(vevent)
    for tzid in sorted(cal.get_missing_tzids()):
        cal.subcomponents.insert(0, Timezone.from_tzid(tzid))
    body = cal.to_ical()
    assert body.count(b"BEGIN:VEVENT") == n
    return time.perf_counter() - began

product(); baseline()  # first calls load modules and caches
ours, bare = [], []
for turn in range(repeat):  # alternating, as the machine's speed drifts
    elapsed, response = product()
    ours.append(elapsed)
    bare.append(baseline())
began = time.perf_counter()
poll = client.get(f"/h/{handle}/calendar.ics", headers={"If-None-Match": response.headers["ETag"]})
poll_s = time.perf_counter() - began
print(json.dumps({"ours": statistics.median(ours), "ours_best": min(ours),
                  "bare": statistics.median(bare), "bare_best": min(bare),
                  "poll_status": poll.status_code, "poll": poll_s,
                  "bytes": len(response.data)}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3, help="fresh processes, one after another")
    parser.add_argument("--repeat", type=int, default=7, help="fetches per run, alternating")
    args = parser.parse_args()
    print(f"{'run':>3}  {'feed (median)':>14}  {'icalendar (median)':>19}  {'ratio':>6}  "
          f"{'304 poll':>9}")
    for run in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory() as instance:
            env = dict(os.environ, ORGANIZER_INSTANCE_PATH=instance)
            env.pop("ORGANIZER_DATABASE_URL", None)
            found = json.loads(python(RUN, env, str(args.events), str(args.repeat)))
        if found.get("poll_status") != 304:
            raise SystemExit(f"a poll with the feed's ETag was answered {found['poll_status']}")
        print(f"{run:>3}  {found['ours']:>12.3f} s  {found['bare']:>17.3f} s  "
              f"{found['ours'] / found['bare']:>5.2f}×  {found['poll'] * 1000:>6.1f} ms")


if __name__ == "__main__":
    main()
