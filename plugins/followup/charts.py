"""Small SVG bar charts for the host report (drawn by WeasyPrint, no outside fetch).

Titles and labels come in already translated; numbers are written in the language
being spoken (the report is drawn inside its event's language)."""
from __future__ import annotations

from markupsafe import escape

from organizer.plugin_api import format_number, gettext as _

WIDTH, HEIGHT, LEFT, BOTTOM = 170.0, 55.0, 10.0, 9.0  # millimetres
MAX_BAR = 12.0


def _nothing(title: str) -> str:
    said = _("%(title)s: nothing recorded.", title=title)
    return f'<p class="muted">{escape(said)}</p>'


def bars(title: str, points: list[tuple[str, int]], colour: str = "#0b5c55") -> str:
    """A vertical bar chart of labelled counts (labels shown under every few bars)."""
    if not points:
        return _nothing(title)
    top = max(value for __, value in points) or 1
    inner_w, inner_h = WIDTH - LEFT - 2, HEIGHT - BOTTOM - 6
    step = inner_w / len(points)
    every = max(1, len(points) // 8)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}mm" height="{HEIGHT}mm" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}">',
             f'<text x="{LEFT}" y="4" font-size="3.2" font-weight="bold">{escape(title)}</text>',
             f'<text x="{LEFT - 1}" y="{6 + 2}" font-size="2.4" text-anchor="end">'
             f'{escape(format_number(top))}</text>',
             f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - 2}" y2="{HEIGHT - BOTTOM}" '
             'stroke="#999" stroke-width="0.2"/>']
    for index, (label, value) in enumerate(points):
        h = inner_h * value / top
        width = min(step * 0.7, MAX_BAR)  # a day or two of data should not fill the chart
        x = LEFT + index * step + (step - width) / 2
        parts.append(f'<rect x="{x:.2f}" y="{HEIGHT - BOTTOM - h:.2f}" width="{width:.2f}" '
                     f'height="{h:.2f}" fill="{colour}"/>')
        if index % every == 0:
            parts.append(f'<text x="{x:.2f}" y="{HEIGHT - BOTTOM + 3.5:.2f}" font-size="2.3">'
                         f'{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def horizontal(title: str, counts: dict[str, int], limit: int = 12) -> str:
    """A horizontal bar chart of the largest ``limit`` counts (a mix of fields, say)."""
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    if not items:
        return _nothing(title)
    top = max(v for __, v in items) or 1
    row, label_w = 5.0, 55.0
    height = 7 + row * len(items)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}mm" height="{height}mm" '
             f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}">',
             f'<text x="0" y="4" font-size="3.2" font-weight="bold">{escape(title)}</text>']
    for index, (label, value) in enumerate(items):
        y = 7 + index * row
        w = (WIDTH - label_w - 12) * value / top
        shown = label if len(label) <= 32 else label[:31] + "…"
        parts.append(f'<text x="0" y="{y + 3:.2f}" font-size="2.6">{escape(shown)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y:.2f}" width="{w:.2f}" height="{row * 0.7:.2f}" '
                     'fill="#0b5c55"/>')
        parts.append(f'<text x="{label_w + w + 1:.2f}" y="{y + 3:.2f}" font-size="2.6">'
                     f'{escape(format_number(value))}</text>')
    parts.append("</svg>")
    return "".join(parts)
