"""The lowest versions pyproject.toml accepts for the ticket libraries really work: organizer
is installed into a fresh environment with exactly those versions, makes a ticket's code with
qrcode, reads it back with zxing-cpp and checks its Ed25519 signature with cryptography, as
the door does."""
from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FLOORED = ("qrcode", "zxing-cpp", "cryptography")

pytestmark = pytest.mark.slow

SCRIPT = """
import io
from importlib.metadata import version
from PIL import Image
from organizer_plugins.badges import decode, tickets

url = "https://organizer.example/t/" + "23456789abcdefghjkmnpqrstu"
png = tickets.scaled(tickets.code_image(url), 8)
photo = io.BytesIO()
Image.open(io.BytesIO(png)).convert("RGB").save(photo, format="JPEG")
assert decode.codes_in(photo.getvalue()) == [url], decode.codes_in(photo.getvalue())

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from organizer_plugins.badges import signing
key = Ed25519PrivateKey.generate()
secret = "23456789abcdefghjkmnpqrstu"
signed = signing.SignedCode(secret, 7, key.sign(signing.MESSAGE.format(event_id=7, secret=secret).encode()))
public = key.public_key().public_bytes_raw()
assert signing.verify(public, signed)
assert not signing.verify(public, signing.SignedCode(secret, 8, signed.signature))
print(" ".join(f"{name}=={version(name)}" for name in {names}))
"""


def floors() -> dict[str, str]:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    found = {}
    for requirement in declared:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)>=([0-9.]+)", requirement)
        if match and match[1] in FLOORED:
            found[match[1]] = match[2]
    assert set(found) == set(FLOORED), declared
    return found


def test_the_ticket_libraries_work_at_their_declared_floors(tmp_path):
    pins = floors()
    constraints = tmp_path / "floors.txt"
    constraints.write_text("".join(f"{name}=={low}\n" for name, low in pins.items()))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    install = subprocess.run([python, "-m", "pip", "install", "-q", "-c", str(constraints),
                              str(ROOT)], capture_output=True, text=True, timeout=900)
    assert install.returncode == 0, install.stderr[-3000:]
    run = subprocess.run([python, "-c", SCRIPT.replace("{names}", repr(FLOORED))],
                         capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.split() == [f"{name}=={low}" for name, low in pins.items()]
