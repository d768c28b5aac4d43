"""Matching plugin: attendee profiles, coffee-chat pairs, lunch tables, introductions."""
