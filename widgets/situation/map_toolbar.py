"""The map's search field, tool buttons and result list, in one panel over the map's top-right corner."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from widgets.common.palette import Palette
from widgets.common.style import fill
from widgets.situation.map_tools import Tool

LIST_ROWS = 8
PANEL_WIDTH = 380


@dataclass(frozen=True, slots=True)
class Found:
    """A search hit: what it is (a place, road, district, case, unit or camera), its words, and where it
    is (WGS-84) with the zoom to show it at. A case carries its id."""

    kind: str
    label: str
    detail: str
    lon: float
    lat: float
    zoom: float
    case_id: str | None = None


class MapToolbar(QFrame):
    """Typing asks for hits (`search_changed`); the map answers with `show_found`. Up/Down and Enter or a
    click pick one (`found_picked`); a listed case picks its case (`case_picked`)."""

    search_changed = Signal(object)
    """The text in the search field (str), after every edit."""

    found_picked = Signal(object)
    """The Found the operator chose."""

    case_picked = Signal(object)
    """The id of a case chosen from the list of cases inside a drawn area."""

    tool_picked = Signal(object)
    """The Tool whose button was pressed (Tool.NONE when the pressed one was released)."""

    def __init__(self, palette: Palette, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mapToolbar")
        self.setFixedWidth(PANEL_WIDTH)
        self.setStyleSheet(
            f"#mapToolbar {{ background: {palette.hex('map_overlay')}; border-radius: 6px; }}"
            f" #mapToolbar QLabel {{ color: {palette.hex('fg')}; }}"
            # The tool in hand is lit, so the operator knows why a click draws instead of opening a case.
            f" #mapToolbar QToolButton:checked {{ background: {palette.hex('accent')};"
            f" color: {palette.hex('bg')}; }}"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        self.search = QLineEdit(self)
        self.search.setObjectName("mapSearch")
        self.search.setPlaceholderText(self.tr("Search the map (/)"))
        self.search.setToolTip(self.tr("A place, address, road, case code or unit; Enter goes there"))
        self.search.setClearButtonEnabled(True)
        self.search.textEdited.connect(self._on_search_text_edited)
        self.search.installEventFilter(self)
        # One row: the search field and the three tools, so a map in a dock keeps most of its face.
        row = QHBoxLayout()
        row.setSpacing(4)
        row.addWidget(self.search, 1)
        self.tools: dict[Tool, QToolButton] = {}
        for tool, text, tip in (
            (Tool.MEASURE, self.tr("Measure"), self.tr("Measure a distance: click point after point (M)")),
            (Tool.RECTANGLE, self.tr("Box"), self.tr("List the cases in a box: drag it out (R)")),
            (
                Tool.POLYGON,
                self.tr("Area"),
                self.tr("List the cases in an area: click corners, Enter (P)"),
            ),
        ):
            button = QToolButton(self)
            button.setObjectName(f"mapTool_{tool.value}")
            button.setText(text)
            button.setToolTip(tip)
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keys stay with the map
            button.clicked.connect(lambda on, tool=tool: self.tool_picked.emit(tool if on else Tool.NONE))
            self.tools[tool] = button
            row.addWidget(button)
        layout.addLayout(row)
        self.heading = QLabel(self)
        self.heading.setObjectName("mapListHeading")
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        self.list = QListWidget(self)
        self.list.setObjectName("mapList")
        self.list.itemActivated.connect(self._on_list_item_activated)
        self.list.itemClicked.connect(self._on_list_item_activated)
        layout.addWidget(self.list)
        self._found: tuple[Found, ...] = ()
        self._cases: tuple[str, ...] = ()
        self.clear_list()

    # -- what the map hands in ----------------------------------------------------------------------

    def show_found(self, found: Sequence[Found]) -> None:
        """Hits for the text in the field (the first is picked by Enter)."""
        self._found, self._cases = tuple(found), ()
        self.list.clear()
        for hit in self._found:
            item = QListWidgetItem(f"{hit.label}  ·  {hit.detail}" if hit.detail else hit.label)
            item.setToolTip(item.text())
            self.list.addItem(item)
        if self._found:
            self.list.setCurrentRow(0)
            self.heading.setText(fill(self.tr("%1 found"), len(self._found)))
        else:
            self.heading.setText(self.tr("Nothing found") if self.search.text().strip() else "")
        self._show_list(bool(self._found))
        self.heading.setVisible(bool(self.heading.text()))

    def show_cases(self, title: str, cases: Sequence[tuple[str, str]]) -> None:
        """Cases (id, words) listed under a heading: those inside a drawn area."""
        self._found, self._cases = (), tuple(case_id for case_id, _ in cases)
        self.list.clear()
        for _, text in cases:
            item = QListWidgetItem(text)
            item.setToolTip(text)
            self.list.addItem(item)
        self.heading.setText(title)
        self.heading.setVisible(True)
        self._show_list(bool(cases))

    def clear_list(self) -> None:
        self._found, self._cases = (), ()
        self.list.clear()
        self.heading.clear()
        self.heading.setVisible(False)
        self._show_list(False)

    def has_list(self) -> bool:
        return self.list.isVisibleTo(self) or self.heading.isVisibleTo(self)

    def set_tool(self, tool: Tool) -> None:
        for each, button in self.tools.items():
            button.setChecked(each is tool)

    # -- keys and clicks ----------------------------------------------------------------------------

    def pick_current(self) -> bool:
        row = self.list.currentRow()
        if row < 0:
            return False
        self._pick(row)
        return True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # In the search field Up/Down walk the hits and Enter picks one: the hands stay on the keys.
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and self.list.count():
                step = 1 if key == Qt.Key.Key_Down else -1
                self.list.setCurrentRow(max(0, min(self.list.count() - 1, self.list.currentRow() + step)))
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.pick_current()
                return True
        return super().eventFilter(watched, event)

    def _on_search_text_edited(self, text: str) -> None:
        self.search_changed.emit(text)

    def _on_list_item_activated(self, item: QListWidgetItem) -> None:
        self._pick(self.list.row(item))

    def _pick(self, row: int) -> None:
        if 0 <= row < len(self._found):
            self.found_picked.emit(self._found[row])
        elif 0 <= row < len(self._cases):
            self.case_picked.emit(self._cases[row])

    def _show_list(self, shown: bool) -> None:
        self.list.setVisible(shown)
        if shown:
            rows = min(LIST_ROWS, self.list.count())
            row = max(self.list.sizeHintForRow(0), self.list.fontMetrics().height() + 8)
            self.list.setFixedHeight(rows * row + 2 * self.list.frameWidth() + 4)
        self.adjustSize()
