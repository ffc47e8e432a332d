"""Widgets for tight rows: text that elides or steps aside, numbers that shrink, rows that break in two."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

# Below half its styled size a number stops reading as the headline it is; it is clipped instead.
MIN_SCALE = 0.5


class ElidedLabel(QLabel):
    """A one-line label that gives up width before its neighbours do: it ends in "…" when squeezed, or,
    with `whole=True`, shows nothing rather than a fragment. With `tip=True` the whole text is its tooltip
    while it is cut, so nothing is ever out of the officer's reach."""

    def __init__(
        self, text: str, parent: QWidget | None = None, *, whole: bool = False, tip: bool = False
    ) -> None:
        super().__init__(text, parent)
        self._whole = whole
        self._tip = tip
        self._sync_tip()

    def setText(self, text: str) -> None:
        super().setText(text)
        self._sync_tip()

    def is_cut(self) -> bool:
        """Whether the text is wider than the label, so it shows elided (or not at all)."""
        return self.fontMetrics().horizontalAdvance(self.text()) > self.contentsRect().width()

    def shows_fragment(self) -> bool:
        """Whether it shows its text cut short, ending in "…" (a `whole` label steps aside instead)."""
        return self.is_cut() and not self._whole

    def _sync_tip(self) -> None:
        if self._tip:
            self.setToolTip(self.text() if self.is_cut() else "")

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._sync_tip()

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        text = self.text()
        keep = "" if self._whole else text[:1] + "…" if len(text) > 1 else text
        return QSize(min(hint.width(), self.fontMetrics().horizontalAdvance(keep)), hint.height())

    def paintEvent(self, event: QPaintEvent) -> None:
        rect = self.contentsRect()
        metrics = self.fontMetrics()
        text = self.text()
        if self.is_cut():
            text = "" if self._whole else metrics.elidedText(text, Qt.TextElideMode.ElideRight, rect.width())
        painter = QPainter(self)
        self.style().drawItemText(
            painter,
            rect,
            int(self.alignment()),
            self.palette(),
            self.isEnabled(),
            text,
            self.foregroundRole(),
        )


class FittedLabel(QLabel):
    """A number drawn at a fraction of its styled size: a number must shrink, never lose digits."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self._scale = 1.0

    @property
    def scale(self) -> float:
        return self._scale

    def natural_width(self) -> int:
        """The text's width at the styled size."""
        self.ensurePolished()
        return QFontMetrics(self.font()).horizontalAdvance(self.text())

    def frame_width(self) -> int:
        """Padding and border across, which do not shrink with the text."""
        margins = self.contentsMargins()
        return margins.left() + margins.right()

    def set_scale(self, scale: float) -> None:
        scale = max(MIN_SCALE, min(1.0, scale))
        if abs(scale - self._scale) > 0.005:
            self._scale = scale
            self.updateGeometry()
            self.update()

    def _scaled_font(self, scale: float) -> QFont:
        font = QFont(self.font())
        if font.pixelSize() > 0:
            font.setPixelSize(max(1, round(font.pixelSize() * scale)))
        else:
            font.setPointSizeF(font.pointSizeF() * scale)
        return font

    def _size_at(self, scale: float) -> QSize:
        metrics = QFontMetrics(self._scaled_font(scale))
        margins = self.contentsMargins()
        return QSize(
            metrics.horizontalAdvance(self.text()) + margins.left() + margins.right(),
            metrics.height() + margins.top() + margins.bottom(),
        )

    def sizeHint(self) -> QSize:
        return self._size_at(self._scale)

    def minimumSizeHint(self) -> QSize:
        return QSize(self._size_at(MIN_SCALE).width(), self.sizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setFont(self._scaled_font(self._scale))
        self.style().drawItemText(
            painter,
            self.contentsRect(),
            int(self.alignment()),
            self.palette(),
            self.isEnabled(),
            self.text(),
            self.foregroundRole(),
        )


class BreakingRow(QWidget):
    """Widgets side by side, left-aligned, while they fit; on a narrow panel the second half goes to a
    line below. As narrow as the wider half, so it never holds its panel wide."""

    def __init__(self, widgets: Sequence[QWidget], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._widgets = tuple(widgets)
        self._half = (len(self._widgets) + 1) // 2
        self._lines = (QHBoxLayout(), QHBoxLayout())
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        for line in self._lines:
            outer.addLayout(line)
        self._split = -1
        self._place(len(self._widgets))

    def minimumSizeHint(self) -> QSize:
        width = max(self._width(self._widgets[: self._half]), self._width(self._widgets[self._half :]))
        return QSize(width, super().minimumSizeHint().height())

    def fit(self) -> None:
        """One line or two for the current width; call after a widget's text or visibility changed."""
        self._place(len(self._widgets) if self._width(self._widgets) <= self.width() else self._half)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit()

    def _width(self, widgets: Sequence[QWidget]) -> int:
        shown = [widget for widget in widgets if not widget.isHidden()]
        gaps = max(0, len(shown) - 1) * max(0, self._lines[0].spacing())
        return sum(widget.sizeHint().width() for widget in shown) + gaps

    def _place(self, split: int) -> None:
        if split == self._split:
            return
        self._split = split
        for line in self._lines:
            while line.count():
                line.takeAt(0)
        for index, widget in enumerate(self._widgets):
            self._lines[0 if index < split else 1].addWidget(widget)
        for line in self._lines:
            line.addStretch(1)
        self.updateGeometry()
