"""The host's community view over 100 dates × 50 attendees, and one person's network page,
each beside the bare SQL aggregates it needs, run alone in the same process.

Seeds a fortnightly series (tests/community.py: returning regulars and
occasional guests, profiles, published 1:1 matches, introductions) on a
fresh SQLite database. Then, alternating several times:

- the community view ``/community?series=…`` through the app (the signed-in
  host's page: new and returning people per date, connections,
  follow-through, fields, connectors, the picture), beside the SQL that
  computes the same aggregates (GROUP BY per date, the pairs with a
  self-join, the connectors ranked in SQL) and nothing else;
- the network page of the person who came most ``/network/<link>``, beside
  the SQL that reads their encounters (matches and introductions, with the
  other person's name and profile) and their notes; and beside a bare Flask +
  SQLAlchemy endpoint that runs that SQL and renders a plain page of it (each
  person once, their profile as stored, where and how the two met, the note).

Prints each median, the baselines' and the ratios. Goal: ≤ 3× each SQL baseline.

    .venv/bin/python benchmarks/community.py
    .venv/bin/python benchmarks/community.py --dates 100 --runs 3
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile

from support import python

RUN = """
import json, re, statistics, sys, time
from flask import Flask
from sqlalchemy import text
from organizer import create_app
from organizer.db import db
from organizer.migrate import reset
from organizer.testing import body_text, outbox, post, signin
from tests.community import seed

