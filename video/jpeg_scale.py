"""Decoding MJPEG pictures at the scale a tile shows them: libjpeg's DCT scaling instead of a full decode.

A JPEG can be decoded at 1/2, 1/4 or 1/8 of its size for a fraction of the work, because the inverse
DCT then runs on 4×4, 2×2 or 1×1 blocks (the result is each block's average: a box filter, not a
skipped pixel). Measured on this machine for a 640×360 demo picture: full decode 820 µs, ½ 170 µs, ¼ 130 µs;
FFmpeg's full decode with its colour conversion 530–640 µs. So when a tile is at most half the stream's size
(a 25- or 36-tile wall, a main stream in a pop-up) the capture thread takes the camera's JPEG packets as
they are (OpenCV's raw mode) and decodes each at the scale it needs; at larger tiles FFmpeg decodes.
"""

from __future__ import annotations

from typing import Protocol

import cv2
import numpy as np
from numpy.typing import NDArray

MJPEG_FOURCC = int.from_bytes(b"MJPG", "little")
# The scale-downs libjpeg offers through OpenCV, largest first.
REDUCTIONS = (8, 4, 2)
_FLAGS = {
    1: cv2.IMREAD_COLOR,
    2: cv2.IMREAD_REDUCED_COLOR_2,
    4: cv2.IMREAD_REDUCED_COLOR_4,
    8: cv2.IMREAD_REDUCED_COLOR_8,
}


class _Capture(Protocol):
    def get(self, prop: int, /) -> float: ...
    def set(self, prop: int, value: float, /) -> bool: ...


def stream_size(source: _Capture) -> tuple[int, int] | None:
    """The stream's (width, height) as the demuxer reported it at open, None if it did not say."""
    width, height = round(source.get(cv2.CAP_PROP_FRAME_WIDTH)), round(source.get(cv2.CAP_PROP_FRAME_HEIGHT))
    return (width, height) if width > 0 and height > 0 else None


def is_mjpeg(source: _Capture) -> bool:
    """Whether the opened stream carries whole JPEG pictures (HTTP MJPEG, RTP/JPEG, MJPEG files)."""
    return round(source.get(cv2.CAP_PROP_FOURCC)) == MJPEG_FOURCC


def reduction_for(stream: tuple[int, int], shown: tuple[int, int] | None) -> int:
    """The largest libjpeg scale-down (8, 4, 2, else 1) whose picture still covers `shown` in both
    directions, so the last step is always a shrink and never an enlargement. None: shown as it is."""
    if shown is None:
        return 1
    width, height = stream
    for reduction in REDUCTIONS:
        # libjpeg rounds a scaled size up.
        if -(-width // reduction) >= shown[0] and -(-height // reduction) >= shown[1]:
            return reduction
    return 1


def decode_packet(packet: NDArray[np.uint8], reduction: int) -> NDArray[np.uint8] | None:
    """The BGR picture in a JPEG packet at 1/`reduction` of its size; None if the packet is not a JPEG
    libjpeg can read (a torn or corrupt picture is skipped, the stream goes on)."""
    image = cv2.imdecode(packet.reshape(-1), _FLAGS[reduction])
    return None if image is None else np.asarray(image, dtype=np.uint8)


def use_packets(source: _Capture) -> bool:
    """Switch an opened capture to handing over undecoded packets (cannot be undone: reopen for that)."""
    return bool(source.set(cv2.CAP_PROP_FORMAT, -1))
