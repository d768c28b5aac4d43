"""The host's guest list: counts, search, filters, additions, CSV export and import."""
from __future__ import annotations

import csv
import io

from ..conftest import post, signup
from .helpers import make_event, person, rsvp


def _import(client, event, text: str, confirm: bool = False):
    data = {"file": (io.BytesIO(text.encode()), "guests.csv")}
    response = post(client, f"/events/{event.id}/guests/import", data, page="/dashboard",
                    content_type="multipart/form-data")
    if confirm:
        response = post(client, f"/events/{event.id}/guests/import",
                        {"csv_text": text, "confirm": "1"}, page="/dashboard")
    return response


def test_counts_search_and_filters(app, host_client):
    event = make_event(host_client, capacity="1")
    rsvp(app.test_client(), event, "Ana Souza", "ana.s@example.org")
    rsvp(app.test_client(), event, "Ben Adeyemi", "ben@example.org")
    page = host_client.get(f"/events/{event.id}/guests").get_data(as_text=True)
    assert "All (2)" in page and "Going (1)" in page and "Waiting (1)" in page
    found = host_client.get(f"/events/{event.id}/guests?q=adey").get_data(as_text=True)
    assert "Ben Adeyemi" in found and "Ana Souza" not in found
    waiting = host_client.get(f"/events/{event.id}/guests?status=waiting").get_data(
        as_text=True)
    assert "Ben Adeyemi" in waiting and "Ana Souza" not in waiting and "waiting #1" in waiting


def test_the_host_adds_someone_by_hand(app, host_client):
    event = make_event(host_client)
    response = post(host_client, f"/events/{event.id}/guests/add",
                    {"name": "Dara", "email": "dara@example.org"}, page="/dashboard",
                    follow_redirects=True)
    assert "Dara added as going" in response.get_data(as_text=True)
    assert person(event, "dara@example.org").status == "going"
    again = post(host_client, f"/events/{event.id}/guests/add",
                 {"name": "Dara", "email": "dara@example.org"}, page="/dashboard",
                 follow_redirects=True)
    assert "already on the guest list" in again.get_data(as_text=True)


def test_the_export_neutralises_formulas(app, host_client):
    event = make_event(host_client)
    post(host_client, f"/events/{event.id}/questions", {"label": "Why?", "kind": "text"},
         page="/dashboard")
    rsvp(app.test_client(), event, "=HYPERLINK(\"http://evil\")", "eve@example.org",
         q1="+SUM(A1:A9)")
    rsvp(app.test_client(), event, "@Ben", "ben@example.org", q1="-1")
    response = host_client.get(f"/events/{event.id}/guests.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:3] == ["name", "email", "status"] and rows[0][-1] == "Why?"
    cells = [cell for row in rows[1:] for cell in row]
    assert "'=HYPERLINK(\"http://evil\")" in cells and "'+SUM(A1:A9)" in cells
    assert "'@Ben" in cells and "'-1" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


def test_an_import_shows_a_preview_with_row_errors_then_imports_the_good_rows(app, host_client):
    event = make_event(host_client, capacity="10")
    rsvp(app.test_client(), event, "Ben", "ben@example.org")
    text = ("name,email,status,organisation\n"
            "Ana,ana.i@example.org,,Solaris\n"
            ",nobody@example.org,going,\n"
            "Cem,not-an-address,going,\n"
            "Ben again,BEN@example.org,going,\n"
            "Dara,dara@example.org,maybe,\n"
            "Eli,eli@example.org,waiting,\n"
            "Eli twin,eli@example.org,going,\n")
    preview = _import(host_client, event, text)
    page = preview.get_data(as_text=True)
    assert preview.status_code == 422
    assert "2 rows are ready" in page and "5 have errors" in page
    for message in ("the name is missing", "is not a valid e-mail address",
                    "already on the guest list", "unknown status", "appears twice"):
        assert message in page
    assert len(host_client.get(f"/events/{event.id}/guests.csv").get_data(
        as_text=True).splitlines()) == 2  # nothing stored by the preview
    response = _import(host_client, event, text, confirm=True)
    assert response.status_code == 302
    assert person(event, "ana.i@example.org").organisation == "Solaris"
    assert person(event, "eli@example.org").status == "waiting"


def test_a_file_that_is_not_a_guest_list_is_explained(app, host_client):
    event = make_event(host_client)
    response = _import(host_client, event, "just some text\nwithout columns\n")
    assert response.status_code == 422
    assert "at least “name” and “email”" in response.get_data(as_text=True)
    binary = post(host_client, f"/events/{event.id}/guests/import",
                  {"file": (io.BytesIO(b"\xff\xfe\x00bad"), "x.csv")}, page="/dashboard",
                  content_type="multipart/form-data")
    assert binary.status_code == 422 and "UTF-8" in binary.get_data(as_text=True)


def test_another_host_cannot_see_or_change_the_guest_list(app, host_client):
    event = make_event(host_client)
    rsvp(app.test_client(), event, "Ben", "ben@example.org")
    ben = person(event, "ben@example.org")
    other = app.test_client()
    signup(other, name="Mallory", email="mallory@example.org")
    assert other.get(f"/events/{event.id}/guests").status_code == 403
    assert other.get(f"/events/{event.id}/guests.csv").status_code == 403
    response = post(other, f"/events/{event.id}/guests/{ben.id}/status",
                    {"status": "cancelled"}, page="/dashboard")
    assert response.status_code == 403
    assert person(event, "ben@example.org").status == "going"


def test_an_import_fills_free_seats_in_file_order_then_the_waiting_list(app, host_client):
    event = make_event(host_client, capacity="3")
    rsvp(app.test_client(), event, "Ana", "ana@example.org")
    text = ("name,email\n" + "".join(f"Guest {n},guest{n}@example.org\n" for n in range(5)))
    response = _import(host_client, event, text, confirm=True)
    assert response.status_code == 302
    going = [person(event, f"guest{n}@example.org").status for n in range(5)]
    assert going == ["going", "going", "waiting", "waiting", "waiting"]
    from organizer_plugins.rsvp import seats
    assert [a.email for a in seats.waiting_list(event.id)] == [
        "guest2@example.org", "guest3@example.org", "guest4@example.org"]
    # When a seat frees up, the first of them in the file moves up.
    post(app.test_client(), f"/rsvp/{person(event, 'ana@example.org').token}/cancel",
         page=f"/e/{event.slug}")
    assert person(event, "guest2@example.org").status == "going"
    assert person(event, "guest3@example.org").status == "waiting"


def test_an_import_into_an_event_that_approves_each_rsvp_awaits_approval(app, host_client):
    event = make_event(host_client, capacity="10", approval="1")
    text = "name,email,status\nAna,ana@example.org,\nBen,ben@example.org,going\n"
    response = _import(host_client, event, text, confirm=True)
    assert response.status_code == 302
    # A row without a status is placed as its RSVP would be; the host's own "going" stands.
    assert person(event, "ana@example.org").status == "pending"
    assert person(event, "ben@example.org").status == "going"
