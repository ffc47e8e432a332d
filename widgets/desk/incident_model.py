"""The incident queue's table model: only the page on screen, formatted once per page, countdowns per tick."""

from __future__ import annotations

import enum
import time
from collections.abc import Mapping
from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush

from dispatch.casework.model import Action, Card
from dispatch.casework.readouts import Page, QueueRow, SortKey
from widgets.common.palette import Palette
from widgets.common.style import fill
from widgets.common.vocabulary import Vocabulary
from widgets.desk.case_words import ACTION_KEYS, CaseWords

ModelIndex = QModelIndex | QPersistentModelIndex
# A deadline this close turns the countdown amber.
SOON_S = 30 * 60


class QueueColumn(enum.IntEnum):
    LEVEL = 0
    CODE = 1
    STATE = 2
    CATEGORY = 3
    TITLE = 4
    PLACE = 5
    SOURCE = 6
    DISCOVERED = 7
    DUE = 8
    CARD = 9
    UNIT = 10
    EVENTS = 11


SORT_OF_COLUMN = {
    QueueColumn.LEVEL: SortKey.SEVERITY,
    QueueColumn.CODE: SortKey.CODE,
    QueueColumn.STATE: SortKey.STATE,
    QueueColumn.CATEGORY: SortKey.CATEGORY,
    QueueColumn.TITLE: SortKey.TITLE,
    QueueColumn.PLACE: SortKey.PLACE,
    QueueColumn.SOURCE: SortKey.SOURCE,
    QueueColumn.DISCOVERED: SortKey.DISCOVERED,
    QueueColumn.DUE: SortKey.DUE,
    QueueColumn.CARD: SortKey.CARD,
    QueueColumn.UNIT: SortKey.UNIT,
    QueueColumn.EVENTS: SortKey.EVENTS,
}
COLUMN_OF_SORT = {key: column for column, key in SORT_OF_COLUMN.items()}


class QueueRole(enum.IntEnum):
    """Data roles beyond Qt's own."""

    CASE_ID = Qt.ItemDataRole.UserRole + 1
    ALERT = Qt.ItemDataRole.UserRole + 2  # "alarm", "warning", "exercise" or ""
    CHIP = Qt.ItemDataRole.UserRole + 3  # (text, fill token, ink token) for the level and card cells
    SUBTITLE = Qt.ItemDataRole.UserRole + 4  # the title cell's second line: place and discovery time
    TAG = Qt.ItemDataRole.UserRole + 5  # (text, fill token, ink token) after the title: 自动消警 waits


Chip = tuple[str, str, str]
_CARD_CHIPS = {Card.YELLOW_LIGHT: "card_light", Card.YELLOW_CARD: "card_yellow", Card.RED_CARD: "card_red"}
_ROW_TOKENS = {"alarm": "queue_row_alarm", "warning": "queue_row_warning", "exercise": "exercise_row"}


def alert_of(row: QueueRow, now: float) -> str:
    """How a row stands out: overdue or red-carded is an alarm, a yellow card or light a warning."""
    overdue = row.due is not None and not row.parked and row.due < now
    if overdue or row.card >= Card.RED_CARD:
        return "alarm"
    if row.card >= Card.YELLOW_LIGHT:
        return "warning"
    return "exercise" if row.exercise else ""


@dataclass(frozen=True, slots=True)
class _Row:
    row: QueueRow
    cells: tuple[str, ...]
    tooltip: str
    level_chip: Chip
    card_chip: Chip | None
    subtitle: str
    tag: Chip | None