dates, repeat = int(sys.argv[1]), int(sys.argv[2])
app = create_app({"JOB_BACKEND": "eager", "DELIVERY": "eager", "TESTING": True,
                  "BASE_URL": "http://organizer.test", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
with app.app_context():
    reset()
    community = seed(dates=dates, people=340, regulars=60, seed_value=3)
    me = community.regular()
    email, series_id = community.email(me), community.series_id
    attendees = sum(len(community.came[e]) for e in community.dates) / len(community.dates)

# Outside any app context: each request has its own (and its own signed-in user).
host = app.test_client()
signin(host, "host@example.org", "a community passphrase")
person = app.test_client()
post(person, "/network", {"email": email}, page="/network")
with app.app_context():
    link = re.search(r"http://organizer\\.test(/network/\\S+)", body_text(outbox(app)[-1])).group(1)

def timed(call):
    began = time.perf_counter()
    call()
    return time.perf_counter() - began

def view():
    response = host.get(f"/community?series={series_id}")
    assert response.status_code == 200 and "<svg" in response.text, response.status_code

def network():
    response = person.get(link)
    assert response.status_code == 200 and "network-person" in response.text

CAME = '''
  SELECT a.id, a.event_id, a.email, e.starts_at FROM attendee a JOIN event e ON e.id = a.event_id
  WHERE e.series_id = :s AND e.status = 'published' AND a.status = 'going'
    AND (a.checked_in_at IS NOT NULL OR NOT EXISTS (
         SELECT 1 FROM attendee d WHERE d.event_id = a.event_id AND d.checked_in_at IS NOT NULL))'''
PAIRS = '''
  SELECT m1.event_id AS event_id, c1.email AS a, c2.email AS b, p1.field AS fa, p2.field AS fb
  FROM matching_match m1
  JOIN matching_match m2 ON m2.run_id = m1.run_id AND m2.round = m1.round
       AND m2.group_no = m1.group_no AND m2.attendee_id > m1.attendee_id
  JOIN matching_run r ON r.id = m1.run_id AND r.status = 'published'
  JOIN came c1 ON c1.id = m1.attendee_id JOIN came c2 ON c2.id = m2.attendee_id
  LEFT JOIN matching_profile p1 ON p1.attendee_id = m1.attendee_id
  LEFT JOIN matching_profile p2 ON p2.attendee_id = m2.attendee_id
  UNION
  SELECT i.event_id, c1.email, c2.email, p1.field, p2.field FROM matching_intro i
  JOIN came c1 ON c1.id = i.from_id JOIN came c2 ON c2.id = i.to_id
  LEFT JOIN matching_profile p1 ON p1.attendee_id = i.from_id
  LEFT JOIN matching_profile p2 ON p2.attendee_id = i.to_id
  WHERE i.status = 'accepted' '''

def view_sql():
    with app.app_context():
        s = {"s": series_id}
        per_date = db.session.execute(text(f'''
          WITH came AS ({CAME}), first AS (SELECT email, MIN(starts_at) AS f FROM came GROUP BY email)
          SELECT c.event_id, COUNT(*), SUM(CASE WHEN c.starts_at = first.f THEN 1 ELSE 0 END)
          FROM came c JOIN first ON first.email = c.email GROUP BY c.event_id'''), s).all()
        pairs = db.session.execute(text(f'''
          WITH came AS ({CAME}), pairs AS ({PAIRS})
          SELECT event_id, COUNT(*), SUM(CASE WHEN fa <> '' AND fb <> '' AND fa <> fb THEN 1 ELSE 0 END)
          FROM pairs GROUP BY event_id'''), s).all()
        followed = db.session.execute(text(f'''
          WITH came AS ({CAME}), pairs AS ({PAIRS})
          SELECT pairs.event_id, COUNT(*) FROM pairs JOIN followup_contact fc ON fc.state = 'reached'
          JOIN followup_person pa ON pa.id = fc.person_id JOIN followup_person pb ON pb.id = fc.other_id
          WHERE (pa.email = pairs.a AND pb.email = pairs.b) OR (pa.email = pairs.b AND pb.email = pairs.a)
          GROUP BY pairs.event_id'''), s).all()
        connectors = db.session.execute(text(f'''
          WITH came AS ({CAME}), pairs AS ({PAIRS}),
               ends AS (SELECT a AS who, b AS other FROM pairs UNION SELECT b, a FROM pairs)
          SELECT who, COUNT(DISTINCT other) AS n FROM ends GROUP BY who ORDER BY n DESC LIMIT 10'''), s).all()
        assert per_date and pairs and connectors
        db.session.rollback()

MET = text('''
  SELECT ev.id, ev.slug, ev.title, ev.starts_at, o.name, o.email, po.share, po.field, po.offers,
         po.seeks, po.interests, po.links, 'matched'
  FROM attendee me JOIN event ev ON ev.id = me.event_id
  JOIN matching_match mm ON mm.attendee_id = me.id
  JOIN matching_run r ON r.id = mm.run_id AND r.status = 'published'
  JOIN matching_match mo ON mo.run_id = mm.run_id AND mo.round = mm.round
       AND mo.group_no = mm.group_no AND mo.attendee_id <> me.id
  JOIN attendee o ON o.id = mo.attendee_id AND o.status = 'going'
  LEFT JOIN matching_profile po ON po.attendee_id = o.id
  WHERE me.email = :email AND me.status = 'going'
  UNION ALL
  SELECT ev.id, ev.slug, ev.title, ev.starts_at, o.name, o.email, po.share, po.field, po.offers,
         po.seeks, po.interests, po.links, 'introduced'
  FROM attendee me JOIN event ev ON ev.id = me.event_id
  JOIN matching_intro i ON i.status = 'accepted' AND (i.from_id = me.id OR i.to_id = me.id)
  JOIN attendee o ON o.id = CASE WHEN i.from_id = me.id THEN i.to_id ELSE i.from_id END
  LEFT JOIN matching_profile po ON po.attendee_id = o.id
  WHERE me.email = :email AND me.status = 'going'
  ORDER BY 4 DESC''')
NOTES = text('''
  SELECT o.email, c.note, c.state, c.remind_on FROM followup_contact c
  JOIN followup_person p ON p.id = c.person_id JOIN followup_person o ON o.id = c.other_id
  WHERE p.email = :email''')

def network_sql():
    with app.app_context():
        met = db.session.execute(MET, {"email": email}).all()
        notes = db.session.execute(NOTES, {"email": email}).all()
        assert met
        db.session.rollback()

# A bare Flask + SQLAlchemy endpoint: the same two queries, and a page listing each person
# once with their profile columns as stored, where and how the two met, and the note.
bare = Flask("bare")
PAGE = '''<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Your network</title>
</head><body><h1>Your network</h1><p>{{ people|length }} people</p>
{% for person in people %}<section class="network-person"><h2>{{ person.name }}</h2>
<dl>{% for label, value in person.details %}<dt>{{ label }}</dt><dd>{{ value }}</dd>{% endfor %}</dl>
<ul>{% for m in person.met %}<li><a href="/e/{{ m.slug }}">{{ m.title }}</a>, {{ m.starts_at }}
 — {{ m.how }}</li>{% endfor %}</ul>{% if person.note %}<p>{{ person.note }}</p>{% endif %}
<p><a href="/network/x/people/{{ loop.index }}">Follow-up and note</a></p></section>{% endfor %}
</body></html>'''

@bare.route("/network/<path:who>")
def bare_network(who):
    with engine.connect() as connection:
        met = connection.execute(MET, {"email": who}).all()
        notes = {row.email: row for row in connection.execute(NOTES, {"email": who})}
    people = {}
    for row in met:
        person = people.get(row.email)
        if person is None:
            note = notes.get(row.email)
            person = people[row.email] = {
                "name": row.name, "note": note.note if note else "", "met": [],
                "details": [(label, value) for label, value in (
                    ("Field", row.field), ("Can offer", row.offers), ("Looking for", row.seeks),
                    ("Interests", row.interests), ("Links", row.links)) if value]}
        person["met"].append(row)
    return page.render(people=list(people.values()))

page = bare.jinja_env.from_string(PAGE)  # compiled once, as a template file would be
with app.app_context():
    engine = db.engine
bare_client = bare.test_client()

def network_bare():
    response = bare_client.get(f"/network/{email}")
    assert response.status_code == 200 and "network-person" in response.text

CALLS = {"view": view, "view_sql": view_sql, "network": network, "network_sql": network_sql,
         "network_bare": network_bare}
for call in CALLS.values():
    call()  # the first calls load modules and fill caches
times = {name: [] for name in CALLS}
for _ in range(repeat):  # alternating, as the machine's speed drifts
    for name, call in CALLS.items():
        times[name].append(timed(call))
print(json.dumps({"attendees": attendees, **{k: statistics.median(v) for k, v in times.items()}}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dates", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3, help="fresh processes, one after another")
    parser.add_argument("--repeat", type=int, default=7, help="calls per run, alternating")
    args = parser.parse_args()
    print(f"{'run':>3}  {'view':>9}  {'its SQL':>9}  {'ratio':>6}   {'network':>9}  "
          f"{'its SQL':>9}  {'ratio':>6}   {'bare page':>9}  {'ratio':>6}")
    for run in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory() as instance:
            env = dict(os.environ, ORGANIZER_INSTANCE_PATH=instance,
                       ORGANIZER_SECRET_KEY="bench-" + "k" * 40)
            env.pop("ORGANIZER_DATABASE_URL", None)
            found = json.loads(python(RUN, env, str(args.dates), str(args.repeat)))
        if run == 1:
            print(f"     ({args.dates} dates, {found['attendees']:.0f} came per date on average)")
        print(f"{run:>3}  {found['view'] * 1000:>6.1f} ms  {found['view_sql'] * 1000:>6.1f} ms  "
              f"{found['view'] / found['view_sql']:>5.2f}×   {found['network'] * 1000:>6.1f} ms  "
              f"{found['network_sql'] * 1000:>6.1f} ms  "
              f"{found['network'] / found['network_sql']:>5.2f}×   "
              f"{found['network_bare'] * 1000:>6.1f} ms  "
              f"{found['network'] / found['network_bare']:>5.2f}×")
    print("goal: the view and the network page each <= 3× its SQL")


if __name__ == "__main__":
    main()
