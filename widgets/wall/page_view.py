"""One wall page: its title, then a grid of panels whose cells share the room equally."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QGridLayout, QSizePolicy, QVBoxLayout, QWidget

from widgets.common.tight_fit import ElidedLabel


class WallPageView(QFrame):
    """A `columns` × `rows` grid; `place` puts a panel in its cells. Built once and kept: rotating the
    carousel shows another page, it never rebuilds one (no reload flash, no growing memory)."""

    def __init__(self, name: str, title: str, columns: int, rows: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("wallPage")
        self.name = name
        self.title = ElidedLabel(title, self)
        self.title.setObjectName("wallPageTitle")
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.grid = QGridLayout()
        self.grid.setSpacing(12)
        for column in range(columns):
            self.grid.setColumnStretch(column, 1)
        for row in range(rows):
            self.grid.setRowStretch(row, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.title)
        layout.addLayout(self.grid, 1)

    def place(self, panel: QWidget, column: int, row: int, columns: int = 1, rows: int = 1) -> None:
        # Panels give up size to the grid: a long text elides instead of pushing a neighbour aside.
        panel.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.grid.addWidget(panel, row, column, rows, columns)
