"""Motion in a region: one discovery per burst after N hits, silence during the cooldown, nothing outside."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from video.motion import Box, MotionDetector, MotionSettings

RIGHT_HALF = ((0.5, 0.0), (1.0, 0.0), (1.0, 1.0), (0.5, 1.0))
SETTINGS = MotionSettings(fps=4.0, width=160, threshold=25, min_fraction=0.01, hits=3, cooldown=30.0)


def scene(x: int | None, width: int = 320, height: int = 180) -> NDArray[np.uint8]:
    """A grey street with, if x is given, a white 30x30 object at (x, 60)."""
    image = np.full((height, width, 3), 90, np.uint8)
    if x is not None:
        image[60:90, x : x + 30] = 255
    return image


class Feeder:
    """Feeds frames at 4 samples per second of monotonic time and records the discoveries."""

    def __init__(self, roi: tuple[tuple[float, float], ...] = RIGHT_HALF) -> None:
        self.events: list[tuple[str, float, Box]] = []
        self.detector = MotionDetector(
            "cam", roi, SETTINGS, lambda camera_id, at, box: self.events.append((camera_id, at, box))
        )
        self.t = 0.0

    def walk(self, xs: list[int | None]) -> None:
        for x in xs:
            self.detector.feed(scene(x), self.t, 1_767_225_600.0 + self.t)
            self.t += 0.25

    def wait(self, seconds: float) -> None:
        self.t += seconds


def moving(start: int, steps: int) -> list[int | None]:
    return [start + 8 * i for i in range(steps)]


def test_a_burst_raises_exactly_one_discovery() -> None:
    feeder = Feeder()
    feeder.walk([None, *moving(180, 20)])
    assert len(feeder.events) == 1
    camera_id, at, box = feeder.events[0]
    assert camera_id == "cam"
    # The first sample is the reference, then three hits: the discovery comes on the 4th moving frame.
    assert at == pytest.approx(1_767_225_600.0 + 0.25 * 3)
    assert box.x >= 0.5
    assert 0.2 < box.y < 0.5
    assert box.w > 0.0
    assert box.h > 0.0


def test_a_burst_shorter_than_the_hits_needed_raises_nothing() -> None:
    feeder = Feeder()
    # Appearing and moving are changes; standing still is not: two hits, a pause, two hits.
    feeder.walk([None, 180, 188, 188, 188, 196, 204, 204, 204])
    assert feeder.events == []


def test_the_cooldown_silences_a_new_burst_until_it_ends() -> None:
    feeder = Feeder()
    feeder.walk([None, *moving(180, 6), None, None])
    assert len(feeder.events) == 1
    feeder.wait(10.0)
    feeder.walk([None, *moving(180, 6), None, None])
    assert len(feeder.events) == 1
    feeder.wait(25.0)
    feeder.walk([None, *moving(180, 6), None, None])
    assert len(feeder.events) == 2


def test_motion_outside_the_region_is_ignored() -> None:
    feeder = Feeder()
    feeder.walk([None, *moving(10, 15)])
    assert feeder.events == []


def test_samples_are_taken_at_the_configured_rate() -> None:
    feeder = Feeder()
    # Ten frames 10 ms apart are one sample at 4 fps: no pair to compare, no discovery.
    for i, x in enumerate(moving(180, 10)):
        feeder.detector.feed(scene(x), i * 0.01, 0.0)
    assert feeder.events == []


def test_a_region_needs_three_points() -> None:
    with pytest.raises(ValueError, match="3 points"):
        MotionDetector("cam", ((0.0, 0.0), (1.0, 1.0)), SETTINGS, lambda *_: None)
