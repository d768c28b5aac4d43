"""Pictures a host uploads: an event's cover and their own photo. Each is re-encoded, with the
camera's metadata gone, in the sizes pages use; bad files get a sentence and change nothing."""
from __future__ import annotations

import io
import re

from PIL import Image

from organizer.db import db
from organizer.models import Event, Host, Picture, PictureFile
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from organizer.testing import csrf_token, post, signup

from .conftest import create_event

GPS = 0x8825
ORIENTATION = 0x0112


def photo(width=1600, height=1000, fmt="JPEG", rotated=False, gps=False, colour="teal") -> bytes:
    """A picture as a camera or an editor saves it."""
    image = Image.new("RGB", (width, height), colour)
    image.paste("orange", (0, 0, width // 4, height // 4))  # a corner to tell the way up
    exif = Image.Exif()
    if rotated:
        exif[ORIENTATION] = 6  # "turn 90° clockwise to show"
    if gps:
        exif[0x010F] = "Camera Maker"
        exif.get_ifd(GPS).update({1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)})
    out = io.BytesIO()
    image.save(out, format=fmt, **({"exif": exif} if fmt == "JPEG" else {}))
    return out.getvalue()


def send(client, url, fields, page):
    """POST a form with files as a browser does. Encoded here in memory: the test client
    would spool a large body to a temporary file it never closes."""
    values = {"csrf_token": csrf_token(client, page)}
    for key, value in fields.items():
        values[key] = FileStorage(io.BytesIO(value[0]), value[1]) if isinstance(value, tuple) \
            else value
    boundary, body = encode_multipart(values)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def upload_cover(client, event_id, raw, name="cover.jpg", alt="Ten people at a café table"):
    return send(client, f"/events/{event_id}/cover", {"picture": (raw, name), "alt": alt},
                page=f"/events/{event_id}/cover")


def test_a_cover_is_re_encoded_without_metadata_in_sizes_for_phone_desktop_and_cards(app, host_client):
    event_id = create_event(host_client)
    response = upload_cover(host_client, event_id, photo(3000, 2000, rotated=True, gps=True))
    assert response.status_code == 302
    event = db.session.get(Event, event_id)
    assert event.cover.alt == "Ten people at a café table"
    visitor = app.test_client()
    page = visitor.get(f"/e/{event.slug}").text
    srcset = re.search(r'<img class="cover"[^>]*srcset="([^"]+)"', page)[1]
    assert re.fullmatch(r"/p/[\w-]{22}/phone\.jpg 640w, /p/[\w-]{22}/desktop\.jpg 1280w", srcset)
    assert 'alt="Ten people at a café table"' in page
    base = app.config["BASE_URL"]
    assert f'<meta property="og:image" content="{base}/p/{event.cover.key}/card.jpg">' in page
    sizes = {}
    for size in ("phone", "desktop", "card"):
        served = visitor.get(f"/p/{event.cover.key}/{size}.jpg")
        assert served.status_code == 200 and served.mimetype == "image/jpeg"
        assert "immutable" in served.headers["Cache-Control"]
        image = Image.open(io.BytesIO(served.data))
        assert image.format == "JPEG" and not image.getexif() and "exif" not in image.info
        assert b"Camera Maker" not in served.data
        sizes[size] = image
    # The camera's "turn clockwise" was applied: the 3000×2000 shot is upright, 2000×3000.
    assert sizes["phone"].size == (640, 960) and sizes["desktop"].size == (1280, 1920)
    assert sizes["card"].size == (1200, 630)
    # After turning, the orange corner is top-right.
    top_right = sizes["desktop"].getpixel((1270, 10))
    assert top_right[0] > 200 and top_right[2] < 80
    again = visitor.get(f"/p/{event.cover.key}/card.jpg",
                        headers={"If-None-Match": served.headers["ETag"]})
    assert again.status_code in (200, 304)


def test_a_phone_photo_larger_than_the_forms_limit_is_accepted(app, host_client):
    event_id = create_event(host_client)
    raw = photo(2400, 1600, fmt="PNG")  # noise-free but large as PNG; pad to be sure
    raw += b"\0" * max(0, 3 * 1024 * 1024 - len(raw))
    assert len(raw) > app.config["MAX_CONTENT_LENGTH"]
    assert upload_cover(host_client, event_id, raw, "big.png").status_code == 302


def test_bad_uploads_get_a_sentence_and_keep_the_cover_there_was(app, host_client):
    event_id = create_event(host_client)
    assert upload_cover(host_client, event_id, photo()).status_code == 302
    before = db.session.get(Event, event_id).cover.key
    bomb = io.BytesIO()
    Image.new("1", (12000, 12000)).save(bomb, format="PNG")  # tiny file, 144 million pixels
    cases = {
        b"%PDF-1.4 not a picture": "not a picture we can read",
        photo(400, 300): "at least 800×400",
        bomb.getvalue(): "too many pixels",
        photo(fmt="BMP"): "JPEG, PNG, WebP or GIF",
        b"": "Choose a picture",
    }
    for raw, sentence in cases.items():
        response = upload_cover(host_client, event_id, raw)
        assert response.status_code == 422, sentence
        assert sentence in response.text
    db.session.expire_all()
    assert db.session.get(Event, event_id).cover.key == before
    assert db.session.query(Picture).count() == 1


def test_a_file_over_the_upload_limit_is_refused_before_it_is_read(app, host_client):
    event_id = create_event(host_client)
    too_big = upload_cover(host_client, event_id, b"\xff" * (11 * 1024 * 1024))
    assert too_big.status_code == 413 and "too large" in too_big.text
    assert db.session.query(Picture).count() == 0


def test_replacing_or_removing_a_cover_forgets_the_old_files(app, host_client):
    event_id = create_event(host_client)
    upload_cover(host_client, event_id, photo(colour="red"))
    first = db.session.get(Event, event_id).cover.key
    upload_cover(host_client, event_id, photo(colour="blue"))
    db.session.expire_all()
    second = db.session.get(Event, event_id).cover.key
    assert second != first
    assert app.test_client().get(f"/p/{first}/card.jpg").status_code == 404
    post(host_client, f"/events/{event_id}/cover/remove", page=f"/events/{event_id}/cover")
    db.session.expire_all()
    event = db.session.get(Event, event_id)
    assert event.cover is None and db.session.query(PictureFile).count() == 0
    page = app.test_client().get(f"/e/{event.slug}").text
    assert f"/e/{event.slug}/card.png" in page  # the drawn card again


def test_only_the_events_hosts_can_change_its_cover(app, host_client):
    event_id = create_event(host_client)
    other = app.test_client()
    signup(other, name="Mallory", email="mallory@example.org")
    response = send(other, f"/events/{event_id}/cover", {"picture": (photo(), "x.jpg")},
                    page="/dashboard")
    assert response.status_code in (403, 404)
    assert db.session.get(Event, event_id).cover is None
    signed_out = app.test_client().post(f"/events/{event_id}/cover",
                                        data={"picture": (io.BytesIO(photo()), "x.jpg")})
    assert signed_out.status_code in (302, 400)
    assert db.session.get(Event, event_id).cover is None


def test_the_hosts_page_shows_their_photo_and_bio(app, host_client, host):
    response = send(host_client, "/settings/profile",
                    {"name": "Ana Host", "bio": "I run <b>coffee</b> chats.\n\nSay hello!",
                     "photo": (photo(900, 600, gps=True), "me.jpg")}, page="/settings/profile")
    assert response.status_code == 302
    db.session.expire_all()
    host = db.session.get(Host, host.id)
    page = app.test_client().get(f"/h/{host.handle}").text
    assert "I run &lt;b&gt;coffee&lt;/b&gt; chats." in page and "<b>coffee</b>" not in page
    assert '<p class="bio">Say hello!</p>' in page
    assert f"/p/{host.photo.key}/large.jpg" in page
    large = Image.open(io.BytesIO(app.test_client().get(f"/p/{host.photo.key}/large.jpg").data))
    assert large.size == (400, 400) and not large.getexif()  # cropped square, metadata gone
    event_id = create_event(host_client)
    event_page = app.test_client().get(f"/e/{db.session.get(Event, event_id).slug}").text
    assert f"/p/{host.photo.key}/small.jpg" in event_page

    too_long = post(host_client, "/settings/profile", {"name": "Ana Host", "bio": "x" * 501},
                    page="/settings/profile")
    assert too_long.status_code == 422 and "under 500 characters" in too_long.text
    removed = post(host_client, "/settings/profile",
                   {"name": "Ana Host", "bio": "", "remove_photo": "y"}, page="/settings/profile")
    assert removed.status_code == 302
    db.session.expire_all()
    assert db.session.get(Host, host.id).photo is None
    assert db.session.query(Picture).count() == 0
