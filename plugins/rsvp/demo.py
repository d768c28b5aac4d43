"""RSVP content for the demo: questions, answers, a +1, a lunch that takes approvals."""
from __future__ import annotations

import random

from sqlalchemy import select

from organizer.plugin_api import Attendee, AttendeeStatus, db

from .models import RsvpQuestion, RsvpRegistration

OFFERS = ["Intros to climate investors", "Feedback on pitch decks", "Python and data help",
          "Hiring advice", "Grant-writing tips", "Product design reviews",
          "Policy contacts in the council", "Hardware prototyping know-how"]
HOPES = ["Meet a technical co-founder", "Find pilot customers", "Learn about heat pumps",
         "Hire two engineers", "Understand the funding landscape", "Meet people outside my field"]


def load(events: dict) -> None:
    """Give the demo's meetup and lunch real RSVP questions and answers."""
    rng = random.Random(7)
    meetup, lunch = events["meetup"], events["lunch"]
    meetup.settings = {**(meetup.settings or {}), "rsvp": {
        "enabled": True, "approval": False, "plus_one": True, "deadline": None,
        "reminder_hours": 24}}
    lunch.settings = {**(lunch.settings or {}), "rsvp": {
        "enabled": True, "approval": True, "plus_one": False, "deadline": None,
        "reminder_hours": 24}}
    hope = RsvpQuestion(event_id=meetup.id, position=0, kind="text", required=True,
                        label="What do you hope to get out of tonight?", choices=[])
    offer = RsvpQuestion(event_id=meetup.id, position=1, kind="text", required=False,
                         label="What could you offer others?", choices=[])
    diet = RsvpQuestion(event_id=lunch.id, position=0, kind="choice", required=True,
                        label="Dietary needs",
                        choices=["None", "Vegetarian", "Vegan", "Gluten-free"])
    photos = RsvpQuestion(event_id=meetup.id, position=2, kind="checkbox", required=False,
                          label="I'm happy to appear in event photos", choices=[])
    db.session.add_all([hope, offer, diet, photos])
    db.session.flush()
    for event, answer in ((meetup, lambda: {str(hope.id): rng.choice(HOPES),
                                            str(offer.id): rng.choice(OFFERS),
                                            str(photos.id): rng.random() < 0.8}),
                          (lunch, lambda: {str(diet.id): rng.choice(
                              ["None", "None", "Vegetarian", "Vegan", "Gluten-free"])})):
        people = db.session.scalars(select(Attendee).where(Attendee.event_id == event.id)
                                    .order_by(Attendee.id)).all()
        for index, person in enumerate(people):
            if event is lunch and index >= 9:
                person.status = AttendeeStatus.PENDING  # the host still has approvals to make
            guest = event is meetup and index in (3, 11)
            person.guests = 1 if guest else 0
            db.session.add(RsvpRegistration(
                attendee_id=person.id, event_id=event.id, answers=answer(),
                guest_name="Sam (colleague)" if guest else "", ics_bump=0))
    # The +1s take seats too: the last people in move to the waiting list
    # until the meetup is exactly full.
    going = db.session.scalars(select(Attendee).where(
        Attendee.event_id == meetup.id, Attendee.status == AttendeeStatus.GOING)
        .order_by(Attendee.id.desc())).all()
    taken = sum(1 + p.guests for p in going)
    for person in going:
        if taken <= (meetup.capacity or taken):
            break
        if person.guests == 0:
            person.status = AttendeeStatus.WAITING
            taken -= 1
