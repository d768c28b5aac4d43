"""Reading QR codes from camera pictures on the server (zxing-cpp)."""
from __future__ import annotations

import io

import zxingcpp
from PIL import Image, UnidentifiedImageError

from organizer.plugin_api import gettext as _

MAX_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 12_000_000  # a 12-megapixel photo; larger is refused before decoding
MAX_SIDE = 8000


class NotAnImage(ValueError):
    """The upload is not a picture we can read; the message says so (to the door staff)."""


def codes_in(data: bytes) -> list[str]:
    """The texts of the QR codes in a picture (JPEG, PNG, WebP), best first."""
    if len(data) > MAX_BYTES:
        raise NotAnImage(_("That picture is larger than 2 MB."))
    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_PIXELS or max(image.size) > MAX_SIDE:
            raise NotAnImage(_("That picture has too many pixels."))
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise NotAnImage(_("That is not a picture we can read.")) from exc
    # Greyscale keeps zxing fast; it copes with rotation, blur and perspective.
    try:
        results = zxingcpp.read_barcodes(image.convert("L"),
                                         formats=zxingcpp.BarcodeFormat.QRCode)
    except ValueError as exc:
        raise NotAnImage(_("That picture could not be read.")) from exc
    return [r.text for r in results if r.text]
