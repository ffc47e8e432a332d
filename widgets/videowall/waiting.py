"""The wall's short list of severe cases it does not show in the pop-up: no camera sees them, or they
wait for the pop-up's turn."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from widgets.common.style import fill

# The list stays small: beside the camera tree, never over the tiles.
MAX_ROWS_SHOWN = 6


@dataclass(frozen=True, slots=True)
class WaitingCase:
    """A severe case the wall lists instead of popping up: `no_camera` when no camera sees its place."""

    case_id: int
    code: str
    title: str
    no_camera: bool


class WaitingCases(QFrame):
    """Hidden while empty. Enter or a double-click on a row asks for that case's cameras now."""

    case_activated = Signal(int)
    """The officer asked for this case's cameras (carries the case id)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("videoWaiting")
        self.heading = QLabel(self)
        self.heading.setObjectName("videoWaitingTitle")
        self.rows = QListWidget(self)
        self.rows.setObjectName("videoWaitingList")
        self.rows.setTextElideMode(Qt.TextElideMode.ElideRight)
        # Long titles are elided (whole in the tooltip): a scroll bar would cover the one row shown.
        self.rows.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.rows.itemActivated.connect(self._on_rows_item_activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addWidget(self.heading)
        layout.addWidget(self.rows)
        self.cases: tuple[WaitingCase, ...] = ()
        self.hide()

    def show_cases(self, cases: Sequence[WaitingCase]) -> None:
        """Newest first, as given; the selection stays on the same case when the list changes."""
        cases = tuple(cases)
        if cases == self.cases:
            return
        chosen = self.rows.currentItem()
        chosen_id = chosen.data(Qt.ItemDataRole.UserRole) if chosen is not None else None
        self.cases = cases
        self.rows.clear()
        for case in cases:
            why = self.tr("no camera near") if case.no_camera else self.tr("waiting for the pop-up")
            # Why first: the column beside the tree is narrow, the title is elided (whole in the tooltip).
            text = fill(self.tr("%1 · %2 · %3"), why, case.code, case.title)
            item = QListWidgetItem(text, self.rows)
            item.setToolTip(text)
            item.setData(Qt.ItemDataRole.UserRole, case.case_id)
            if case.case_id == chosen_id:
                self.rows.setCurrentItem(item)
        self.heading.setText(fill(self.tr("Severe cases not on the pop-up (%1)"), len(cases)))
        rows = min(len(cases), MAX_ROWS_SHOWN)
        self.rows.setFixedHeight(rows * self.rows.sizeHintForRow(0) + 2 * self.rows.frameWidth() + 2)
        self.setVisible(bool(cases))

    def _on_rows_item_activated(self, item: QListWidgetItem) -> None:
        self.case_activated.emit(int(item.data(Qt.ItemDataRole.UserRole)))
