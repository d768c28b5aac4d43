"""PDFs are made without fetching anything outside the document."""
from __future__ import annotations

import io

import pytest

from pypdf import PdfReader

from organizer import pdf


def test_outside_resources_are_refused_and_never_fetched(listener, tmp_path):
    base, seen = listener
    secret = tmp_path / "secret.css"
    secret.write_text("body { background: red }")
    html = f"""<html><head>
      <link rel="stylesheet" href="{base}/style.css">
      <link rel="stylesheet" href="file://{secret}">
      <style>@import url("{base}/import.css"); p {{ background: url("{base}/bg.png") }}
             @font-face {{ font-family: X; src: url("{base}/font.woff") }}</style>
      </head><body><p>Hello, world</p><img src="{base}/pixel.png"><img src="/etc/passwd">
      <img src="file:///etc/hostname"></body></html>"""
    document = pdf.render(html)
    assert seen == []
    assert "Hello, world" in PdfReader(io.BytesIO(document)).pages[0].extract_text()


def test_embedded_images_still_render():
    # One transparent pixel as a data: URL is allowed (that is how codes are embedded).
    pixel = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42m"
             "NkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
    document = pdf.render(f'<img src="{pixel}" style="width:20mm">')
    reader = PdfReader(io.BytesIO(document))
    assert list(reader.pages[0].images), "the embedded image is in the PDF"


def test_documents_rendered_in_parts_are_joined_in_order():
    calls = []
    document = pdf.render_parts((f"<p>Part {n}</p>" for n in range(3)), progress=calls.append)
    reader = PdfReader(io.BytesIO(document))
    assert [page.extract_text().strip() for page in reader.pages] == ["Part 0", "Part 1", "Part 2"]
    assert calls == [1, 2, 3]


def test_control_the_listener_sees_what_a_default_renderer_fetches(listener):
    from weasyprint import HTML
    base, seen = listener
    HTML(string=f'<img src="{base}/pixel.png">').write_pdf()
    assert seen == ["/pixel.png"]


@pytest.mark.slow
def test_parts_rendered_in_several_processes_come_back_in_order():
    calls = []
    document = pdf.render_parts((f"<p>Part {n}</p>" for n in range(5)), progress=calls.append,
                                processes=2)
    reader = PdfReader(io.BytesIO(document))
    assert [page.extract_text().strip() for page in reader.pages] == [
        f"Part {n}" for n in range(5)]
    assert calls == [1, 2, 3, 4, 5]


def _first_letters_x(document: bytes, count: int) -> tuple[list[float], float]:
    """The left edges of the first ``count`` letters on the first page, in reading order,
    and the page's width."""
    import pypdfium2
    page = pypdfium2.PdfDocument(document)[0]
    text = page.get_textpage()
    return [text.get_charbox(index)[0] for index in range(count)], page.get_width()


def test_right_to_left_paragraphs_read_and_align_from_the_right():
    arabic, hebrew = "مرحبا بكم في لقاء القهوة", "ברוכים הבאים לפגישה"
    for words in (arabic, hebrew):
        xs, width = _first_letters_x(pdf.render(f"<html><body><p>{words}</p></body></html>"), 3)
        # The first letters stand at the right edge and each next one to its left.
        assert xs[0] > width / 2 and xs[0] > xs[1] > xs[2], (words, xs)
    # Control: a left-to-right paragraph in the same document still starts at the left.
    xs, width = _first_letters_x(
        pdf.render(f"<html><body><p>Coffee chat</p><p>{arabic}</p></body></html>"), 3)
    assert xs[0] < width / 4 and xs[0] < xs[1] < xs[2]


def test_direction_follows_the_first_letter_with_one():
    assert pdf.text_direction("« 12 » مرحبا Ana") == "rtl"
    assert pdf.text_direction("12 Ana مرحبا") == "ltr"
    assert pdf.text_direction("12 — 34") is None
