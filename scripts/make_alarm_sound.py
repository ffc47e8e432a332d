"""Writes resources/sounds/alarm.wav: a short two-tone alarm (960 Hz, 720 Hz), 8 kHz mono 16-bit, ~10 KB."""

from __future__ import annotations

import sys
import wave
from pathlib import Path

import numpy as np

RATE = 8000
# Two tones a fourth apart, each a quarter second with a short silence after: urgent without shrieking.
TONES_HZ = (960.0, 720.0)
TONE_S = 0.25
GAP_S = 0.05
# Fades at each end of a tone, so the speaker does not click.
FADE_S = 0.01
PEAK = 0.8


def samples() -> np.ndarray:
    n = int(RATE * TONE_S)
    t = np.arange(n) / RATE
    fade = np.minimum(1.0, np.minimum(np.arange(n), np.arange(n)[::-1]) / (RATE * FADE_S))
    gap = np.zeros(int(RATE * GAP_S))
    parts = [part for hz in TONES_HZ for part in (np.sin(2 * np.pi * hz * t) * fade, gap)]
    return np.round(np.concatenate(parts) * PEAK * 32767).astype("<i2")


def write(path: Path) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(samples().tobytes())


if __name__ == "__main__":
    target = (
        Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parents[1] / "resources/sounds/alarm.wav"
    )
    write(target)
    print(f"{target}: {target.stat().st_size} bytes")
