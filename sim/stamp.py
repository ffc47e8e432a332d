"""Draw and read back the capture-time stamp on numpy frames, for glass-to-glass latency."""

from __future__ import annotations

import numpy as np
from cv2.typing import MatLike
from numpy.typing import NDArray

from sim.stamp_code import CELLS_PER_HEIGHT, COLS, ROWS, cell_edge, stamp_bits, stamp_value


def draw_stamp(image: NDArray[np.uint8], seconds: float) -> None:
    """Burn `seconds` (epoch time, millisecond resolution) into the top-left corner of `image` in place."""
    height = image.shape[0]
    for index, bit in enumerate(stamp_bits(round(seconds * 1000.0))):
        row, col = divmod(index, COLS)
        rows = slice(cell_edge(row, height), cell_edge(row + 1, height))
        image[rows, cell_edge(col, height) : cell_edge(col + 1, height)] = 255 if bit else 0


def decode_stamp(image: MatLike) -> float | None:
    """The epoch seconds burned in by `draw_stamp`, read from a frame of any size, or None if absent.

    Works on grey, BGR and BGRA frames, and on frames resized (aspect kept) after the stamp was drawn:
    cells are located relative to the frame height and sampled in their middle half.
    """
    image = np.asarray(image)
    if image.ndim not in (2, 3):
        return None
    height, width = image.shape[0], image.shape[1]
    cell = height / CELLS_PER_HEIGHT
    if cell < 2.0 or COLS * cell > width:
        return None
    grey = image if image.ndim == 2 else image[:, :, : min(3, image.shape[2])]
    reach = cell / 4.0
    bits: list[int] = []
    for index in range(ROWS * COLS):
        row, col = divmod(index, COLS)
        cy, cx = (row + 0.5) * cell, (col + 0.5) * cell
        top, left = int(cy - reach), int(cx - reach)
        patch = grey[top : max(top + 1, int(cy + reach)), left : max(left + 1, int(cx + reach))]
        bits.append(1 if float(patch.mean()) > 127.5 else 0)
    value = stamp_value(bits)
    return None if value is None else value / 1000.0
