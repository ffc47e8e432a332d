"""The live event stream as a bounded table model: newest on top, rows formatted once, when first shown."""

from __future__ import annotations

import enum
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QFont

from dispatch.feed.values import StoredEvent
from widgets.common.palette import Palette
from widgets.common.style import fill
from widgets.common.vocabulary import SEVERE_LEVELS, Vocabulary

ModelIndex = QModelIndex | QPersistentModelIndex


def _clock(pattern: str, at: object) -> str:
    """A stored time as local time, or "—" for a value no clock can show (a row an older version wrote
    as text or beyond year 9999): one odd row must not break the whole list's painting."""
    try:
        return time.strftime(pattern, time.localtime(at))  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError, OSError):
        return "—"


class EventColumn(enum.IntEnum):
    TIME = 0
    SEVERITY = 1
    SOURCE = 2
    CATEGORY = 3
    TITLE = 4
    PLACE = 5
    TAGS = 6


class EventRole(enum.IntEnum):
    """Data roles beyond Qt's own, for the delegate and for anyone inspecting rows."""

    SEVERITY = Qt.ItemDataRole.UserRole + 1
    HIGHLIGHT = Qt.ItemDataRole.UserRole + 2
    CHIPS = Qt.ItemDataRole.UserRole + 3


class Highlight(enum.StrEnum):
    """How a row stands out; the value doubles as the theme's name for it."""

    NONE = ""
    CRITICAL = "critical"
    MAJOR = "major"
    EXERCISE = "exercise"


# A chip is (text, fill token, text token); the delegate paints them as pills.
Chip = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class RowLook:
    """Everything shown for one row: words, tooltip, how it stands out, and its chips."""

    cells: tuple[str, ...]
    tooltip: str
    highlight: Highlight
    muted: bool
    severity_chip: Chip
    tag_chips: tuple[Chip, ...]

    def chips(self, column: int) -> tuple[Chip, ...] | None:
        """The chips painted in `column` instead of text, or None for a text cell."""
        if column == EventColumn.SEVERITY:
            return (self.severity_chip,)
        return self.tag_chips if column == EventColumn.TAGS else None


def _highlight(event: StoredEvent) -> Highlight:
    # A drill must never look like a live alarm, and a cancelled alert no longer demands attention.
    if event.exercise:
        return Highlight.EXERCISE
    if event.cancelled or event.severity not in SEVERE_LEVELS:
        return Highlight.NONE
    return Highlight.CRITICAL if event.severity == 1 else Highlight.MAJOR


ROW_TOKENS = {
    Highlight.CRITICAL: "sev1_row",
    Highlight.MAJOR: "sev2_row",
    Highlight.EXERCISE: "exercise_row",
}


