"""The severe-event takeover: a severe case or alarm covers the wall until a duty console acknowledges it."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from widgets.common.style import fill
from widgets.wall.video_block import WallCameraTile


@dataclass(frozen=True, slots=True)
class Takeover:
    """What takes the wall: a case (or a firing alarm's case) with what, where and when, in words."""

    key: str  # the case code: each wall reports which takeover it shows
    level_words: str
    what: str
    where: str
    when: str
    lon: float | None = None  # where the map centres (WGS-84, as the feed gives it)
    lat: float | None = None
    camera: str = ""  # the nearest camera that sees the place, by name
    camera_id: str = ""  # and by id, for its live picture
    level: int = 1
    opened_at: float = 0.0


class WallTakeover(QFrame):
    """Covers the page below it; shows the newest most severe takeover and how many more are queued."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("wallTakeover")
        # What happened is read whole: the title wraps rather than ending in "…".
        self.title = QLabel("", self)
        self.title.setObjectName("wallTakeoverTitle")
        self.title.setWordWrap(True)
        self.detail = QLabel("", self)
        self.detail.setObjectName("wallTakeoverDetail")
        self.detail.setWordWrap(True)
        self.queue = QLabel("", self)
        self.queue.setObjectName("wallTakeoverQueue")
        self.hint = QLabel(self.tr("Acknowledge at a duty console"), self)
        self.hint.setObjectName("wallTakeoverDetail")
        self.camera = QLabel("", self)
        self.camera.setObjectName("wallTakeoverDetail")
        self.camera.setWordWrap(True)
        # The nearest camera live, under its name (the line above names it, the tile does not again).
        self.video = WallCameraTile("", "", self)
        self.video.name.hide()
        self.video.hide()
        words = QVBoxLayout()
        words.setSpacing(16)
        words.addWidget(self.title)
        words.addWidget(self.detail, 0, Qt.AlignmentFlag.AlignTop)
        words.addWidget(self.camera)
        words.addWidget(self.video, 1)
        words.addWidget(self.queue)
        words.addWidget(self.hint)
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(32, 24, 32, 24)
        self._row.setSpacing(24)
        self._row.addLayout(words, 1)
        self.map: QWidget | None = None
        self.shown: Takeover | None = None
        self.hide()

    def set_map(self, widget: QWidget) -> None:
        """A map beside the words, centred on each takeover's place by app/ (shown when it has one)."""
        widget.setParent(self)
        self._row.addWidget(widget, 1)
        self.map = widget

    def show_takeovers(self, takeovers: tuple[Takeover, ...]) -> None:
        """The queue, most important first; empty hides the takeover and the page shows again."""
        if not takeovers:
            self.shown = None
            self.video.set_camera("", "")
            self.video.hide()
            self.hide()
            return
        first = takeovers[0]
        if first != self.shown:
            self.shown = first
            self.title.setText(f"{first.level_words} · {first.what}")
            self.detail.setText(f"{first.where}\n{first.when}")
            self.camera.setText(fill(self.tr("Nearest camera: %1"), first.camera) if first.camera else "")
            self.video.set_camera(first.camera_id, first.camera)
            self.video.setVisible(bool(first.camera_id))
            if self.map is not None:
                self.map.setVisible(first.lon is not None)
        more = len(takeovers) - 1
        self.queue.setText(fill(self.tr("%1 more waiting"), more) if more else "")
        self.queue.setVisible(bool(more))
        if self.isHidden():
            self.show()
        self.raise_()
