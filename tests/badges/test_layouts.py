"""Badge layouts: every badge on the page, sizes right, long names shrink but are never cut."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from organizer_plugins.badges import layouts, sheets

PAGE_POINTS = {"A4": (595.3, 841.9), "letter": (612.0, 792.0)}


def _badge(name: str) -> sheets.BadgeData:
    return sheets.BadgeData(name, "Head of Partnerships", "Very Long Organisation Name GmbH",
                            "Founders & Funders Lunch", "Thu 3 Dec 2026, 12:30", None)


@pytest.mark.parametrize("key", sorted(layouts.LAYOUTS))
def test_each_layout_fills_its_pages_in_order(key):
    layout = layouts.LAYOUTS[key]
    assert layout.fits()
    names = [f"Person {n:02d}" for n in range(layout.per_page + 1)]
    reader = PdfReader(io.BytesIO(sheets.sheet([_badge(n) for n in names], layout)))
    assert len(reader.pages) == 2
    width, height = PAGE_POINTS[layout.page]
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(width, abs=1)
        assert float(page.mediabox.height) == pytest.approx(height, abs=1)
    first, second = (" ".join(page.extract_text().split()) for page in reader.pages)
    assert all(name in first for name in names[:-1]) and names[-1] in second


def test_names_are_as_large_as_fit_and_long_ones_wrap_rather_than_shrink_away():
    short, _ = sheets.name_size("Ana", 50, 25, 30)
    longer, _ = sheets.name_size("Maximilian Oberhausen", 50, 25, 30)
    longest, lines = sheets.name_size("Maximiliane Alexandra von Hohenzollern-Sigmaringen",
                                      50, 25, 30)
    assert short == 30 and longer < short and longest >= 12 and lines == 2
    wide, _ = sheets.name_size("山田太郎山田太郎", 50, 25, 30)
    narrow, _ = sheets.name_size("Yamada Taro Y", 50, 25, 30)
    assert wide < narrow  # CJK characters are counted as a full em each


def test_a_very_long_name_is_printed_whole():
    name = "Maximiliane Alexandra Friederike von Hohenzollern-Sigmaringen-Württemberg"
    reader = PdfReader(io.BytesIO(sheets.single(_badge(name), layouts.get(None))))
    text = " ".join(reader.pages[0].extract_text().split())
    assert all(part in text.replace("- ", "-").replace("-\n", "-") for part in name.split()[:4])
    assert len(reader.pages) == 1


def test_an_unknown_layout_is_none():
    assert layouts.get("a3-poster") is None and layouts.get("").key == layouts.DEFAULT