class EventTableModel(QAbstractTableModel):
    """Keeps the newest `capacity` event revisions; inserts whole batches at the top."""

    def __init__(
        self,
        vocabulary: Vocabulary,
        palette: Palette,
        capacity: int = 2000,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        if capacity < 1:
            raise ValueError("capacity must be at least one row")
        self._words = vocabulary
        self._capacity = capacity
        # Oldest first, so a batch is an append; row r of the view is _events[-1 - r]. Its look is made only
        # if the row is ever asked for: at a few thousand events a second most scroll away unseen. Two
        # parallel lists rather than an object per row keep the garbage collector's work down.
        self._events: list[StoredEvent] = []
        self._looks: list[RowLook | None] = []
        self._backgrounds = {h: QBrush(palette.color(token)) for h, token in ROW_TOKENS.items()}
        self._muted = QBrush(palette.color("fg_muted"))
        self._struck = QFont()
        self._struck.setStrikeOut(True)
        self._occurred = self.tr("Occurred: %1")
        self._received = self.tr("Received: %1")
        self._headers = (
            self.tr("Time"),
            self.tr("Level"),
            self.tr("Source"),
            self.tr("Category"),
            self.tr("Title"),
            self.tr("Address / grid"),
            self.tr("Status"),
        )

    @property
    def capacity(self) -> int:
        return self._capacity

    def event_at(self, row: int) -> StoredEvent:
        return self._events[-1 - row]

    def look_at(self, row: int) -> RowLook:
        """How view row `row` is shown (formatted on first use, then kept)."""
        look = self._looks[-1 - row]
        if look is None:
            look = self._looks[-1 - row] = self._look(self._events[-1 - row])
        return look

    def prepend(self, events: Sequence[StoredEvent]) -> None:
        """A live batch in arrival order: its last event ends up on the top row."""
        if not events:
            return
        fresh = events[-self._capacity :]
        self._drop_oldest(len(self._events) + len(fresh) - self._capacity)
        self.beginInsertRows(QModelIndex(), 0, len(fresh) - 1)
        self._events.extend(fresh)
        self._looks.extend([None] * len(fresh))
        self.endInsertRows()

    def extend_older(self, events: Iterable[StoredEvent]) -> None:
        """History older than every row shown (the prefill from the store), in any order."""
        room = self._capacity - len(self._events)
        if room <= 0:
            return
        older = sorted(events, key=lambda e: (e.received_at, e.seq), reverse=True)[:room]
        if not older:
            return
        end = len(self._events)
        self.beginInsertRows(QModelIndex(), end, end + len(older) - 1)
        self._events[:0] = reversed(older)
        self._looks[:0] = [None] * len(older)
        self.endInsertRows()

    def _drop_oldest(self, count: int) -> None:
        count = min(count, len(self._events))
        if count <= 0:
            return
        total = len(self._events)
        self.beginRemoveRows(QModelIndex(), total - count, total - 1)
        del self._events[:count]
        del self._looks[:count]
        self.endRemoveRows()

    def _look(self, event: StoredEvent) -> RowLook:
        words = self._words
        place = " · ".join(part for part in (event.address, event.grid) if part)
        tags: list[Chip] = []
        if event.revision > 1:
            tags.append((words.revision(event.revision), "revision", "revision_text"))
        if event.exercise:
            tags.append((words.exercise, "exercise", "exercise_text"))
        if event.cancelled:
            tags.append((words.cancelled, "cancelled", "cancelled_text"))
        severity = words.severity(event.severity)
        cells = (
            _clock("%H:%M:%S", event.occurred_at),
            severity,
            words.source(event.source),
            words.category(event.category),
            event.title,
            place,
            " ".join(text for text, _, _ in tags),
        )
        stamp = "%Y-%m-%d %H:%M:%S"
        parts = (
            event.title,
            event.description,
            fill(self._occurred, _clock(stamp, event.occurred_at)),
            fill(self._received, _clock(stamp, event.received_at)),
            f"{event.source}/{event.event_id}",
        )
        tooltip = "\n".join(part for part in parts if part)
        level = event.severity if event.severity in (1, 2, 3, 4) else 4
        return RowLook(
            cells=cells,
            tooltip=tooltip,
            highlight=_highlight(event),
            muted=event.cancelled,
            severity_chip=(severity, f"sev{level}", f"sev{level}_text"),
            tag_chips=tuple(tags),
        )

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._events)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(EventColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None

    def data(self, index: ModelIndex, role: int = 0) -> object:
        if not index.isValid():
            return None
        row = index.row()
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.look_at(row).cells[column]
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._backgrounds.get(self.look_at(row).highlight)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.look_at(row).tooltip
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._muted if self.look_at(row).muted else None
        if role == Qt.ItemDataRole.FontRole:
            return self._struck if self.look_at(row).muted and column == EventColumn.TITLE else None
        if role == EventRole.SEVERITY:
            return self.event_at(row).severity
        if role == EventRole.HIGHLIGHT:
            return self.look_at(row).highlight.value
        if role == EventRole.CHIPS:
            return self.look_at(row).chips(column)
        return None
