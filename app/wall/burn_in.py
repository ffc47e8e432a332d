"""Burn-in protection: where the whole picture sits, shifted a few pixels every few minutes."""

from __future__ import annotations

# A closed walk around the centre: every pixel spends equal time at each offset, and each step is one
# small move (no visible jump across the room).
_WALK = ((0, 0), (1, 0), (1, 1), (0, 1), (-1, 1), (-1, 0), (-1, -1), (0, -1), (1, -1))


def burn_in_offset(now: float, every_s: float, shift_px: int) -> tuple[int, int]:
    """The (dx, dy) the picture is drawn at, in pixels, each at most `shift_px` either way."""
    if shift_px <= 0 or every_s <= 0:
        return (0, 0)
    dx, dy = _WALK[int(now // every_s) % len(_WALK)]
    return (dx * shift_px, dy * shift_px)
