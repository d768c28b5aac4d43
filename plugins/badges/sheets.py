"""Badge PDFs: one person's badge, and sheets of everyone going.

A badge shows the name as large as it fits (readable at two metres), the
role and organisation, the event, and the ticket's QR code. The code is the
one stored with the ticket, embedded as a tiny PNG drawn without smoothing,
so a sheet never encodes a code again and prints sharp at any size.
"""
from __future__ import annotations

import base64
import math
import unicodedata
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from markupsafe import escape

from organizer.plugin_api import FONT_STACK, render_pdf, render_pdf_parts

from .layouts import Layout

PT = 25.4 / 72  # one point in millimetres
# Badges per document part: a multiple of every layout's page (4 and 8), and
# small enough that the renderer's memory stays flat over a long sheet.
PART = 80


@dataclass(frozen=True)
class BadgeData:
    """What a badge prints; plain values, so jobs need no database objects here."""

    name: str
    role: str
    organisation: str
    event_title: str
    event_when: str
    code_png: bytes | None  # None: a blank badge for a walk-in, without a code
    lines: tuple[str, ...] = ()  # other plugins' lines (badge_lines), under the organisation


def _width_units(text: str) -> float:
    # Rough advance widths in ems: wide (CJK) characters take a whole em,
    # Latin letters (bold) nearly two thirds of one.
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.64 for ch in text)


def _name_lines(name: str) -> list[str]:
    """The name on one line, or split over two where that makes it larger."""
    words = name.split()
    if len(words) < 2:
        return [name]
    best = [name]
    for cut in range(1, len(words)):
        lines = [" ".join(words[:cut]), " ".join(words[cut:])]
        if max(map(_width_units, lines)) < max(map(_width_units, best)):
            best = lines
    return best


def name_size(name: str, width_mm: float, height_mm: float, largest_pt: float) -> tuple[float, int]:
    """The font size (pt) and line count that show ``name`` as large as the box allows."""
    single = min(largest_pt, width_mm / max(_width_units(name), 1) / PT)
    lines = _name_lines(name)
    if len(lines) == 2 and single < largest_pt * 0.75:
        double = min(largest_pt, width_mm / max(map(_width_units, lines)) / PT,
                     height_mm / (2 * 1.15) / PT)
        if double > single * 1.15:
            return max(double, 12), 2
    return max(single, 12), 1


def _clip(text: str, ems: float) -> str:
    """``text`` cut with an ellipsis to about ``ems`` wide (the event's one line)."""
    if _width_units(text) <= ems:
        return text
    kept, width = [], 1.0
    for ch in text:
        width += _width_units(ch)
        if width > ems:
            break
        kept.append(ch)
    return "".join(kept).rstrip() + "…"


def _geometry(layout: Layout) -> tuple[float, float]:
    """Inner padding and QR code size (mm) of a badge of ``layout``."""
    if layout.portrait:
        return 8, min(layout.width * 0.5, 52)
    return 5, min(layout.height * 0.5, layout.width * 0.36, 38)


def _css(layout: Layout, sizes: set[int]) -> str:
    pad, qr = _geometry(layout)
    positions = "".join(
        f".s{i}{{left:{x:.2f}mm;top:{y:.2f}mm}}"
        for i, (x, y) in enumerate(layout.position(i) for i in range(layout.per_page)))
    # Solid hairlines: dashed borders cost far more to draw.
    guide = "border:0.15mm solid #c8c8c8;" if layout.cut_guides else ""
    if layout.portrait:
        body = f"""
.qr{{position:absolute;left:{(layout.width - qr) / 2:.2f}mm;bottom:{pad}mm;width:{qr:.2f}mm;height:{qr:.2f}mm}}
.who{{position:absolute;left:{pad}mm;right:{pad}mm;top:{pad + 16}mm;text-align:center}}"""
    else:
        body = f"""
.qr{{position:absolute;right:{pad - 1}mm;bottom:{pad - 1}mm;width:{qr:.2f}mm;height:{qr:.2f}mm}}
.who{{position:absolute;left:{pad}mm;right:{qr + pad}mm;top:{pad + 10}mm}}"""
    return f"""
@page {{ size: {layout.page}; margin: 0 }}
html {{ font-family: {FONT_STACK}; color: #111 }}
body {{ margin: 0 }}
.page {{ position: relative; width: {layout.page_width:.2f}mm; height: {layout.page_height:.2f}mm;
         overflow: hidden; break-after: page }}
.page:last-child {{ break-after: auto }}
.b {{ position: absolute; box-sizing: border-box; width: {layout.width:.2f}mm;
      height: {layout.height:.2f}mm; overflow: hidden; {guide} }}
.ev {{ position: absolute; left: {pad}mm; right: {pad}mm; top: {pad - 1}mm; font-size: 8.5pt;
       line-height: 1.25; color: #0b5c55; {'text-align:center;' if layout.portrait else ''} }}
.name {{ font-weight: 700; line-height: 1.12; overflow-wrap: anywhere; margin: 0 }}
.org {{ font-size: {13 if layout.portrait else 10}pt; line-height: 1.3; margin-top: 2mm;
        color: #333; overflow-wrap: anywhere; max-height: 2.7em; overflow: hidden }}
.line {{ font-size: {11 if layout.portrait else 9}pt; font-weight: bold; margin-top: 1.5mm;
         text-transform: uppercase; letter-spacing: .04em }}
.qr {{ image-rendering: pixelated }}
{body}
{positions}
{"".join(f".f{n}{{font-size:{n}pt}}" for n in sorted(sizes))}
"""


