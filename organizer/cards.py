"""An event's preview card: the 1200×630 picture chat apps and social sites show for a link.

Drawn on the server with Pillow from what the page says (title, date and
time, place, host), so a pasted link shows a card without the page loading
anything from elsewhere. Text in Chinese, Japanese or Korean is drawn with
Noto Sans CJK; right-to-left scripts are laid out by libraqm when Pillow has
it.
"""
from __future__ import annotations

import html
import io
import re
from functools import lru_cache
from pathlib import Path

import nh3
from PIL import Image, ImageDraw, ImageFont

from .i18n import gettext as _, in_language
from .models import Event
from .rendering import render_markdown
from .timeutil import format_range

WIDTH, HEIGHT = 1200, 630
MARGIN = 72
# Background and accent by kind of event; text is white on all of them (contrast ≥ 7:1).
COLOURS = {"coffee": ("#4a2c1a", "#e9b872"), "lunch": ("#1f4d3a", "#9fe0b8"),
           "meetup": ("#1e2a78", "#a9b8ff"), "workshop": ("#5a1f4f", "#f3a6dd"),
           "virtual": ("#12424f", "#8fe3f5")}
_FONTS = {
    "regular": ("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
                "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    "bold": ("/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
             "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    "cjk-regular": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",),
    "cjk-bold": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",),
}
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")


@lru_cache(maxsize=32)
def _font(weight: str, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in _FONTS[weight]:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size)


def _font_for(text: str, bold: bool, size: int):
    base = "bold" if bold else "regular"
    if _CJK.search(text) and Path(_FONTS["cjk-" + base][0]).exists():
        base = "cjk-" + base
    return _font(base, size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int, lines: int) -> list[str]:
    """``text`` in at most ``lines`` lines no wider than ``width``, the last cut with "…"
    when it does not fit. Text without spaces (Chinese, Japanese) breaks anywhere."""
    spaced = " " in text.strip()
    pieces, joiner = (text.split(), " ") if spaced else (list(text.strip()), "")
    found: list[str] = []
    current = ""
    for piece in pieces:
        trial = f"{current}{joiner}{piece}" if current else piece
        if current and draw.textlength(trial, font=font) > width:
            found.append(current)
            current = piece
        else:
            current = trial
    if current:
        found.append(current)
    if len(found) <= lines:
        return found
    last = found[lines - 1]
    while last and draw.textlength(last + "…", font=font) > width:
        last = last[:-1]
    return found[:lines - 1] + [last.rstrip() + "…"]


def render(event: Event) -> bytes:
    """The event's card as PNG bytes, in the event's language (one picture for every
    visitor: link previews are cached by the sites that show them)."""
    with in_language(event.language):
        return _render(event)


def _render(event: Event) -> bytes:
    background, accent = COLOURS.get(event.kind, COLOURS["meetup"])
    image = Image.new("RGB", (WIDTH, HEIGHT), background)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 18, HEIGHT), fill=accent)
    width = WIDTH - 2 * MARGIN
    y = MARGIN
    kind = event.kind_label.upper()
    if event.status == "cancelled":
        # Translators: on an event's preview picture, after its kind in capitals.
        kind = _("%(kind)s  ·  CANCELLED", kind=kind)
    draw.text((MARGIN, y), kind, font=_font("bold", 30), fill=accent)
    y += 64
    # A long title gets a smaller size before it gets a third line.
    for size, most in ((76, 2), (62, 2), (54, 3)):
        title_font = _font_for(event.title, True, size)
        lines = _wrap(draw, event.title, title_font, width, most)
        if len(lines) < most or not lines[-1].endswith("…"):
            break
    for line in lines:
        draw.text((MARGIN, y), line, font=title_font, fill="white")
        y += int(size * 1.2)
    y += 18
    when = format_range(event.local_start, event.local_end)
    place = event.venue or (_("Online") if event.online_url else "")
    for text, size in ((when, 40), (place, 36)):
        if not text:
            continue
        font = _font_for(text, False, size)
        for line in _wrap(draw, text, font, width, 1):
            draw.text((MARGIN, y), line, font=font, fill="white")
        y += size + 22
    host = _("Hosted by %(name)s", name=event.owner.name)
    font = _font_for(host, False, 32)
    draw.text((MARGIN, HEIGHT - MARGIN - 34), _wrap(draw, host, font, width - 260, 1)[0],
              font=font, fill=accent)
    draw.text((WIDTH - MARGIN, HEIGHT - MARGIN - 34), "organizer", font=_font("bold", 32),
              fill="white", anchor="ra")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def summary(event: Event, limit: int = 200) -> str:
    """One line for a link preview: when, where, who, and the start of the description
    (in the language the page speaks)."""
    parts = [format_range(event.local_start, event.local_end)]
    if event.venue or event.address:
        parts.append(event.venue or event.address)
    elif event.online_url:
        parts.append(_("Online"))
    # Translators: the end of a link preview's line: "Tue 3 March 2026 · Café Lumen · hosted
    # by Ana Host."
    parts.append(_("hosted by %(name)s", name=event.owner.name))
    text = " · ".join(parts) + "."
    # The description as the page shows it (safe Markdown), then only its words: a link
    # keeps its text, never its address.
    shown = nh3.clean(str(render_markdown(event.description or "")), tags=set())
    plain = " ".join(html.unescape(shown).split())
    if plain:
        text += " " + plain
    return text if len(text) <= limit else text[:limit - 1].rsplit(" ", 1)[0] + "…"


def image_url(event: Event) -> str:
    """The address of the picture a shared link or a mail shows for ``event``: the
    host's cover when there is one, else the drawn card."""
    from . import pictures
    from .urls import external_url
    if event.cover is not None:
        return pictures.url(event.cover, "card", external=True)
    return external_url("events.event_card", slug=event.slug)
