"""Hooks the RSVP plugin offers to other plugins.

Implement them with ``@hookimpl(optionalhook=True)``: your plugin still starts
when the RSVP plugin is blocked.
"""

from organizer.plugin_api import hookspec


@hookspec
def rsvp_form_questions(event):
    """Return the :class:`organizer.plugin_api.Question` (or a list) your plugin asks
    on ``event``'s RSVP form, or None.

    The field is validated with the form: a guest who leaves a required one
    empty sees the sentence beside it, and nothing is stored. ``save`` runs in
    the RSVP's own transaction; ``answers`` fills a column of the host's guest
    list and CSV export::

        @hookimpl(optionalhook=True)
        def rsvp_form_questions(event):
            return Question(
                "photo_consent_ok",
                BooleanField("I'm happy to appear in photos of this event"),
                save=lambda attendee, agreed: db.session.add(Consent(attendee_id=attendee.id,
                                                                     agreed=agreed)),
                answers=lambda event: {c.attendee_id: "yes" if c.agreed else "no"
                                       for c in consents_of(event)},
                column="Photos")
    """
