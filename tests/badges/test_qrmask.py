"""The fast mask choice scores masks exactly as the qrcode package does."""
from __future__ import annotations

import random

import qrcode
from hypothesis import given, settings
from hypothesis import strategies as st
from qrcode import util

from organizer_plugins.badges import qrmask


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=21, max_value=45), st.integers(min_value=0, max_value=2**32 - 1),
       st.floats(min_value=0.2, max_value=0.8))
def test_the_penalty_equals_qrcodes_on_any_pattern(size, seed, darkness):
    # A seeded generator draws the pattern: little entropy per example, any size.
    chance = random.Random(seed)
    modules = [[chance.random() < darkness for _ in range(size)] for _ in range(size)]
    assert qrmask.penalty(modules) == util.lost_point(modules)


def test_the_same_code_comes_out_for_real_ticket_links():
    chance = random.Random(5)
    alphabet = "23456789abcdefghjkmnpqrstuvwxyz"
    for _ in range(40):
        data = "https://meet.example.org/t/" + "".join(chance.choice(alphabet) for _ in range(26))
        reference = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_Q)
        reference.add_data(data)
        reference.make(fit=True)
        fast = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_Q)
        fast.add_data(data)
        qrmask.make(fast)
        assert fast.modules == reference.modules