def _badge(data: BadgeData, slot: int, layout: Layout) -> tuple[str, int]:
    """A badge's HTML and the font size (pt) of its name."""
    pad, qr = _geometry(layout)
    # The name shares its width with the code on landscape badges only.
    box_width = layout.width - 2 * pad - (0 if layout.portrait else qr + pad)
    box_height = layout.height * (0.3 if layout.portrait else 0.42)
    line = (layout.width - 2 * pad) / (8.5 * PT)  # ems in the event line
    size = int(name_size(data.name, box_width, box_height, 44 if layout.portrait else 30)[0])
    role = " · ".join(part for part in (data.role, data.organisation) if part)
    lines = "".join(f'<div class="line">{escape(_clip(text, line))}</div>' for text in data.lines)
    code = ""
    if data.code_png:
        src = "data:image/png;base64," + base64.b64encode(data.code_png).decode("ascii")
        code = f'<img class="qr" src="{src}" alt="">'
    return (f'<div class="b s{slot}"><div class="ev"><b>{escape(_clip(data.event_title, line))}</b>'
            f'<br>{escape(data.event_when)}</div><div class="who">'
            f'<p class="name f{size}">{escape(data.name)}</p>'
            f'<div class="org">{escape(role)}</div>{lines}</div>{code}</div>'), size


def document(badges: Sequence[BadgeData], layout: Layout) -> str:
    """The HTML of ``badges`` laid out on pages of ``layout``."""
    pages, sizes = [], set()
    for start in range(0, len(badges), layout.per_page):
        chunk = []
        for slot, data in enumerate(badges[start:start + layout.per_page]):
            html, size = _badge(data, slot, layout)
            chunk.append(html)
            sizes.add(size)
        pages.append('<div class="page">' + "".join(chunk) + "</div>")
    return (f'<!doctype html><html><head><meta charset="utf-8">'
            f'<style>{_css(layout, sizes)}</style></head><body>{"".join(pages)}</body></html>')


def single(data: BadgeData, layout: Layout) -> bytes:
    """One badge on a page of its own size (badge printers, or print and cut)."""
    alone = Layout(layout.key, layout.label, f"{layout.width:.2f}mm {layout.height:.2f}mm",
                   layout.width, layout.height, layout.width, layout.height, 1, 1, 0, 0,
                   cut_guides=False)
    return render_pdf(document([data], alone))


def sheet(badges: Sequence[BadgeData], layout: Layout,
          progress: Callable[[int], None] | None = None, processes: int = 1) -> bytes:
    """All ``badges`` on sheets of ``layout``; ``progress(done)`` as parts finish.

    ``processes`` > 1 renders long sheets on that many cores at once.
    """
    if not badges:
        raise ValueError("no badges to print")
    parts = math.ceil(len(badges) / PART)

    def sources() -> Iterable[str]:
        for part in range(parts):
            yield document(badges[part * PART:(part + 1) * PART], layout)

    def report(number: int) -> None:
        if progress is not None:
            progress(min(number * PART, len(badges)))

    return render_pdf_parts(sources(), progress=report, processes=processes)
