"""The demo city's machines: sensors and cameras that repeat an alarm while it lasts and report it cleared."""

from __future__ import annotations

import enum
import functools
import random
import zlib
from collections.abc import Callable
from typing import Any, Protocol

from sim import catalog
from sim.places import Spot


class EventRole(enum.Enum):
    """Why an event item was sent: a new incident, a changed re-send (revision), an identical copy, a
    machine's repeated alarm of an incident it already reported, or its report that the condition cleared."""

    NEW = "new"
    UPDATE = "update"
    DUPLICATE = "duplicate"
    REPEAT = "repeat"
    CLEARED = "cleared"


# How a machine keeps reporting one incident: repeats (how many, seconds apart) while the condition lasts.
REPEATS = {"iot": ((1, 5), (60.0, 240.0)), "video_ai": ((0, 3), (120.0, 600.0))}
# Conditions that end by themselves, and the share of their sensors that report it (报警恢复).
SELF_CLEARING = {"waterlogging": 0.8, "air_quality": 0.9, "hazardous_chemicals": 0.6, "fire_alarm": 0.5}
DEVICE_PREFIX = {"manhole_cover": "JG", "air_quality": "AQ", "waterlogging": "JS", "water_level": "SW",
                  "fire_alarm": "YG", "hazardous_chemicals": "QT"}  # fmt: skip
_MEDIA = "https://media.tianshu.invalid"


class Emit(Protocol):
    """How the generator sends one report (it numbers, dates and remembers it)."""

    def __call__(
        self, at: float, category: catalog.Category, source: str, spot: Spot, severity: int, title: str,
        description: str, device: str | None, role: EventRole = ...,
    ) -> dict[str, Any]: ...  # fmt: skip


class Machines:
    """Plans each machine incident's episode: its repeated alarms and, for conditions that end by
    themselves, the device's report that the alarm cleared (docs/closed-loop.md, *Episodes*)."""

    def __init__(
        self, rng: random.Random, schedule: Callable[[float, Callable[[float], None]], None], emit: Emit
    ) -> None:
        self._rng = rng
        self._schedule = schedule
        self._emit = emit

    def plan(
        self, at: float, category: catalog.Category, source: str, spot: Spot, severity: int,
        overrides: dict[str, object] | None,
    ) -> None:  # fmt: skip
        """The machine repeats its alarm while the condition lasts, then perhaps reports it cleared."""
        if source not in REPEATS:
            return
        (fewest, most), (soonest, latest) = REPEATS[source]
        when = at
        for _ in range(self._rng.randint(fewest, most)):
            when += self._rng.uniform(soonest, latest)
            # A repeat is sometimes worse than the first alarm (smoke thickens), never past level III.
            if severity == 4 and self._rng.random() < 0.1:
                severity = 3
            self._schedule(when, functools.partial(self._repeat, category, source, spot, severity, overrides))
        if source == "iot" and self._rng.random() < SELF_CLEARING.get(category.code, 0.0):
            when += self._rng.uniform(60.0, 600.0)
            self._schedule(when, functools.partial(self._clear, category, spot, severity))

    def _repeat(
        self, category: catalog.Category, source: str, spot: Spot, severity: int,
        overrides: dict[str, object] | None, at: float,
    ) -> None:  # fmt: skip
        title, description = catalog.wording(
            category.code, source, severity, spot.place, spot.address, self._rng, overrides
        )
        device = device_at(category.code, spot) if source == "iot" else None
        self._emit(at, category, source, spot, severity, title, description, device, EventRole.REPEAT)

    def _clear(self, category: catalog.Category, spot: Spot, severity: int, at: float) -> None:
        device = device_at(category.code, spot)
        title = f"{spot.place}{category.name}报警解除"[:200]
        description = f"设备{device}报告报警解除：读数已回落至阈值以下。"
        self._emit(at, category, "iot", spot, severity, title, description, device, EventRole.CLEARED)


def device_at(code: str, spot: Spot) -> str:
    """The sensor at a spot: one per category and address, so its repeated alarms name the same device."""
    number = zlib.crc32(f"{code}|{spot.address}".encode()) % 100_000
    return f"{DEVICE_PREFIX.get(code, code[:2].upper())}-{number:05d}"


def media_of(rng: random.Random, event_id: str, source: str) -> list[dict[str, str]]:
    """Attachment references a report of this source carries (snapshots, clips, photos, recordings)."""
    roll = rng.random()
    if source == "video_ai":
        shots = [{"uri": f"{_MEDIA}/snapshots/{event_id}.jpg", "content_type": "image/jpeg"}]
        if roll < 0.2:
            shots.append({"uri": f"{_MEDIA}/clips/{event_id}.mp4", "content_type": "video/mp4"})
        return shots if roll < 0.8 else []
    if source == "grid" and roll < 0.7:
        return [{"uri": f"{_MEDIA}/photos/{event_id}-1.jpg", "content_type": "image/jpeg"}]
    if source == "hotline" and roll < 0.3:
        return [{"uri": f"{_MEDIA}/calls/{event_id}.mp3", "content_type": "audio/mpeg"}]
    return []
