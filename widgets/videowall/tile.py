"""One video wall tile: the newest pre-scaled frame painted 1:1, with name, time, health and alarm on top."""

from __future__ import annotations

import time

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import QMimeData, QPoint, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QDrag,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
)
from PySide6.QtWidgets import QApplication, QWidget

from video.frames import Frame
from video.health import Health, StreamStatus
from video.registry import Quality
from widgets.common.palette import Palette
from widgets.videowall.tile_drag import TileDrop, TileSwap, drag_mime, drag_thumbnail, drop_of
from widgets.videowall.tile_overlay import (
    HEALTH_TOKENS,
    BarContent,
    TileFonts,
    draw_caption,
    draw_message,
    render_bar,
)
from widgets.videowall.tile_picture import NormBox, draw_border, draw_motion, draw_picture, wrap_frame
from widgets.videowall.words import VideoWords

# States in which the picture on screen is not live: shown greyed, with the time it froze.
DOWN = frozenset({Health.STALE, Health.RECONNECTING, Health.OFFLINE})
# States in which frames keep coming: the picture is shown as it is.
MOVING = frozenset({Health.LIVE, Health.BEHIND})


class VideoTile(QWidget):
    """Renders what it is given; which camera, which frame and which state is decided by app/.

    Frames arrive already scaled to `frame_size()` in device pixels, so painting is a plain copy; while a
    resize is catching up the stale-sized frame is drawn with fast (unsmoothed) scaling.
    """

    camera_dropped = Signal(object)
    """A camera was dropped on this tile (carries a TileDrop)."""
    swap_requested = Signal(object)
    """Another tile was dropped on this one (carries a TileSwap)."""
    activated = Signal(int)
    """Double-clicked: maximise or restore (carries the tile index)."""
    selected = Signal(int)
    """Clicked: this becomes the current tile (carries the tile index)."""
    resized = Signal(int)
    """Its size changed, so frames should be scaled anew (carries the tile index)."""

    def __init__(
        self, index: int, palette: Palette, words: VideoWords, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("videoTile")
        self.index = index
        self._palette, self._words = palette, words
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAcceptDrops(True)
        self.draggable = True
        self.camera_id: str | None = None
        self.name = ""
        self.caption = ""
        self._pixels: NDArray[np.uint8] | None = None
        self._image: QImage | None = None
        self._grey: QImage | None = None
        self._shown: tuple[int, Quality] | None = None
        self._clock_second = -1
        self._clock_text = ""
        self.status: StreamStatus | None = None
        self._status_key: tuple[object, ...] | None = None
        self.alarm = False
        self.paused = False
        self.current = False
        self.motion: NormBox | None = None
        self._drop_hover = False
        self._press: QPoint | None = None
        self._fonts = TileFonts.for_height(self.font(), self.height())
        self._bar_content: BarContent | None = None
        self._bar: QImage | None = None

    # -- what app/ tells the tile -------------------------------------------------------------------

    def show_camera(self, camera_id: str | None, name: str = "", caption: str = "") -> None:
        """Show another camera (None: an empty tile); forgets the previous camera's picture and state."""
        if camera_id == self.camera_id and name == self.name and caption == self.caption:
            return
        self.camera_id, self.name, self.caption = camera_id, name, caption
        self._pixels = self._image = self._grey = None
        self._shown = None
        self.status = self._status_key = None
        self.motion = None
        self.update()

    def show_frame(self, frame: Frame) -> bool:
        """Paint `frame` on the next repaint; False (and nothing scheduled) when it is already shown."""
        shown = (frame.seq, frame.quality)
        if shown == self._shown:
            return False
        self._shown = shown
        pixels = frame.image if frame.image.flags.c_contiguous else np.ascontiguousarray(frame.image)
        image = wrap_frame(pixels)
        image.setDevicePixelRatio(self.devicePixelRatioF())
        # The QImage reads the array's memory: keep the array for as long as the image is shown.
        self._pixels, self._image, self._grey = pixels, image, None
        second = int(frame.wall_time)
        if second != self._clock_second:
            self._clock_second = second
            self._clock_text = time.strftime("%H:%M:%S", time.localtime(frame.wall_time))
        self.update()
        return True

    def show_status(self, status: StreamStatus | None) -> None:
        """The stream's health; repaints only when what the tile says about it changes."""
        self.status = status
        key: tuple[object, ...] | None = None
        if status is not None:
            down = status.health in DOWN
            key = (status.health, status.reason, status.last_frame_wall) if down else (status.health,)
        if key != self._status_key:
            self._status_key = key
            self.update()

    def set_alarm(self, on: bool) -> None:
        """A red border: the camera is tied to an active severe case."""
        if on != self.alarm:
            self.alarm = on
            self.update()

    def set_paused(self, on: bool) -> None:
        """The tour skips this tile (it shows an alarm)."""
        if on != self.paused:
            self.paused = on
            self.update()

    def set_current(self, on: bool) -> None:
        """The keyboard's tile: arrows move it, Enter maximises it."""
        if on != self.current:
            self.current = on
            self.update()

    def show_motion(self, box: NormBox | None) -> None:
        """Outline where motion was seen (normalised frame coordinates), or clear it."""
        if box != self.motion:
            self.motion = box
            self.update()

    def frame_size(self) -> tuple[int, int]:
        """The size frames should have, in device pixels."""
        ratio = self.devicePixelRatioF()
        return max(1, round(self.width() * ratio)), max(1, round(self.height() * ratio))

    @property
    def shown_seq(self) -> int | None:
        return None if self._shown is None else self._shown[0]

    def grab_pixels(self) -> QImage | None:
        """The picture being shown (for a drag thumbnail or a test), None before the first frame."""
        return self._image

    # -- painting -----------------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fonts = TileFonts.for_height(self.font(), self.height())
        self._bar_content = None
        self.resized.emit(self.index)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        rect = self.rect()
        palette, fonts = self._palette, self._fonts
        status = self.status
        down = status is not None and status.health in DOWN
        image_rect = self._draw_picture(painter, rect, down)
        if self.camera_id is None:
            painter.setFont(fonts.text)
            painter.setPen(palette.color("fg_faint"))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self._words.empty)
        else:
            if self.motion is not None and image_rect is not None and not down:
                draw_motion(painter, image_rect, self.motion, fonts, palette)
            painter.drawImage(QPoint(0, 0), self._bar_image(rect.width(), status))
            self._draw_centre_message(painter, rect, status, down)
            # A late picture still moves, so only a caption says it is seconds old.
            behind = status is not None and status.health is Health.BEHIND
            notes = (
                self.caption,
                self._words.paused if self.paused else "",
                self._words.health(Health.BEHIND) if behind else "",
            )
            captions = [note for note in notes if note]
            if captions:
                token = "warn" if self.paused or behind else "fg"
                draw_caption(painter, rect, fonts, palette, "  ·  ".join(captions), token)
        draw_border(
            painter,
            rect,
            fonts,
            palette,
            drop_hover=self._drop_hover,
            alarm=self.alarm,
            current=self.current,
        )
        painter.end()

    def _draw_picture(self, painter: QPainter, rect: QRect, down: bool) -> QRectF | None:
        image = self._image
        background = self._palette.color("video_bg")
        if image is None:
            painter.fillRect(rect, background)
            return None
        if down:
            if self._grey is None:
                self._grey = image.convertToFormat(QImage.Format.Format_Grayscale8)
            image = self._grey
        return draw_picture(painter, rect, image, background, down)

    def _bar_image(self, width: int, status: StreamStatus | None) -> QImage:
        health = status.health if status is not None else Health.CONNECTING
        # A late picture's decode time is not when the camera took it: the clock shows only while live.
        live = health is Health.LIVE
        main = health in MOVING and self._shown is not None and self._shown[1] is Quality.MAIN
        content = BarContent(
            width=width,
            ratio=self.devicePixelRatioF(),
            name=self.name,
            clock=self._clock_text if live else "",
            health=health,
            badge=self._words.main_stream if main else "",
            alarm=self.alarm,
        )
        if content != self._bar_content or self._bar is None:
            self._bar_content = content
            self._bar = render_bar(content, self._fonts, self._palette)
        return self._bar

    def _draw_centre_message(
        self, painter: QPainter, rect: QRect, status: StreamStatus | None, down: bool
    ) -> None:
        words, fonts, palette = self._words, self._fonts, self._palette
        if status is None or status.health in MOVING:
            if self._image is None:
                draw_message(painter, rect, fonts, palette, words.waiting, "", "idle")
            return
        token = HEALTH_TOKENS[status.health]
        if down and status.last_frame_wall is not None:
            draw_message(
                painter, rect, fonts, palette, words.lost_since(status), words.status_line(status), token
            )
        elif self._image is None:
            draw_message(painter, rect, fonts, palette, words.status_line(status), "", token)

    # -- mouse, drag and drop -----------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position().toPoint()
            self.selected.emit(self.index)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        press = self._press
        if (
            press is None
            or not self.draggable
            or self.camera_id is None
            or (event.position().toPoint() - press).manhattanLength() < QApplication.startDragDistance()
        ):
            return
        self._press = None
        drag = QDrag(self)
        drag.setMimeData(self.drag_data())
        if self._image is not None:
            drag.setPixmap(drag_thumbnail(self._image))
        drag.exec(Qt.DropAction.MoveAction)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._press = None
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.activated.emit(self.index)

    def drag_data(self) -> QMimeData:
        """What dragging this tile carries: its index, if it is a wall tile, and its camera."""
        return drag_mime(self.index, self.camera_id)

    def _drop_of(self, data: QMimeData) -> TileDrop | TileSwap | None:
        return drop_of(data, self.index) if self.acceptDrops() else None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._drop_of(event.mimeData()) is None:
            event.ignore()
            return
        event.acceptProposedAction()
        self._drop_hover = True
        self.update()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._drop_of(event.mimeData()) is None:
            event.ignore()
        else:
            event.acceptProposedAction()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._drop_hover = False
        self.update()

    def dropEvent(self, event: QDropEvent) -> None:
        self._drop_hover = False
        self.update()
        drop = self._drop_of(event.mimeData())
        if drop is None:
            event.ignore()
            return
        event.acceptProposedAction()
        if isinstance(drop, TileSwap):
            self.swap_requested.emit(drop)
        else:
            self.camera_dropped.emit(drop)
