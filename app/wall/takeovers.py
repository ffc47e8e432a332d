"""Which severe cases take the wall, in what order, and how each is told (what, where, when)."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from types import MappingProxyType

from dispatch.casework.readouts import SEVERE_MAX, QueueRow
from video.registry import CameraRegistry
from widgets.common.vocabulary import Vocabulary
from widgets.wall.takeover import Takeover


def takeovers_of(
    rows: Sequence[QueueRow],
    words: Vocabulary,
    districts: Mapping[str, str],
    places: Mapping[int, tuple[float, float]] = MappingProxyType({}),
    cameras: CameraRegistry | None = None,
    *,
    now: float,
    expires_s: float,
    exercise: bool = False,
) -> tuple[Takeover, ...]:
    """Open severe (level I/II) cases nobody has acknowledged: the most severe first, then the newest.
    A firing vital-sign alarm of that level is among them: the console turns it into such a case.
    `places`: case id → (lon, lat); with `cameras`, the nearest camera that sees the place is named.
    A case discovered `expires_s` or longer before `now` no longer takes the wall."""
    waiting = [
        row
        for row in rows
        if row.severity <= SEVERE_MAX
        and not row.acknowledged
        and row.exercise == exercise  # a drill's wall is taken over by the drill's cases only
        # A takeover always ends: a case nobody acknowledged stays in the queue's alarm, not on the wall.
        and now - row.discovered_at < expires_s
    ]
    waiting.sort(key=lambda row: (row.severity, -row.discovered_at, row.id))
    found = []
    for row in waiting:
        place = places.get(row.id)
        camera = camera_id = ""
        if place is not None and cameras is not None:
            near = cameras.cameras_seeing(*place, limit=1)
            if near:
                camera, camera_id = near[0].camera.name, near[0].camera.id
        found.append(
            Takeover(
                key=row.code,
                level_words=words.severity(row.severity),
                what=row.title or words.category(row.category),
                where=" · ".join(
                    part for part in (districts.get(row.district, row.district), row.address) if part
                ),
                when=time.strftime("%H:%M", time.localtime(row.discovered_at)),
                lon=place[0] if place else None,
                lat=place[1] if place else None,
                camera=camera,
                camera_id=camera_id,
                level=row.severity,
                opened_at=row.discovered_at,
            )
        )
    return tuple(found)
