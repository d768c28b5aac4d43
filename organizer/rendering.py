"""Markdown descriptions rendered to HTML that is safe to show to anyone."""
from __future__ import annotations

import html as html_lib
import re
import threading
from functools import lru_cache

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


_local = threading.local()


def _converter(name: str, extensions: tuple[str, ...]) -> markdown.Markdown:
    """A Markdown converter of this thread, made once: building one costs more than
    converting a description (a feed converts hundreds). Not shared between threads,
    as a converter keeps state while it works."""
    converter = getattr(_local, name, None)
    if converter is None:
        converter = markdown.Markdown(extensions=list(extensions), output_format="html")
        setattr(_local, name, converter)
    return converter


def _to_html(text: str, extensions: tuple[str, ...]) -> str:
    converter = _converter("md_" + "_".join(extensions), extensions)
    try:
        return converter.convert(text or "")
    finally:
        converter.reset()


def render_markdown(text: str) -> Markup:
    """Turn a host's Markdown into sanitised HTML.

    Raw HTML in the source is escaped or dropped, links are limited to
    http(s) and mailto and get ``rel="noopener noreferrer nofollow"``; images
    are not allowed, so an event page never loads anything from elsewhere.
    """
    html = _to_html(text, ("sane_lists", "tables"))
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                      url_schemes=URL_SCHEMES, link_rel="noopener noreferrer nofollow")
    return Markup(clean)


@lru_cache(maxsize=2048)
def plain_text(text: str, limit: int = 300) -> str:
    """A plain-text version of a description (for mails and calendar files).

    Paragraphs and list items keep their own lines; everything else is text.
    Remembered for the latest descriptions: a calendar feed polled all day
    asks for the same ones again and again.
    """
    html = _to_html(text, ("sane_lists",))
    html = re.sub(r"<li>", "• ", html)
    html = re.sub(r"</(p|li|h[1-6]|pre|blockquote|tr)>|<br\s*/?>", "\n", html)
    stripped = html_lib.unescape(nh3.clean(html, tags=set()))
    lines = [" ".join(line.split()) for line in stripped.splitlines()]
    result = "\n".join(line for line in lines if line)
    return result if len(result) <= limit else result[: limit - 1].rstrip() + "…"
