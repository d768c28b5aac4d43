"""Camera pictures decoded on the server: printed, rotated, blurred, in perspective."""
from __future__ import annotations

import io

import pytest
from PIL import Image, ImageFilter

from organizer_plugins.badges import tickets

from .helpers import going_attendee, scan, station_secret, ticket_url


def _photo(url: str, turn: float = 0, blur: float = 0, tilt: bool = False,
           dark: bool = False) -> bytes:
    """A QR code as a phone would see it on a printed badge."""
    code = Image.open(io.BytesIO(tickets.png(url, box_size=6))).convert("L")
    page = Image.new("L", (code.width + 200, code.height + 200), 235 if not dark else 90)
    if dark:
        # A dark print: the light modules are grey, not white.
        code = code.point(lambda v: 170 if v > 128 else 10)
    page.paste(code, (100, 100))
    if turn:
        page = page.rotate(turn, expand=True, fillcolor=235)
    if tilt:
        w, h = page.size
        # Seen from below and to one side.
        page = page.transform((w, h), Image.Transform.PERSPECTIVE,
                              (1.05, 0.12, -20, 0.05, 1.1, -30, 0.00012, 0.00025),
                              fillcolor=235)
    if blur:
        page = page.filter(ImageFilter.GaussianBlur(blur))
    out = io.BytesIO()
    page.convert("RGB").save(out, format="JPEG", quality=80)
    return out.getvalue()


def _send(client, secret, data: bytes, name="frame.jpg"):
    # The multipart body is built by hand: the test client would spool a big
    # file to a temporary file it never closes.
    body = (b'--B\r\nContent-Disposition: form-data; name="frame"; filename="' + name.encode()
            + b'"\r\nContent-Type: image/jpeg\r\n\r\n' + data + b"\r\n--B--\r\n")
    return client.post(f"/station/{secret}/frame", data=body,
                       headers={"Accept": "application/json"},
                       content_type="multipart/form-data; boundary=B")


@pytest.mark.parametrize("kind, photo", [
    ("straight", {}), ("rotated", {"turn": 33}), ("upside down", {"turn": 180}),
    ("blurred", {"blur": 1.2}), ("in perspective", {"tilt": True}),
    ("dark print", {"dark": True}), ("all at once", {"turn": 12, "blur": 0.8, "tilt": True}),
])
def test_a_photo_of_a_badge_checks_the_person_in(app, host_client, kind, photo):
    event, ben = going_attendee(app, host_client)
    secret = station_secret(host_client, event)
    url = ticket_url(app.test_client(), ben)
    read = _send(app.test_client(), secret, _photo(url, **photo)).get_json()
    assert read == {"result": "code", "code": url}, kind
    # The page then sends the code on, as a scanner would.
    answer = scan(app.test_client(), secret, read["code"]).get_json()
    assert answer["result"] == "checked_in" and answer["name"] == "Ben Guest"


def test_a_frame_without_a_code_or_not_a_picture_gets_a_clear_answer(app, host_client):
    event, ben = going_attendee(app, host_client)
    secret = station_secret(host_client, event)
    blank = io.BytesIO()
    Image.new("RGB", (320, 240), "white").save(blank, format="JPEG")
    empty = _send(app.test_client(), secret, blank.getvalue())
    assert empty.status_code == 200 and empty.get_json()["result"] == "no_code"
    garbage = _send(app.test_client(), secret, b"definitely not a jpeg" * 100)
    assert garbage.status_code == 400
    assert garbage.get_json()["message"] == "That is not a picture we can read."
    huge = _send(app.test_client(), secret, b"\xff" * (3 * 1024 * 1024))
    assert huge.status_code == 413
    tall = io.BytesIO()
    Image.new("L", (1, 70_000), 255).save(tall, format="PNG")
    odd = _send(app.test_client(), secret, tall.getvalue(), name="tall.png")
    assert odd.status_code == 400 and "too many pixels" in odd.get_json()["message"]
    from .helpers import person
    assert person(event, "ben@example.org").checked_in_at is None


def test_frames_are_rate_limited_per_station_and_address(app, host_client):
    event, ben = going_attendee(app, host_client)
    door = station_secret(host_client, event, name="Door")
    side = station_secret(host_client, event, name="Side door")
    app.config["FRAME_RATE_LIMIT"] = "3 per minute"
    blank = io.BytesIO()
    Image.new("RGB", (160, 120), "white").save(blank, format="JPEG")
    phone = app.test_client()
    codes = [_send(phone, door, blank.getvalue()).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = _send(phone, door, blank.getvalue())
    assert refused.status_code == 429 and refused.get_json()["error"]
    assert _send(phone, side, blank.getvalue()).status_code == 200  # another door's budget
