"""The review's chart: each expected action on the drill's time axis, its target and when it was done."""

from __future__ import annotations

from PySide6.QtCore import QObject, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen

from dispatch.drill.expectations import Outcome
from dispatch.drill.review_model import Review
from widgets.common.palette import Palette

ROW_PX = 34
LEFT_PX = 260
TOP_PX = 56


class ReviewChart(QObject):
    """Draws the chart into an image at `scale` (2: crisp when the PDF shows it at half its pixels)."""

    def __init__(self, palette: Palette, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # Printed in the theme's paper ink and greys (the report has no colours of its own): shapes tell
        # the outcomes apart.
        self._paper = palette.color("paper")
        self._ink = palette.color("paper_ink")
        self._shade = palette.color("paper_shade")
        self._light = palette.color("paper_rule")
        self.legend = self.tr("bar: from the inject to its target · ● met · ■ late · ✕ missed")
        self.axis = self.tr("minutes after the start")

    def image(self, review: Review, words: dict[Outcome, str], *, width: int = 680, scale: int = 2) -> QImage:
        verdicts = review.verdicts
        height = TOP_PX + ROW_PX * max(1, len(verdicts)) + 40
        image = QImage(width * scale, height * scale, QImage.Format.Format_RGB32)
        image.fill(self._paper)
        ink, shade, light = self._ink, self._shade, self._light
        painter = QPainter(image)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.scale(scale, scale)
            font = QFont(painter.font())
            font.setPixelSize(12)
            painter.setFont(font)
            span = max(review.duration_s, 60.0)
            plot = QRectF(LEFT_PX, TOP_PX, width - LEFT_PX - 16, ROW_PX * max(1, len(verdicts)))

            def x(seconds: float) -> float:
                return plot.left() + plot.width() * min(max(seconds, 0.0), span) / span

            painter.setPen(QPen(ink, 1))
            painter.drawText(QRectF(8, 6, width - 16, 20), Qt.AlignmentFlag.AlignLeft, self.legend)
            painter.drawText(QRectF(8, height - 24, width - 16, 20), Qt.AlignmentFlag.AlignRight, self.axis)
            step = _tick_step(span)
            tick = 0.0
            while tick <= span:
                painter.setPen(QPen(light, 1))
                painter.drawLine(QPointF(x(tick), plot.top() - 6), QPointF(x(tick), plot.bottom()))
                painter.setPen(QPen(ink, 1))
                painter.drawText(QRectF(x(tick) - 20, plot.top() - 26, 40, 16), Qt.AlignmentFlag.AlignCenter,
                                 f"{tick / 60:g}")  # fmt: skip
                tick += step
            for row, verdict in enumerate(verdicts):
                middle = plot.top() + ROW_PX * row + ROW_PX / 2
                label = f"{verdict.expected.id} · {words[verdict.outcome]}"
                painter.setPen(QPen(ink, 1))
                painter.drawText(QRectF(8, middle - 9, LEFT_PX - 16, 18), Qt.AlignmentFlag.AlignLeft, label)
                if verdict.deadline_s is None:
                    continue
                start = verdict.deadline_s - verdict.expected.within_s
                painter.setPen(QPen(shade, 1))
                painter.setBrush(light)
                painter.drawRect(QRectF(x(start), middle - 5, max(x(verdict.deadline_s) - x(start), 1.0), 10))
                done = verdict.done_at_s if verdict.done_at_s is not None else verdict.deadline_s
                _mark(painter, verdict.outcome, QPointF(x(done), middle), ink, shade)
        finally:
            painter.end()
        return image


def _mark(painter: QPainter, outcome: Outcome, at: QPointF, ink: QColor, shade: QColor) -> None:
    painter.setPen(QPen(ink, 2))
    painter.setBrush(ink)
    if outcome is Outcome.MET:
        painter.drawEllipse(at, 6, 6)
    elif outcome is Outcome.LATE:
        painter.setBrush(shade)
        painter.drawRect(QRectF(at.x() - 6, at.y() - 6, 12, 12))
    elif outcome is Outcome.MISSED:
        painter.drawLine(QPointF(at.x() - 6, at.y() - 6), QPointF(at.x() + 6, at.y() + 6))
        painter.drawLine(QPointF(at.x() - 6, at.y() + 6), QPointF(at.x() + 6, at.y() - 6))


def _tick_step(span_s: float) -> float:
    for minutes in (1, 2, 5, 10, 15, 30, 60, 120):
        if span_s / (minutes * 60) <= 12:
            return minutes * 60.0
    return 240 * 60.0
