"""The wall's case board: open cases by level and by district, how many are overdue and under 督办."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

from widgets.common.style import fill, set_style_property
from widgets.common.tight_fit import ElidedLabel
from widgets.common.vocabulary import Vocabulary

DISTRICT_ROWS = 4
LINE_GAP = 8


@dataclass(frozen=True, slots=True)
class CaseFigures:
    """Counts of open cases (drills excluded): per level 1..4, the busiest districts, overdue, 督办."""

    by_level: tuple[int, int, int, int]
    by_district: tuple[tuple[str, int], ...]
    overdue: int
    supervised: int

    @property
    def total(self) -> int:
        return sum(self.by_level)


class WallCaseBoard(QWidget):
    """Each level is a chip with its name and count (colour is never the only cue: the level is written).

    Lines, most important first: the levels, overdue and 督办, then the busiest districts; a line that
    does not fit the panel whole is left out rather than cut through.
    """

    def __init__(self, vocabulary: Vocabulary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("wallCaseBoard")
        self._words = vocabulary
        self.levels: list[QLabel] = []
        self._lines: list[QWidget] = []
        for first in (1, 3):
            line, row = self._line()
            for level in (first, first + 1):
                chip = QLabel("", line)
                chip.setObjectName("wallLevelChip")
                set_style_property(chip, "level", str(level))
                row.addWidget(chip, 1)
                self.levels.append(chip)
        line, row = self._line()
        self.overdue = QLabel("", line)
        self.overdue.setObjectName("wallOverdue")
        self.supervised = QLabel("", line)
        self.supervised.setObjectName("wallSupervised")
        row.addWidget(self.overdue, 1)
        row.addWidget(self.supervised, 1)
        self.districts: list[QLabel] = []
        for _ in range(DISTRICT_ROWS // 2):
            line, row = self._line()
            for _ in range(2):
                label = ElidedLabel("", line)
                label.setObjectName("wallDistrictRow")
                label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
                row.addWidget(label, 1)
                self.districts.append(label)
        self.show_figures(CaseFigures((0, 0, 0, 0), (), 0, 0))

    def _line(self) -> tuple[QWidget, QHBoxLayout]:
        line = QWidget(self)
        row = QHBoxLayout(line)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(16)
        self._lines.append(line)
        return line, row

    def visible_lines(self) -> int:
        return sum(1 for line in self._lines if line.isVisibleTo(self))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        top = 0
        for line in self._lines:
            height = line.sizeHint().height()
            fits = top + height <= self.height()
            line.setVisible(fits)
            if fits:
                line.setGeometry(0, top, self.width(), height)
                top += height + LINE_GAP

    def show_figures(self, figures: CaseFigures) -> None:
        for level, (chip, count) in enumerate(zip(self.levels, figures.by_level, strict=True), 1):
            _set(chip, f"{self._words.severity(level)} {count}")
        _set(self.overdue, fill(self.tr("Overdue %1"), figures.overdue))
        set_style_property(self.overdue, "alarm", "true" if figures.overdue else "false")
        _set(self.supervised, fill(self.tr("Supervised %1"), figures.supervised))
        for n, label in enumerate(self.districts):
            if n < len(figures.by_district):
                name, count = figures.by_district[n]
                unnamed = self.tr("No district")
                _set(label, f"{name or unnamed} {count}")
            else:
                _set(label, "")


def _set(label: QLabel, text: str) -> None:
    if label.text() != text:
        label.setText(text)
