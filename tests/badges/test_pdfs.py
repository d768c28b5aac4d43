"""Badge PDFs: one badge and sheets, readable names in any script, codes that scan."""
from __future__ import annotations

import io

import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader

from organizer.db import db
from organizer.models import Job

from ..conftest import post, signup
from ..rsvp.helpers import make_event, person, rsvp
from .helpers import scan, station_secret

MM = 72 / 25.4


def _pages(data: bytes) -> list:
    assert data.startswith(b"%PDF")
    return PdfReader(io.BytesIO(data)).pages


def _text(page) -> str:
    """A page's text with line breaks as spaces (long names wrap onto two lines)."""
    return " ".join(page.extract_text().split())


def _codes_on_page(data: bytes, page: int = 0, dpi: int = 200) -> list[str]:
    """Render a PDF page to an image, as a phone would see the print, and decode it."""
    document = pypdfium2.PdfDocument(data)
    image = document[page].render(scale=dpi / 72).to_pil()
    return [found.text for found in zxingcpp.read_barcodes(
        image, formats=zxingcpp.BarcodeFormat.QRCode)]


def _fonts(data: bytes) -> set[str]:
    names = set()
    for page in _pages(data):
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def _event_with(app, host_client, people: list[tuple[str, str, str, str]], capacity="20"):
    event = make_event(host_client, capacity=capacity)
    for name, email, organisation, role in people:
        response = rsvp(app.test_client(), event, name, email, organisation=organisation,
                        role=role)
        assert response.status_code == 201, response.text
    return event


def test_a_badge_pdf_shows_the_person_and_its_code_checks_them_in(app, host_client):
    event = _event_with(app, host_client, [
        ("Ben Guest", "ben@example.org", "Solar Co-op", "Engineer"),
        ("Ana Other", "ana@example.org", "Elsewhere", "Founder")])
    ben = person(event, "ben@example.org")
    response = host_client.get(f"/events/{event.id}/badges/{ben.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    [page] = _pages(response.data)
    text = _text(page)
    assert "Ben Guest" in text and "Engineer · Solar Co-op" in text and event.title in text
    assert "Ana Other" not in text
    # The default layout's badge is 90 × 65 mm.
    assert float(page.mediabox.width) == pytest.approx(90 * MM, abs=1)
    assert float(page.mediabox.height) == pytest.approx(65 * MM, abs=1)
    [code] = _codes_on_page(response.data)
    door = station_secret(host_client, event)
    answer = scan(app.test_client(), door, code).get_json()
    assert answer["result"] == "checked_in" and answer["name"] == "Ben Guest"


def test_a_sheet_is_built_as_a_job_with_progress_and_a_download(app, host_client):
    people = [("Zoë Ångström", "zoe@example.org", "Nordic Labs", "CTO"),
              ("山田 太郎", "taro@example.org", "東京ラボ", "研究者"),
              ("محمد عبد الله", "mohammed@example.org", "", "Investor"),
              ("Ana Souza", "ana@example.org", "Climate Capital", "Partner")]
    event = _event_with(app, host_client, people)
    page = host_client.get(f"/events/{event.id}/badges")
    assert page.status_code == 200 and "4 people are going" in page.text
    response = post(host_client, f"/events/{event.id}/badges",
                    {"layout": "letter-2x4", "who": "going", "blanks": "2"},
                    page=f"/events/{event.id}/badges")
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    job = db.session.scalars(db.select(Job).order_by(Job.id.desc())).first()
    state = host_client.get(f"/jobs/{job.id}.json").get_json()
    assert state["status"] == "done" and state["title"] == "Badge sheet"
    assert state["done"] == state["total"] == 6 and state["percent"] == 100
    download = host_client.get(state["download"])
    assert download.status_code == 200
    pdf = download.data
    download.close()
    [sheet] = _pages(pdf)
    assert float(sheet.mediabox.width) == pytest.approx(612, abs=1)  # US Letter
    assert float(sheet.mediabox.height) == pytest.approx(792, abs=1)
    text = _text(sheet)
    # Alphabetical, so badges are easy to find on the table.
    order = [text.index(name) for name in ("Ana Souza", "Zoë Ångström", "山田 太郎")]
    assert order == sorted(order)
    assert "研究者 · 東京ラボ" in text
    # Each script is drawn with a font that has its letters.
    fonts = " ".join(_fonts(pdf))
    assert "CJK" in fonts and "Arabic" in fonts
    # Four named badges carry codes; the two blank ones do not.
    assert len(_codes_on_page(pdf, dpi=150)) == 4
    # Nobody else may see the job or its file.
    signup(other := app.test_client(), name="Other Host", email="other@example.org")
    assert other.get(f"/jobs/{job.id}.json").status_code == 403
    assert other.get(state["download"]).status_code == 403


@pytest.mark.parametrize("fields, message", [
    ({"layout": "a3-poster"}, "Choose one of the paper layouts."),
    ({"blanks": "lots"}, "Blank badges: a whole number from 0 to 200."),
    ({"blanks": "201"}, "Blank badges: a whole number from 0 to 200."),
    ({"who": "blank", "blanks": "0"}, "Say how many blank badges to print."),
    ({"who": "everyone"}, "Choose whose badges to print."),
])
def test_bad_choices_are_explained_and_start_nothing(app, host_client, fields, message):
    event = _event_with(app, host_client, [("Ben Guest", "ben@example.org", "", "")])
    data = {"layout": "a4-2x4", "who": "going", "blanks": "0", **fields}
    response = post(host_client, f"/events/{event.id}/badges", data,
                    page=f"/events/{event.id}/badges")
    assert response.status_code == 400 and message in response.text
    assert db.session.scalar(db.select(db.func.count()).select_from(Job)) == 0


def test_nobody_to_print_is_explained(app, host_client):
    event = make_event(host_client)
    response = post(host_client, f"/events/{event.id}/badges",
                    {"layout": "a4-2x4", "who": "going", "blanks": "0"},
                    page=f"/events/{event.id}/badges")
    assert response.status_code == 400 and "no badges to print" in response.text


def test_attendees_print_their_own_badge_and_nobody_elses(app, host_client):
    event = _event_with(app, host_client, [("Ben Guest", "ben@example.org", "", "Designer")])
    ben = person(event, "ben@example.org")
    own = app.test_client().get(f"/rsvp/{ben.token}/badge.pdf?layout=a4-a6")
    assert own.status_code == 200
    [page] = _pages(own.data)
    assert "Ben Guest" in _text(page)
    assert float(page.mediabox.width) == pytest.approx(105 * MM, abs=1)
    assert app.test_client().get(f"/rsvp/{ben.token}/badge.pdf?layout=nope").status_code == 404
    assert app.test_client().get("/rsvp/not-a-token/badge.pdf").status_code == 404
    # Another host reaches neither the badge page nor a guest's badge.
    signup(other := app.test_client(), name="Other Host", email="other@example.org")
    assert other.get(f"/events/{event.id}/badges").status_code in (403, 404)
    assert other.get(f"/events/{event.id}/badges/{ben.id}.pdf").status_code in (403, 404)
    # Once cancelled, there is no badge to print.
    post(app.test_client(), f"/rsvp/{ben.token}/cancel", page=f"/rsvp/{ben.token}")
    assert app.test_client().get(f"/rsvp/{ben.token}/badge.pdf").status_code == 404
    assert host_client.get(f"/events/{event.id}/badges/{ben.id}.pdf").status_code == 409