class IncidentTableModel(QAbstractTableModel):
    """Holds one page of QueueRow values; `show_page` replaces it, `set_now` moves the countdowns."""

    def __init__(
        self, words: CaseWords, vocabulary: Vocabulary, palette: Palette, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._words = words
        self._vocabulary = vocabulary
        self._rows: list[_Row] = []
        self._now = time.time()
        self._names: Mapping[str, str] = {}
        self._backgrounds = {alert: QBrush(palette.color(token)) for alert, token in _ROW_TOKENS.items()}
        self._over = QBrush(palette.color("bad"))
        self._soon = QBrush(palette.color("warn"))
        self._muted = QBrush(palette.color("fg_muted"))
        self._headers = (
            self.tr("Level"),
            self.tr("Case"),
            self.tr("State"),
            self.tr("Category"),
            self.tr("Title"),
            self.tr("Place"),
            self.tr("Source"),
            self.tr("Discovered"),
            self.tr("Deadline"),
            self.tr("Card"),
            self.tr("Unit"),
            self.tr("Reports"),
        )
        self._merged_tip = self.tr("Reports merged into this case: %1")
        # The lead finds the cases whose alarms cleared by themselves at a glance, and the keys in the tip.
        self._clearing = (self.tr("Auto-clear"), "accent", "accent_text")
        tip = self.tr("Its alarm cleared: proposed for 自动消警. %1 confirms, %2 keeps it open (shift lead).")
        self._clearing_tip = fill(tip, ACTION_KEYS[Action.VOID], ACTION_KEYS[Action.DISMISS_CLEARING])

    def set_names(self, names: Mapping[str, str]) -> None:
        """District and unit names by code; rows show names where known."""
        self._names = dict(names)

    def show_page(self, page: Page) -> None:
        self.beginResetModel()
        self._rows = [self._format(row) for row in page.rows]
        self.endResetModel()

    def set_now(self, now: float) -> None:
        """Move the countdowns (and the overdue tint) to `now` without reformatting the page."""
        self._now = now
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(QueueColumn) - 1))

    def row_at(self, row: int) -> QueueRow:
        return self._rows[row].row

    def row_of(self, case_id: int) -> int | None:
        return next((i for i, r in enumerate(self._rows) if r.row.id == case_id), None)

    @property
    def rows(self) -> tuple[QueueRow, ...]:
        return tuple(r.row for r in self._rows)

    def _format(self, row: QueueRow) -> _Row:
        words, vocabulary, names = self._words, self._vocabulary, self._names
        district = names.get(row.district, row.district)
        place = " · ".join(part for part in (district, row.address) if part)
        discovered = time.strftime("%m-%d %H:%M", time.localtime(row.discovered_at))
        cells = (
            vocabulary.severity(row.severity),
            row.code,
            words.shift.state(row.state),
            vocabulary.category(row.category),
            row.title,
            place,
            vocabulary.source(row.source),
            discovered,
            "",
            words.shift.card(row.card),
            names.get(row.unit, row.unit),
            str(row.events_count),
        )
        tooltip = "\n".join(part for part in (row.title, place, row.code) if part)
        level = row.severity if row.severity in (1, 2, 3, 4) else 4
        card_token = _CARD_CHIPS.get(row.card)
        card_chip = (
            None if card_token is None else (cells[QueueColumn.CARD], card_token, f"{card_token}_text")
        )
        subtitle = " · ".join(part for part in (place, discovered) if part)
        tag = self._clearing if row.clearing else None
        level_chip = (cells[0], f"sev{level}", f"sev{level}_text")
        return _Row(row, cells, tooltip, level_chip, card_chip, subtitle, tag)

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(QueueColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None

    def data(self, index: ModelIndex, role: int = 0) -> object:
        if not index.isValid():
            return None
        formatted = self._rows[index.row()]
        row = formatted.row
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == QueueColumn.DUE:
                return self._words.countdown(row.due, self._now, parked=row.parked)
            return formatted.cells[column]
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._backgrounds.get(alert_of(row, self._now))
        if role == Qt.ItemDataRole.ForegroundRole and column == QueueColumn.DUE:
            return self._due_brush(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == QueueColumn.EVENTS and row.events_count > 1:
                return fill(self._merged_tip, row.events_count)
            if column == QueueColumn.TITLE and formatted.tag is not None:
                return f"{formatted.tooltip}\n{self._clearing_tip}"
            return formatted.tooltip
        if role == QueueRole.CASE_ID:
            return row.id
        if role == QueueRole.ALERT:
            return alert_of(row, self._now)
        if role == QueueRole.SUBTITLE:
            return formatted.subtitle if column == QueueColumn.TITLE else None
        if role == QueueRole.TAG:
            return formatted.tag if column == QueueColumn.TITLE else None
        if role == QueueRole.CHIP:
            if column == QueueColumn.LEVEL:
                return formatted.level_chip
            return formatted.card_chip if column == QueueColumn.CARD else None
        return None

    def _due_brush(self, row: QueueRow) -> QBrush | None:
        if row.due is None or row.parked:
            return self._muted
        remaining = row.due - self._now
        if remaining < 0:
            return self._over
        return self._soon if remaining < SOON_S else None
