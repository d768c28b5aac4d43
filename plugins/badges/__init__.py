"""Badges: QR tickets, the check-in station for door staff, station links.

Registered as the plugin ``badges`` (entry point ``organizer_plugins.badges.plugin``).
"""
