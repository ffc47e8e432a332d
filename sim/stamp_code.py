"""Bit layout of the capture-time stamp burned into demo frames; pure Python so any process can draw it."""

from __future__ import annotations

from collections.abc import Sequence

# Two rows of 32 square cells in the top-left corner, each cell 1/45 of the frame height (8 px at 360p),
# so the stamp survives JPEG/H.264 (cells align to 8x8 blocks at 360p) and a resize to any tile size.
ROWS = 2
COLS = 32
CELLS_PER_HEIGHT = 45
SYNC = (1, 0, 1, 1, 0, 0, 1, 0)
DATA_BITS = 48
CRC_BITS = 8
assert len(SYNC) + DATA_BITS + CRC_BITS == ROWS * COLS


def cell_edge(index: int, height: int) -> int:
    """Pixel offset of the `index`-th cell boundary in a frame `height` pixels tall (rows and columns alike).

    Boundaries are rounded from the exact fraction, not multiples of a rounded cell, so a reader that only
    knows the height of a resized frame finds the same cells."""
    return round(index * height / CELLS_PER_HEIGHT)


def _crc8(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = ((crc << 1) ^ 0x07) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc


def _to_bits(value: int, width: int) -> list[int]:
    return [(value >> (width - 1 - i)) & 1 for i in range(width)]


def stamp_bits(milliseconds: int) -> tuple[int, ...]:
    """The ROWS*COLS cell values (row-major, 1 = white) that encode `milliseconds` (48 bits, wraps)."""
    value = milliseconds % (1 << DATA_BITS)
    crc = _crc8(value.to_bytes(DATA_BITS // 8, "big"))
    return (*SYNC, *_to_bits(value, DATA_BITS), *_to_bits(crc, CRC_BITS))


def stamp_value(bits: Sequence[int]) -> int | None:
    """The milliseconds encoded by `bits`, or None if the sync pattern or the checksum does not match."""
    if len(bits) != ROWS * COLS or tuple(bits[: len(SYNC)]) != SYNC:
        return None
    value = 0
    for bit in bits[len(SYNC) : len(SYNC) + DATA_BITS]:
        value = (value << 1) | (bit & 1)
    crc = 0
    for bit in bits[len(SYNC) + DATA_BITS :]:
        crc = (crc << 1) | (bit & 1)
    if crc != _crc8(value.to_bytes(DATA_BITS // 8, "big")):
        return None
    return value
