"""Uploaded pictures: an event's cover and a host's photo.

Every upload is opened with Pillow, checked (a real JPEG, PNG, WebP or GIF
picture, of a sensible size) and drawn again into fresh JPEG files in the
sizes pages use. Nothing of the uploaded file survives but its pixels:
camera metadata (the place a photo was taken, the camera's serial number)
and anything hidden after the image data are gone. Turned the way the camera
meant it (EXIF orientation) before that metadata is dropped.

The files live in the database, so every app server has them.
"""
from __future__ import annotations

import io
import secrets
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from .db import db
from .i18n import gettext as _, lazy_gettext as _l
from .models import Event, Host, Picture, PictureFile

ACCEPTED = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "GIF": "GIF", "MPO": "JPEG"}
MAX_BYTES = 10 * 1024 * 1024
# A phone camera makes about 12–50 million pixels; far more is a trick to
# make the server spend its memory (a "decompression bomb").
MAX_PIXELS = 60_000_000
ALT_LENGTH = 300
TOO_MANY_PIXELS = _l("That picture has too many pixels. Upload one under 60 megapixels.")


@dataclass(frozen=True)
class Shape:
    """What a kind of picture must be and the files made from it."""

    min_width: int
    min_height: int
    # size name -> (width, height); a height of 0 keeps the proportions,
    # otherwise the picture is cropped around its middle to fill the box.
    sizes: dict[str, tuple[int, int]]


COVER = Shape(800, 400, {"phone": (640, 0), "desktop": (1280, 0), "card": (1200, 630)})
PHOTO = Shape(200, 200, {"small": (96, 96), "large": (400, 400)})


class PictureError(ValueError):
    """An upload that cannot be used, with a sentence saying what to do instead."""


def _open(raw: bytes) -> Image.Image:
    if not raw:
        raise PictureError(_("Choose a picture to upload."))
    if len(raw) > MAX_BYTES:
        raise PictureError(_("That file is larger than %(size)s MB. Upload a smaller picture.",
                             size=MAX_BYTES // (1024 * 1024)))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(raw))
            if image.format not in ACCEPTED:
                raise PictureError(_("Upload a JPEG, PNG, WebP or GIF picture."))
            if image.width * image.height > MAX_PIXELS:
                raise PictureError(str(TOO_MANY_PIXELS))
            image.load()
    except PictureError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PictureError(str(TOO_MANY_PIXELS)) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise PictureError(_("That file is not a picture we can read. "
                             "Upload a JPEG, PNG, WebP or GIF picture.")) from exc
    return image


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on white: transparent parts of a PNG or GIF must not turn black in a JPEG."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "P", "PA"):
        image = image.convert("RGBA")
        white = Image.new("RGB", image.size, "white")
        white.paste(image, mask=image.getchannel("A"))
        return white
    return image.convert("RGB")


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    # No exif= or icc_profile= passed: the new file carries no metadata.
    image.save(out, format="JPEG", quality=84, optimize=True, progressive=True)
    return out.getvalue()


def _sized(image: Image.Image, box: tuple[int, int]) -> Image.Image:
    width, height = box
    if height:
        return ImageOps.fit(image, box, Image.Resampling.LANCZOS)
    if image.width <= width:  # never enlarged: a blurry picture helps nobody
        return image
    return image.resize((width, round(image.height * width / image.width)),
                        Image.Resampling.LANCZOS)


def make(raw: bytes, shape: Shape, alt: str = "") -> Picture:
    """A new picture from an upload's bytes, in ``shape``'s sizes (added to the session,
    not committed). Raise :class:`PictureError` for anything unusable."""
    image = _flatten(_open(raw))
    if image.width < shape.min_width or image.height < shape.min_height:
        raise PictureError(_("That picture is %(width)s×%(height)s pixels; it needs at least "
                             "%(min_width)s×%(min_height)s to look sharp.",
                             width=image.width, height=image.height,
                             min_width=shape.min_width, min_height=shape.min_height))
    picture = Picture(key=secrets.token_urlsafe(16), alt=alt.strip()[:ALT_LENGTH],
                      width=image.width, height=image.height)
    for name, box in shape.sizes.items():
        sized = _sized(image, box)
        picture.files.append(PictureFile(size=name, width=sized.width, height=sized.height,
                                         data=_jpeg(sized)))
    db.session.add(picture)
    return picture


def _swap(owner: Event | Host, attribute: str, picture: Picture | None) -> None:
    """Point ``owner.attribute`` at ``picture`` and delete the picture it replaces (its
    files go with it): a picture belongs to the one event or host that shows it."""
    old = getattr(owner, attribute)
    setattr(owner, attribute, picture)
    if old is not None and old is not picture:
        db.session.delete(old)


def set_cover(event: Event, picture: Picture | None) -> None:
    """Make ``picture`` the event's cover (None removes it), forgetting the old one."""
    _swap(event, "cover", picture)


def set_photo(host: Host, picture: Picture | None) -> None:
    """Make ``picture`` the host's photo (None removes it), forgetting the old one."""
    _swap(host, "photo", picture)


def file_of(picture: Picture, size: str) -> PictureFile | None:
    """One size of a picture, or None when it has no such size."""
    return next((f for f in picture.files if f.size == size), None)


def url(picture: Picture, size: str, external: bool = False) -> str:
    """The address of one size of a picture (from BASE_URL when ``external``)."""
    from flask import url_for

    from .urls import external_url
    if external:
        return external_url("pictures.picture_file", key=picture.key, size=size)
    return url_for("pictures.picture_file", key=picture.key, size=size)


def srcset(picture: Picture, sizes: tuple[str, ...]) -> str:
    """An ``<img srcset>`` of the given sizes, each with its width, for the browser to pick."""
    files = {f.size: f for f in picture.files}
    return ", ".join(f"{url(picture, name)} {files[name].width}w" for name in sizes if name in files)
