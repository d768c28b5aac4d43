"""A hook the fixture plugin declares for other plugins."""
from organizer.plugin_api import hookspec


@hookspec
def everyhook_greeted(name):
    """Someone was greeted."""
