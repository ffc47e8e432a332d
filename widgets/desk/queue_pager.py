"""The incident queue's pager: previous and next page, where the page stands, the "new cases" bar and the
key hint, in one row under the table."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QToolButton, QWidget

from dispatch.casework.readouts import NEWER_CAP, PAGE_SIZE
from widgets.common.style import fill
from widgets.common.tight_fit import ElidedLabel


class QueuePager(QWidget):
    """Renders the page's position and the waiting new cases; the queue connects the buttons."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.previous_page = QToolButton(self)
        self.previous_page.setObjectName("queuePrevious")
        self.previous_page.setText("‹")
        self.previous_page.setToolTip(self.tr("Previous page ([)"))
        self.next_page = QToolButton(self)
        self.next_page.setObjectName("queueNext")
        self.next_page.setText("›")
        self.next_page.setToolTip(self.tr("Next page (])"))
        self.position = QLabel(self)
        self.position.setObjectName("queuePosition")
        self.newer = QToolButton(self)
        self.newer.setObjectName("queueNewer")
        self.newer.setToolTip(self.tr("Cases that arrived since the list was last brought up to date (N)"))
        self.newer.hide()
        self.hint = ElidedLabel(self.tr("J/K move · Enter open · F1 keys"), self, whole=True)
        self.hint.setObjectName("queueHint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        # The first thing a narrow queue drops (F1 lists the keys too), so it never widens the desk.
        self.hint.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.previous_page)
        row.addWidget(self.position)
        row.addWidget(self.next_page)
        # At the bottom, so its coming and going moves no row above it.
        row.addWidget(self.newer)
        row.addWidget(self.hint, 1)

    def show_position(self, offset: int, rows: int, total: int, exact: bool) -> None:
        """`rows` shown from `offset` of `total` matching cases (`exact`: counted to the end, not capped)."""
        if total == 0:
            self.position.setText(self.tr("No cases"))
        else:
            last = min(offset + rows, total)
            counted = f"{total:,}" if exact else f"{total:,}+"
            self.position.setText(fill(self.tr("%1–%2 of %3"), f"{offset + 1:,}", f"{last:,}", counted))
        self.previous_page.setEnabled(offset > 0)
        self.next_page.setEnabled(offset + PAGE_SIZE < total or not exact)

    def show_newer(self, count: int) -> None:
        self.newer.setVisible(count > 0)
        if count:
            shown = f"{count:,}" if count < NEWER_CAP else f"{NEWER_CAP - 1:,}+"
            self.newer.setText(fill(self.tr("▲ %1 new cases (N)"), shown))
