"""The words people read for a guest's status; the stored values stay English
("going", "waiting"…): they are the database's, the CSV's and the API's."""
from __future__ import annotations

from organizer.plugin_api import AttendeeStatus, lazy_gettext as _l, ngettext

# As a word inside a sentence or on a badge: "Dara is now going".
STATUS_WORDS = {
    AttendeeStatus.GOING: _l("going"),
    AttendeeStatus.WAITING: _l("waiting"),
    AttendeeStatus.PENDING: _l("pending"),
    AttendeeStatus.DECLINED: _l("declined"),
    AttendeeStatus.CANCELLED: _l("cancelled"),
}

# On its own, as a heading, a filter or a choice: "Going (12)".
STATUS_TITLES = {
    AttendeeStatus.GOING: _l("Going"),
    AttendeeStatus.WAITING: _l("Waiting"),
    AttendeeStatus.PENDING: _l("Pending"),
    AttendeeStatus.DECLINED: _l("Declined"),
    AttendeeStatus.CANCELLED: _l("Cancelled"),
}


def status_word(status: str) -> str:
    """``status`` as a word in the language being spoken ("going", "zugesagt")."""
    return str(STATUS_WORDS.get(status, status))


def status_title(status: str) -> str:
    """``status`` on its own ("Going")."""
    return str(STATUS_TITLES.get(status, status))


def status_count(status: str, count: int) -> str:
    """How many people ended in ``status``: "2 going", "1 waiting"."""
    if status == AttendeeStatus.GOING:
        return ngettext("%(num)d going", "%(num)d going", count)
    if status == AttendeeStatus.WAITING:
        return ngettext("%(num)d waiting", "%(num)d waiting", count)
    if status == AttendeeStatus.PENDING:
        return ngettext("%(num)d pending", "%(num)d pending", count)
    if status == AttendeeStatus.DECLINED:
        return ngettext("%(num)d declined", "%(num)d declined", count)
    if status == AttendeeStatus.CANCELLED:
        return ngettext("%(num)d cancelled", "%(num)d cancelled", count)
    return f"{count} {status}"
