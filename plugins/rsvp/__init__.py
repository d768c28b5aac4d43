"""RSVP: sign-up from the event page, capacity and a waiting list, self-service, invites.

Registered as the plugin ``rsvp`` (entry point ``organizer_plugins.rsvp.plugin``).
"""
