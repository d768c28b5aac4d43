"""The demo community: one host, a coffee-chat series, a lunch and a 40-person meetup.

``organizer demo`` resets the database and calls :func:`load`; each plugin
then adds its own content through the ``demo_data`` hook, so the demo shows
everything that is installed.
"""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from flask import current_app

from . import events, series as series_service
from .auth import create_host
from .db import commit, db
from .models import Attendee, AttendeeStatus, Event, Host, utcnow
from .plugins import hook
from .presets import next_working_day
from .timeutil import to_utc

DEMO_EMAIL = "maya@example.org"
DEMO_PASSWORD = "meet-often-2026"
ZONE = "Europe/London"

PEOPLE = [
    ("Ana Souza", "Solaris Grid", "Head of Partnerships"),
    ("Ben Adeyemi", "Kettle & Co", "Founder"),
    ("Chen Wei", "Northwind Analytics", "Data Scientist"),
    ("Dara O'Neill", "Harbour Ventures", "Investment Associate"),
    ("Elif Yıldız", "Civic Labs", "Product Designer"),
    ("Farah Haddad", "Open Air Energy", "Policy Lead"),
    ("Gustavo Lima", "Lima Legal", "Partner"),
    ("Hana Kobayashi", "Tidewater Bio", "Research Engineer"),
    ("Ibrahim Diallo", "Freelance", "Fundraising Consultant"),
    ("Jonas Becker", "Bright Rail", "CTO"),
    ("Kavya Raman", "Loop Packaging", "Operations Manager"),
    ("Liam Murphy", "City Council", "Sustainability Officer"),
    ("María José Ortega", "Agua Viva", "Co-founder"),
    ("Noah Fischer", "Fischer Design", "Brand Strategist"),
    ("Olga Petrova", "Quantum Leap Capital", "Principal"),
    ("Priya Nair", "Helix Health", "Clinical Lead"),
    ("Quentin Laurent", "Atelier Q", "Architect"),
    ("Rosa Martínez", "University of Leeds", "PhD Researcher"),
    ("Samuel Okoro", "GreenStack", "Software Engineer"),
    ("Tara Singh", "Community Bikes", "Programme Director"),
    ("Umar Farooq", "Farooq & Partners", "Accountant"),
    ("Valentina Rossi", "Rossi Food Lab", "Food Scientist"),
    ("William Chen", "Seedling Fund", "Venture Partner"),
    ("Ximena Flores", "Flores Media", "Journalist"),
    ("Yusuf Demir", "Demir Robotics", "Hardware Lead"),
    ("Zoe Thompson", "Thompson HR", "Talent Partner"),
    ("Amara Nwosu", "Sunbeam Solar", "Sales Director"),
    ("Björn Lindqvist", "Nordic Heat", "Energy Engineer"),
    ("Camille Dubois", "Impact Collective", "Community Manager"),
    ("Dmitri Volkov", "Volkov Consulting", "Strategy Consultant"),
    ("Esther Mensah", "Mensah Foundation", "Grants Manager"),
    ("Felipe Ramos", "CarbonCount", "Product Manager"),
    ("Grace Kim", "Kim & Lee Law", "Associate"),
    ("Hugo Martin", "Recircle", "Founder"),
    ("Isla MacLeod", "Highland Wind", "Project Developer"),
    ("Jamal Williams", "Open Data Institute", "Researcher"),
    ("Keiko Tanaka", "Tanaka Textiles", "Designer"),
    ("Lucas Silva", "Silva Ventures", "Angel Investor"),
    ("Mei Lin", "Greenhouse Co-working", "Host"),
    ("Nikolai Ivanov", "Batterylab", "Chemist"),
    ("Olivia Brown", "Brown PR", "Communications Lead"),
    ("Pedro Alves", "Urban Farms", "Grower"),
]


def _email(name: str) -> str:
    local = "".join(ch for ch in name.lower().replace(" ", ".") if ch.isascii() and
                     (ch.isalnum() or ch == "."))
    return f"{local}@example.org"


def _at(day, hour: int, minute: int = 0) -> datetime:
    return to_utc(datetime.combine(day, time(hour, minute)), ZONE)


def _attend(event, people, statuses=None) -> None:
    for index, (name, org, role) in enumerate(people):
        status = statuses[index] if statuses else AttendeeStatus.GOING
        # About half chose to appear under "who's going" on the event page.
        db.session.add(Attendee(event_id=event.id, name=name, email=_email(name),
                                organisation=org, role=role, status=status,
                                listed=index % 2 == 0))


