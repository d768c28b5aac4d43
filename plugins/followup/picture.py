"""The picture of a community: who met whom over time, as an SVG drawn by hand.

Each person is a dot placed left to right by the date they first came, and
each meeting a line between two dots, darker the more recent. Only people
who chose to be shown by name are named (on hover, and beside the dot for
the busiest connectors); everyone else is an unnamed dot.
"""
from __future__ import annotations

from collections import Counter

from markupsafe import Markup, escape

from organizer.plugin_api import gettext as _

from .community import View

WIDTH, HEIGHT, MARGIN = 960, 420, 28
LABELS = 8


def svg(view: View, dates: list[str]) -> Markup:
    """The picture for ``view``; ``dates`` are the labels of its dates, oldest first."""
    if not view.nodes:
        return Markup("")
    spans = max(len(dates) - 1, 1)
    per_date = Counter(node["first"] for node in view.nodes.values())
    place, stacked = {}, Counter()
    for email, node in sorted(view.nodes.items(), key=lambda item: (item[1]["first"], item[0])):
        column = node["first"]
        stacked[column] += 1
        x = MARGIN + (WIDTH - 2 * MARGIN) * column / spans
        y = MARGIN + (HEIGHT - 3 * MARGIN) * stacked[column] / (per_date[column] + 1)
        place[email] = (round(x, 1), round(y, 1))
    title = _("Who met whom over time: each dot a person, placed by the date they first "
              "came; each line a meeting, darker when more recent")
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'role="img" aria-labelledby="picture-title" class="community-picture">',
             f'<title id="picture-title">{escape(title)}</title>',
             '<g stroke="#2d5bff" stroke-linecap="round">']
    for first, second, when in view.edges:
        (x1, y1), (x2, y2) = place[first], place[second]
        opacity = 0.12 + 0.5 * when / spans
        parts.append(f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" '
                     f'stroke-opacity="{opacity:.2f}"/>')
    parts.append('</g><g>')
    for email, (x, y) in place.items():
        node = view.nodes[email]
        label = escape(node["name"] if node["named"] else _("A guest"))
        colour = "#1d2330" if node["named"] else "#8a93a6"
        parts.append(f'<circle cx="{x}" cy="{y}" r="3.2" fill="{colour}"><title>{label}'
                     '</title></circle>')
    parts.append('</g><g font-size="11" fill="#1d2330">')
    named = {c.name for c in view.connectors[:LABELS]}
    for email, (x, y) in place.items():
        node = view.nodes[email]
        if node["named"] and node["name"] in named:
            parts.append(f'<text x="{x + 5}" y="{y - 4}">{escape(node["name"])}</text>')
    parts.append('</g><g font-size="11" fill="#5b6475">')
    for column in sorted({0, spans} if len(dates) > 1 else {0}):
        anchor = "start" if column == 0 else "end"
        x = MARGIN + (WIDTH - 2 * MARGIN) * column / spans
        parts.append(f'<text x="{x:.1f}" y="{HEIGHT - 8}" text-anchor="{anchor}">'
                     f'{escape(dates[column])}</text>')
    parts.append('</g></svg>')
    return Markup("".join(parts))
