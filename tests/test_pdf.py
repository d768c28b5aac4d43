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
