"""Markdown descriptions rendered to HTML that is safe to show to anyone."""
from __future__ import annotations

import html as html_lib

import markdown
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr",
    "i", "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead",
    "tr", "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
# No javascript:, data: or file: links; relative links stay relative.
URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str) -> Markup:
    """Turn a host's Markdown into sanitised HTML.

    Raw HTML in the source is escaped or dropped, links are limited to
    http(s) and mailto and get ``rel="noopener noreferrer nofollow"``; images
    are not allowed, so an event page never loads anything from elsewhere.
    """
    html = markdown.markdown(text or "", extensions=["sane_lists", "tables"],
                             output_format="html")
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                      url_schemes=URL_SCHEMES, link_rel="noopener noreferrer nofollow")
    return Markup(clean)


def plain_text(text: str, limit: int = 300) -> str:
    """A short plain-text version of a description (for mails and calendar files)."""
    html = markdown.markdown(text or "")
    stripped = nh3.clean(html, tags=set())
    stripped = " ".join(html_lib.unescape(stripped).split())
    return stripped if len(stripped) <= limit else stripped[: limit - 1].rstrip() + "…"