def _coffee_series(host: Host, rng: random.Random, now: datetime):
    """A coffee chat every other Tuesday at 08:30, started a few weeks ago."""
    today = now.date()
    first_tuesday = today - timedelta(days=(today.weekday() - 1) % 7) - timedelta(weeks=4)
    coffee = series_service.create(
        host,
        {"kind": "coffee", "title": "Tuesday Morning Coffee", "timezone": ZONE,
         "description": ("Start the day with a good conversation. **Every other Tuesday** "
                         "we take the big table by the window: come for ten minutes or stay "
                         "for the whole 45. Newcomers especially welcome.\n\n"
                         "- No talks, no slides\n- Bring one question you're stuck on\n"
                         "- We'll pair you with someone who can help"),
         "venue": "Café Lumen", "address": "12 Market Street, Leeds LS1 6DT", "online_url": "",
         "capacity": 8},
        series_service.build_rule("weekly", 2, ["TU"]),
        datetime.combine(first_tuesday, time(8, 30)), 45, publish=True)
    for occurrence in coffee.events:
        if occurrence.starts_at < now:
            _attend(occurrence, rng.sample(PEOPLE, 6))
    upcoming = [e for e in coffee.events if e.starts_at > now]
    if upcoming:
        _attend(upcoming[0], rng.sample(PEOPLE, 5))
    return coffee, (upcoming[0] if upcoming else coffee.events[-1])


def _lunch(host: Host, rng: random.Random, today: date) -> Event:
    day = next_working_day(today + timedelta(days=6))
    lunch = events.create(host, {
        "kind": "lunch", "title": "Founders & Funders Lunch", "timezone": ZONE,
        "description": ("Eight founders and eight funders at shared tables, seated so "
                        "everyone meets someone new. Vegetarian menu; tell us about "
                        "allergies when you RSVP."),
        "venue": "The Corn Exchange, upstairs room", "address": "Call Lane, Leeds LS1 7BR",
        "online_url": "", "capacity": 16,
        "starts_at": _at(day, 12, 30), "ends_at": _at(day, 14, 0)}, publish=True)
    _attend(lunch, rng.sample(PEOPLE, 12))
    return lunch


def _meetup(host: Host, today: date) -> Event:
    """A full 40-person meetup with a waiting list and one cancellation."""
    day = next_working_day(today + timedelta(days=13))
    meetup = events.create(host, {
        "kind": "meetup", "title": "Climate Tech Leeds #12: Heat pumps at scale", "timezone": ZONE,
        "description": ("Our monthly meetup for people working on climate, energy and "
                        "the circular economy.\n\n### Programme\n\n1. 18:30 Doors, food and "
                        "introductions\n2. 19:00 *Retrofitting 10,000 homes* — Björn Lindqvist, "
                        "Nordic Heat\n3. 19:30 Lightning talks\n4. 20:00 Matched conversations\n\n"
                        "Step-free access. [Code of conduct](https://example.org/conduct)."),
        "venue": "Platform Leeds", "address": "New Station Street, Leeds LS1 4JB",
        "online_url": "", "capacity": 40,
        "starts_at": _at(day, 18, 30), "ends_at": _at(day, 21, 0)}, publish=True)
    _attend(meetup, PEOPLE[:40],
            [AttendeeStatus.GOING] * 38 + [AttendeeStatus.CANCELLED, AttendeeStatus.GOING])
    _attend(meetup, PEOPLE[40:], [AttendeeStatus.WAITING] * len(PEOPLE[40:]))
    return meetup


def _virtual(host: Host, today: date) -> Event:
    """A draft: the host has not published it yet."""
    day = next_working_day(today + timedelta(days=2))
    return events.create(host, {
        "kind": "virtual", "title": "Remote Lunch & Learn: Writing a good intro mail",
        "timezone": ZONE, "description": "Thirty minutes on introductions that get answered.",
        "venue": "", "address": "", "online_url": "https://meet.example.org/lunch-and-learn",
        "capacity": None, "starts_at": _at(day, 13, 0),
        "ends_at": _at(day, 13, 30)}, publish=False)


def load(base_url: str | None = None) -> str:
    """Store the demo data set; return the text a newcomer needs to sign in."""
    if base_url:
        current_app.config["BASE_URL"] = base_url
    rng = random.Random(12)
    now = utcnow()
    host = create_host("Maya Okafor", DEMO_EMAIL, DEMO_PASSWORD, ZONE)
    host.bio = ("I run a fortnightly founders' coffee and a monthly climate-tech meetup in "
                "Berlin.\n\nCome once, meet two people, and leave with a plan to follow up.")
    coffee, next_coffee = _coffee_series(host, rng, now)
    named = {"series": next_coffee, "lunch": _lunch(host, rng, now.date()),
             "meetup": _meetup(host, now.date()), "virtual": _virtual(host, now.date())}
    commit()
    hook().demo_data(app=current_app._get_current_object(), host=host, events=named)
    commit()
    base = current_app.config["BASE_URL"].rstrip("/")
    return (f"Demo loaded: {len(coffee.events)} coffee chats, a lunch, a 40-person meetup "
            f"and a draft virtual session.\n"
            f"Open {base}/ and sign in as {DEMO_EMAIL} with the password {DEMO_PASSWORD}")
