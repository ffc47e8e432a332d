"""Operator words for what video/ reports: stream health, why a stream failed, where a camera looks."""

from __future__ import annotations

import time

from PySide6.QtCore import QObject

from video.health import Health, Reason, StreamStatus
from widgets.common.style import fill

_COMPASS = 8


class VideoWords(QObject):
    """Built once after the translator is installed, so a tile's paint looks words up in a dict."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._health = {
            Health.CONNECTING: self.tr("Connecting"),
            Health.LIVE: self.tr("Live"),
            Health.STALE: self.tr("Frozen"),
            Health.RECONNECTING: self.tr("Reconnecting"),
            Health.OFFLINE: self.tr("Offline"),
            Health.BEHIND: self.tr("Delayed"),
        }
        self._reasons = {
            Reason.OPEN_TIMEOUT: self.tr("camera does not answer"),
            Reason.REFUSED: self.tr("connection refused"),
            Reason.UNREACHABLE: self.tr("address unreachable"),
            Reason.NOT_FOUND: self.tr("no such stream"),
            Reason.UNAUTHORIZED: self.tr("access denied by the camera"),
            Reason.BAD_URL: self.tr("invalid stream address"),
            Reason.NO_VIDEO: self.tr("no video in the stream"),
            Reason.NO_FRAMES: self.tr("no new pictures"),
            Reason.STREAM_ENDED: self.tr("stream ended"),
        }
        self._directions = (
            self.tr("north"),
            self.tr("north-east"),
            self.tr("east"),
            self.tr("south-east"),
            self.tr("south"),
            self.tr("south-west"),
            self.tr("west"),
            self.tr("north-west"),
        )
        self.signal_lost = self.tr("Signal lost %1")
        self.waiting = self.tr("Waiting for the first picture")
        self.empty = self.tr("Drag a camera here")
        self.paused = self.tr("Tour paused")
        self.main_stream = self.tr("HD")

    def health(self, health: Health) -> str:
        return self._health[health]

    def reason(self, reason: Reason) -> str:
        return self._reasons[reason]

    def direction(self, bearing_deg: float) -> str:
        """The compass point (of eight) nearest to a bearing clockwise from north."""
        return self._directions[round(bearing_deg % 360.0 / (360.0 / _COMPASS)) % _COMPASS]

    def lost_since(self, status: StreamStatus) -> str:
        """ "Signal lost 14:03:22" (local time of the last picture), or the health word if none came."""
        if status.last_frame_wall is None:
            return self.health(status.health)
        return fill(self.signal_lost, time.strftime("%H:%M:%S", time.localtime(status.last_frame_wall)))

    def status_line(self, status: StreamStatus) -> str:
        """One short line for a tile that shows no live picture: the state, and why when known."""
        word = self.health(status.health)
        if status.reason is None:
            return word
        return f"{word} · {self.reason(status.reason)}"
