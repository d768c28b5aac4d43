"""PDFs with WeasyPrint: one warm renderer, closed to the outside world.

Every PDF the app makes (badges, follow-ups, reports) goes through here:

* Nothing is fetched while rendering. Images and fonts a document needs are
  embedded as ``data:`` URLs by its author; any other URL (``http:``,
  ``file:``, another host, a relative path) is refused, so a description that
  links an outside resource cannot make the server fetch it or read a file.
* One :class:`FontConfiguration` is shared by the process. Making one per PDF
  costs time and memory that is never given back; sharing it keeps memory
  flat over a run of hundreds of documents. WeasyPrint's font handling is not
  thread-safe, so renders within a process take turns.
"""
from __future__ import annotations

import io
import logging
import threading
import unicodedata
from typing import Iterable

log = logging.getLogger(__name__)

_lock = threading.Lock()
_font_config = None

# Noto Sans, and its Arabic and Hebrew (which sans-serif would otherwise
# draw with DejaVu); for other scripts Pango falls back, letter by letter, to
# the installed font that has them (Debian: fonts-noto-core, fonts-noto-cjk).
# Each family named here costs a lookup per text run, so the list is short.
FONT_STACK = '"Noto Sans", "Noto Sans Arabic", "Noto Sans Hebrew", sans-serif'


class RefusedFetch(ValueError):
    """Raised for any resource a document asks for that is not embedded."""


def _fetcher():
    from weasyprint.urls import URLFetcher

    class EmbeddedOnly(URLFetcher):
        """``data:`` URLs only; everything else is refused before any I/O."""

        def fetch(self, url, headers=None):
            if not url.lower().startswith("data:"):
                log.info("refused to fetch %r while rendering a PDF", url[:200])
                raise RefusedFetch(f"PDFs may not fetch {url[:200]!r}")
            return super().fetch(url, headers)

    return EmbeddedOnly(timeout=2, allowed_protocols=("data",), allow_redirects=False)


def _fonts():
    global _font_config
    if _font_config is None:
        from weasyprint.text.fonts import FontConfiguration

        _font_config = FontConfiguration()
    return _font_config


def _html(source: str):
    from weasyprint import HTML

    # No base URL: a relative link resolves to nothing and is refused too.
    document = HTML(string=source, url_fetcher=_fetcher(), base_url=None)
    set_directions(document.etree_element)
    return document


# Elements that hold a run of text: each reads in the direction of its own first letter.
_TEXT_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "dd", "dt",
                "figcaption", "blockquote", "caption", "address"}


def text_direction(text: str) -> str | None:
    """"rtl" or "ltr" after the first letter of ``text`` with a direction (None: no such letter)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return None


def set_directions(root) -> None:
    """Give each block of text whose first letter is right-to-left (Arabic, Hebrew) ``dir="rtl"``,
    so it reads and aligns right to left inside a left-to-right document.

    Browsers do this for ``dir="auto"``; WeasyPrint does not, so it is done here for every
    block without an explicit direction.
    """
    for element in root.iter():
        if element.tag in _TEXT_BLOCKS and element.get("dir") in (None, "auto"):
            direction = text_direction("".join(element.itertext()))
            if direction == "rtl":
                element.set("dir", "rtl")
            elif element.get("dir") == "auto":
                element.set("dir", "ltr")


def render(source: str) -> bytes:
    """The PDF of the HTML document ``source``."""
    with _lock:
        return _html(source).write_pdf(font_config=_fonts())


def render_parts(sources: Iterable[str], progress=None, processes: int = 1) -> bytes:
    """One PDF made of several HTML documents, joined in order.

    Long documents (a sheet of 800 badges) are rendered in parts: WeasyPrint
    keeps a whole document's layout in memory, so parts keep the peak low, and
    ``progress(n)`` is called as parts finish so a job can report it. With
    ``processes`` > 1 and enough parts, parts are rendered in that many fresh
    renderer processes at once (one per core); each holds only WeasyPrint
    and its fonts, not the app.
    """
    from pypdf import PdfWriter

    sources = list(sources)
    if processes > 1 and len(sources) >= MIN_PARTS_TO_SPREAD:
        rendered = _render_spread(sources, progress, processes)
    else:
        rendered = []
        for number, source in enumerate(sources, start=1):
            rendered.append(render(source))
            if progress is not None:
                progress(number)
    writer = PdfWriter()
    for part in rendered:
        writer.append(io.BytesIO(part))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# Starting a renderer process costs about a second (WeasyPrint and fonts load),
# so only documents of several parts are spread over processes.
MIN_PARTS_TO_SPREAD = 4


def _render_spread(sources: list[str], progress, processes: int) -> list[bytes]:
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from multiprocessing import get_context

    rendered: list[bytes | None] = [None] * len(sources)
    # "spawn": a fresh interpreter, never a copy of a threaded server process.
    with ProcessPoolExecutor(max_workers=processes, mp_context=get_context("spawn")) as pool:
        futures = {pool.submit(render, source): index for index, source in enumerate(sources)}
        for done, future in enumerate(as_completed(futures), start=1):
            rendered[futures[future]] = future.result()
            if progress is not None:
                progress(done)
    return rendered  # type: ignore[return-value]


def response(data: bytes, filename: str, download: bool = True):
    """A Flask response sending the PDF ``data`` (kept out of shared caches)."""
    from flask import Response

    disposition = "attachment" if download else "inline"
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'{disposition}; filename="{filename}"',
        "Cache-Control": "private, no-store"})
