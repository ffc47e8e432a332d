"""What the video wall remembers per screen in QSettings: layout, cameras per tile, a running tour."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SavedWall:
    """The wall as it was left; anything unreadable comes back as None or empty."""

    layout: str | None
    cameras: tuple[str | None, ...]
    tour: tuple[str, float] | None


def screen_key(widget: QWidget) -> str:
    """Walls are saved per screen, by its name and size: another monitor gets its own arrangement."""
    screen = widget.screen()
    size = screen.size()
    return f"{screen.name()}_{size.width()}x{size.height()}"


class WallMemory:
    """Values are JSON text, so a one-camera list reads back as a list (QSettings' INI format does not)."""

    def __init__(self, settings: QSettings, screen: str) -> None:
        self._settings = settings
        self._prefix = "video_wall/" + (re.sub(r"[^A-Za-z0-9_.-]+", "_", screen) or "default")

    def load(self) -> SavedWall:
        layout = self._settings.value(f"{self._prefix}/layout")
        cameras = tuple(c if isinstance(c, str) else None for c in self._list("cameras"))
        tour = self._list("tour")
        valid_tour = len(tour) == 2 and isinstance(tour[0], str) and isinstance(tour[1], int | float)
        return SavedWall(
            layout if isinstance(layout, str) and layout else None,
            cameras,
            (str(tour[0]), float(tour[1])) if valid_tour else None,  # type: ignore[arg-type]
        )

    def save_layout(self, key: str) -> None:
        self._settings.setValue(f"{self._prefix}/layout", key)

    def save_cameras(self, cameras: Sequence[str | None]) -> None:
        self._settings.setValue(f"{self._prefix}/cameras", json.dumps(list(cameras)))

    def save_tour(self, group: str, interval_s: float) -> None:
        self._settings.setValue(f"{self._prefix}/tour", json.dumps([group, interval_s]))

    def forget_tour(self) -> None:
        self._settings.remove(f"{self._prefix}/tour")

    def _list(self, name: str) -> list[object]:
        value = self._settings.value(f"{self._prefix}/{name}")
        try:
            loaded = json.loads(value) if isinstance(value, str) and value else []
        except ValueError:
            return []
        return loaded if isinstance(loaded, list) else []


def seconds_setting(settings: QSettings, name: str, default: float, *, upper: float = 3600.0) -> float:
    """A wall-wide duration from QSettings `video_wall/<name>` (any screen); a missing, unreadable or
    out-of-range value falls back to `default` with a warning, so a typo never stops the wall."""
    value = settings.value(f"video_wall/{name}")
    if value is None or value == "":
        return default
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = float("nan")
    if not 0.0 <= seconds <= upper:
        log.warning("video_wall/%s = %r is not a number of seconds in 0..%g; using %g", name, value,
                    upper, default)  # fmt: skip
        return default
    return seconds
