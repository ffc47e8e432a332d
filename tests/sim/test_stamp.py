"""The burned-in capture-time stamp survives JPEG and resizing, and garbage does not decode."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from sim.stamp import decode_stamp, draw_stamp
from sim.stamp_code import COLS, ROWS, stamp_bits, stamp_value

WHEN = 1_795_000_123.456


@pytest.mark.parametrize(
    ("size", "shown"), [((640, 360), (320, 180)), ((1280, 720), (200, 113)), ((854, 480), (854, 480))]
)
def test_a_stamp_reads_back_after_jpeg_and_resize(size: tuple[int, int], shown: tuple[int, int]) -> None:
    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
    draw_stamp(image, WHEN)
    ok, jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 60])
    assert ok
    decoded = cv2.imdecode(jpeg, cv2.IMREAD_COLOR)
    assert decoded is not None
    tile = cv2.cvtColor(cv2.resize(decoded, shown, interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2BGRA)
    assert decode_stamp(tile) == pytest.approx(WHEN, abs=0.0005)


def test_frames_without_a_stamp_decode_to_none() -> None:
    assert decode_stamp(np.zeros((360, 640, 3), np.uint8)) is None
    assert decode_stamp(np.full((360, 640), 255, np.uint8)) is None
    assert decode_stamp(np.zeros((20, 20, 3), np.uint8)) is None


def test_a_flipped_bit_fails_the_checksum() -> None:
    bits = list(stamp_bits(1_795_000_123_456))
    assert len(bits) == ROWS * COLS
    assert stamp_value(bits) == 1_795_000_123_456
    bits[20] ^= 1
    assert stamp_value(bits) is None
