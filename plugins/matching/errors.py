"""The one error the matching algorithms raise."""
from __future__ import annotations


class MatchingError(ValueError):
    """The input cannot be matched as asked; the message is a sentence for the host."""
