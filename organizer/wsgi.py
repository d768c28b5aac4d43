"""The WSGI entry point for gunicorn: ``gunicorn organizer.wsgi:app``."""
from . import create_app

app = create_app()
