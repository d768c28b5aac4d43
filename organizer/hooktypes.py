"""The small named types hooks return: a link, an action button, a panel.

A plugin builds these rather than loose tuples and dicts, so a typo is an
error where it is made and the page code reads by name.
"""
from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup


@dataclass(frozen=True)
class Link:
    """A link with a label, for a list of links (the host's event dashboard, say)."""

    label: str
    url: str


@dataclass(frozen=True)
class Action:
    """A button on a page.

    ``method="get"`` renders a link; ``"post"`` a small form with the CSRF
    token, and ``confirm`` a sentence the browser asks before sending it.
    ``style`` is ``"secondary"`` (the default), ``"primary"`` or ``"danger"``.
    """

    label: str
    url: str
    method: str = "get"
    confirm: str | None = None
    style: str = "secondary"

    def __post_init__(self):
        if self.method not in ("get", "post"):
            raise ValueError(f"Action.method is 'get' or 'post', not {self.method!r}")
        if self.style not in ("primary", "secondary", "danger"):
            raise ValueError(f"Action.style is 'primary', 'secondary' or 'danger', "
                             f"not {self.style!r}")


@dataclass(frozen=True)
class Panel:
    """A block of a page: a heading, HTML you have escaped (render a template) and actions.

    ``order`` places it among other plugins' panels: lower comes first
    (the ticket is 10, the RSVP's answers 80). ``anchor`` is the block's
    HTML id, for links to ``#anchor`` after a form is sent.
    """

    title: str
    body: Markup = Markup("")
    actions: tuple[Action, ...] = ()
    order: int = 50
    anchor: str = ""

    def __post_init__(self):
        if not isinstance(self.body, Markup):
            raise TypeError("Panel.body must be markupsafe.Markup: render a template, or "
                            "escape the text with markupsafe.escape")
        object.__setattr__(self, "actions", tuple(self.actions))


def flatten(results, kind: type) -> list:
    """The items of a hook's results: each implementation may return one, a list, or None."""
    items = []
    for result in results:
        if result is None:
            continue
        for item in (result if isinstance(result, (list, tuple)) else [result]):
            if not isinstance(item, kind):
                raise TypeError(f"a hook returned {item!r} where a {kind.__name__} was expected")
            items.append(item)
    return items
