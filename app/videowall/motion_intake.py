"""Motion analytics → intake: a burst of motion in a camera's region becomes a `video_ai` discovery event,
stored like a feed event so the duty desk's discovery turns it into a case."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable

from PySide6.QtCore import QCoreApplication

from dispatch.feed.protocol import Event, Location
from video.motion import Box
from video.registry import CameraRegistry
from widgets.common.style import fill

log = logging.getLogger(__name__)

SOURCE = "video_ai"
CATEGORY = "video_motion"
SEVERITY = 3


@runtime_checkable
class LocalIntake(Protocol):
    """What dispatch.feed.pipeline.IntakePipeline offers for events raised on this console."""

    def submit_local(self, event: Event) -> None: ...


def local_intake(pipeline: object) -> LocalIntake | None:
    """The cockpit's pipeline as an intake for local events, once it exists."""
    return pipeline if isinstance(pipeline, LocalIntake) else None


class MotionIntake:
    """A MotionCallback (called on capture threads) that submits one event per burst of motion.

    `intake` is asked for the intake at each burst: the cockpit builds its pipeline after the wall starts,
    and motion seen before that is only drawn on the wall.
    """

    def __init__(
        self,
        registry: CameraRegistry,
        intake: Callable[[], LocalIntake | None],
        *,
        category: str = CATEGORY,
        severity: int = SEVERITY,
    ) -> None:
        self._registry, self._intake = registry, intake
        self._category, self._severity = category, severity
        # Looked up here, on the GUI thread, so the capture threads only fill in the blanks.
        self._title = QCoreApplication.translate("MotionIntake", "Motion seen by %1")
        self._description = QCoreApplication.translate(
            "MotionIntake", "Video analytics: movement in the watched region of camera %1 (%2)."
        )

    def event_for(self, camera_id: str, at: float, box: Box) -> Event | None:
        """The discovery event for a burst seen at epoch second `at`; None for an unknown camera."""
        if camera_id not in self._registry:
            return None
        camera = self._registry.get(camera_id)
        region = f"x {box.x:.2f} y {box.y:.2f} w {box.w:.2f} h {box.h:.2f}"
        return Event(
            # One burst is one event: the detector's cooldown keeps bursts of a camera seconds apart.
            id=f"{camera_id}:{int(at)}",
            source=SOURCE,
            category=self._category,
            title=fill(self._title, camera.name)[:200],
            severity=self._severity,
            occurred_at=datetime.fromtimestamp(at, UTC),
            description=fill(self._description, camera.name, region),
            location=Location(lon=camera.lon, lat=camera.lat, address=camera.name[:500]),
            camera_id=camera_id,
        )

    def __call__(self, camera_id: str, at: float, box: Box) -> None:
        event = self.event_for(camera_id, at, box)
        intake = self._intake()
        if event is None or intake is None:
            return
        try:
            intake.submit_local(event)
        except ValueError as error:
            # A camera whose configuration breaks the protocol's rules must not stop its capture thread.
            log.error("motion on camera %s was not taken in: %s", camera_id, error)
