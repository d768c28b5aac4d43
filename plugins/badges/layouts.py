"""Paper layouts for badges: sheets to cut, and one common label stock.

All sizes are millimetres. A layout places ``columns × rows`` badges of
``width × height`` on a page, from a top-left margin with gaps between them.
Positions are absolute because WeasyPrint lays absolutely placed boxes out
far faster than a grid or table of hundreds of badges.
"""
from __future__ import annotations

from dataclasses import dataclass

INCH = 25.4


@dataclass(frozen=True)
class Layout:
    key: str
    label: str
    page: str  # the CSS @page size
    page_width: float
    page_height: float
    width: float
    height: float
    columns: int
    rows: int
    left: float
    top: float
    gap_x: float = 0.0
    gap_y: float = 0.0
    # Plain paper gets light cutting guides; die-cut labels need none.
    cut_guides: bool = True

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    @property
    def portrait(self) -> bool:
        return self.height > self.width

    def position(self, index: int) -> tuple[float, float]:
        """Left and top of the ``index``-th badge of a page."""
        column, row = index % self.columns, index // self.columns
        return (self.left + column * (self.width + self.gap_x),
                self.top + row * (self.height + self.gap_y))

    def fits(self) -> bool:
        """Whether every badge lies inside the page (checked by the tests)."""
        right, bottom = self.position(self.per_page - 1)
        return (self.left >= 0 and self.top >= 0
                and right + self.width <= self.page_width + 0.01
                and bottom + self.height <= self.page_height + 0.01)


A4 = ("A4", 210.0, 297.0)
LETTER = ("letter", 8.5 * INCH, 11 * INCH)

LAYOUTS: dict[str, Layout] = {layout.key: layout for layout in [
    Layout("a4-2x4", "A4, 8 badges (2 × 4) of 90 × 65 mm", *A4,
           width=90, height=65, columns=2, rows=4, left=10, top=13.5, gap_x=10, gap_y=3),
    Layout("letter-2x4", "US Letter, 8 badges (2 × 4) of 3½ × 2½ in", *LETTER,
           width=3.5 * INCH, height=2.5 * INCH, columns=2, rows=4,
           left=0.625 * INCH, top=0.375 * INCH, gap_x=0.25 * INCH, gap_y=0.125 * INCH),
    Layout("a4-a6", "A4, 4 large badges (A6, 105 × 148 mm) to fold or cut", *A4,
           width=105, height=148.5, columns=2, rows=2, left=0, top=0),
    Layout("letter-4up", "US Letter, 4 large badges (4¼ × 5½ in)", *LETTER,
           width=4.25 * INCH, height=5.5 * INCH, columns=2, rows=2, left=0, top=0),
    # Avery 5395 / 8395 / 45395 adhesive name badges: 3⅜ × 2⅓ in, 8 a sheet.
    Layout("avery-5395", "Avery 5395 name badge labels (US Letter, 8 of 3⅜ × 2⅓ in)", *LETTER,
           width=3.375 * INCH, height=(7 / 3) * INCH, columns=2, rows=4,
           left=0.6875 * INCH, top=0.5833 * INCH, gap_x=0.375 * INCH, gap_y=(1 / 6) * INCH,
           cut_guides=False),
]}

DEFAULT = "a4-2x4"


def get(key: str | None) -> Layout | None:
    """The layout called ``key`` (the default for an empty key), or None."""
    return LAYOUTS.get(key or DEFAULT)
