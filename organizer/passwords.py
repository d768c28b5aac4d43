"""Password rules: at least 8 characters, not one of the commonest passwords."""
from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

from .i18n import gettext as _, ngettext

MIN_LENGTH = 8
MAX_LENGTH = 200


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The refused passwords (lower-cased), read once from the package data."""
    text = files("organizer").joinpath("data/common-passwords.txt").read_text("utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


def problem(password: str, email: str = "", name: str = "") -> str | None:
    """Why ``password`` is not acceptable, as a sentence; None when it is fine."""
    if len(password) < MIN_LENGTH:
        return ngettext("Use at least %(num)d character.", "Use at least %(num)d characters.",
                        MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return ngettext("Use at most %(num)d character.", "Use at most %(num)d characters.",
                        MAX_LENGTH)
    lowered = password.lower()
    if lowered in common_passwords() or len(set(lowered)) <= 2:
        return _("That password is one of the most common ones; choose something less "
                 "guessable.")
    local_part = email.split("@", 1)[0].lower()
    if lowered in {email.lower(), local_part, name.lower().replace(" ", "")}:
        return _("Don't use your name or e-mail address as your password.")
    return None
