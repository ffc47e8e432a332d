"""The feed health panel: connection state, feed position, intake counters, gaps and quarantined frames."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dispatch.casework.jobs import FailedItem, Job
from dispatch.feed.values import (
    ConnectionState,
    FeedStatus,
    Gap,
    IntakeChanges,
    IntakeCounters,
    QuarantineEntry,
)
from widgets.common.style import fill, set_style_property
from widgets.common.vocabulary import Vocabulary

QUARANTINE_ROWS = 50


class StatCell(QFrame):
    """A caption over a number; the number turns to the alert colour when `alert` is set."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statCell")
        self.caption = QLabel(caption, self)
        self.caption.setObjectName("statCaption")
        self.value = QLabel("—", self)
        self.value.setObjectName("statValue")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(2)
        layout.addWidget(self.caption)
        layout.addWidget(self.value)

    def show_value(self, text: str, *, alert: bool = False) -> None:
        if self.value.text() != text:
            self.value.setText(text)
        set_style_property(self.value, "alert", "true" if alert else "false")


def _count(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


class FeedHealthPanel(QWidget):
    """Everything an operator needs to trust (or distrust) the feed, refreshed at the slow cadence."""

    failed_retry_requested = Signal(object)
    """The operator asked to try the failed items of the loop's jobs again (carries None: all of them)."""

    def __init__(self, vocabulary: Vocabulary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("feedHealthPanel")
        self._words = vocabulary
        self._hidden_counters: IntakeCounters | None = None
        self._hidden_gap: Gap | None = None
        self._hidden_quarantined: deque[QuarantineEntry] = deque(maxlen=QUARANTINE_ROWS)
        self.state = QLabel(vocabulary.state_name(ConnectionState.IDLE), self)
        self.state.setObjectName("connectionState")
        set_style_property(self.state, "state", "idle")
        self.url = QLabel("—", self)
        self.url.setObjectName("feedUrl")
        self.url.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail = QLabel("", self)
        self.detail.setObjectName("feedDetail")
        self.detail.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.detail.hide()
        self.cells = {
            "position": StatCell(self.tr("Seq / head"), self),
            "rate": StatCell(self.tr("Events/s"), self),
            "events": StatCell(self.tr("Events"), self),
            "duplicates": StatCell(self.tr("Duplicates"), self),
            "revisions": StatCell(self.tr("Revisions"), self),
            "replays": StatCell(self.tr("Replays"), self),
            "quarantined": StatCell(self.tr("Quarantined"), self),
            "unknown": StatCell(self.tr("Unknown types"), self),
            "gaps": StatCell(self.tr("Gaps"), self),
            "metrics": StatCell(self.tr("Metrics"), self),
        }
        grid = QGridLayout()
        grid.setSpacing(8)
        for i, cell in enumerate(self.cells.values()):
            grid.addWidget(cell, i // 5, i % 5)
        self.latest_gap = QLabel(self.tr("No gaps"), self)
        self.latest_gap.setObjectName("latestGap")
        # Clipped rather than wrapped: a wrapping label makes the scroll area size to its preferred height.
        self.latest_gap.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        quarantine_title = QLabel(self.tr("Quarantine (latest)"), self)
        quarantine_title.setObjectName("sectionTitle")
        self.quarantine = QTableWidget(0, 3, self)
        self.quarantine.setObjectName("quarantineTable")
        self.quarantine.setHorizontalHeaderLabels([self.tr("Time"), self.tr("Reason"), self.tr("Detail")])
        self.quarantine.verticalHeader().hide()
        self.quarantine.setShowGrid(False)
        self.quarantine.setWordWrap(False)
        self.quarantine.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.quarantine.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.quarantine.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(10)
        layout.addWidget(self.state)
        layout.addWidget(self.url)
        layout.addWidget(self.detail)
        layout.addLayout(grid)
        layout.addWidget(self.latest_gap)
        layout.addWidget(quarantine_title)
        layout.addWidget(self.quarantine, 1)
        self._build_failed_items(layout)

    def apply(self, changes: IntakeChanges, retry_in: float | None = None) -> None:
        """A summary of everything since the last refresh; `retry_in` is the back-off left, in seconds.

        While hidden, only the newest counters, the latest gap and the newest quarantined frames are kept.
        """
        if not self.isVisible():
            self._hidden_counters = changes.counters
            self._hidden_gap = changes.gaps[-1] if changes.gaps else self._hidden_gap
            self._hidden_quarantined.extend(changes.quarantined)
            return
        self.show_connection(changes.feed, retry_in)
        self._show_counters(changes.counters)
        if changes.gaps:
            self._show_gap(changes.gaps[-1])
        if changes.quarantined:
            self._add_quarantined(changes.quarantined)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._hidden_counters is not None:
            self._show_counters(self._hidden_counters)
            self._hidden_counters = None
        if self._hidden_gap is not None:
            self._show_gap(self._hidden_gap)
            self._hidden_gap = None
        if self._hidden_quarantined:
            self._add_quarantined(list(self._hidden_quarantined))
            self._hidden_quarantined.clear()

    def show_connection(self, feed: FeedStatus, retry_in: float | None = None) -> None:
        """Also called once a second, so a back-off countdown keeps moving while nothing arrives."""
        words = self._words.connection(feed, retry_in)
        if self.state.text() != words:
            self.state.setText(words)
        set_style_property(self.state, "state", feed.state.value)
        url = feed.url or "—"
        if self.url.text() != url:
            self.url.setText(url)
        # Once reconnected, a defect the client recovered from stays in view until the next start.
        detail = feed.fault if feed.state is ConnectionState.CONNECTED else self._words.feed_detail(feed)
        if self.detail.text() != detail:
            self.detail.setText(detail)
            self.detail.setToolTip(detail)
        self.detail.setVisible(bool(detail))

    def _show_counters(self, c: IntakeCounters) -> None:
        cells = self.cells
        cells["position"].show_value(f"{_count(c.last_seq)} / {_count(c.head)}")
        cells["rate"].show_value(f"{c.events_per_s:,.1f}")
        cells["events"].show_value(_count(c.events))
        cells["duplicates"].show_value(_count(c.duplicates))
        cells["revisions"].show_value(_count(c.revisions))
        cells["replays"].show_value(_count(c.replays))
        cells["quarantined"].show_value(_count(c.quarantined), alert=c.quarantined > 0)
        cells["unknown"].show_value(_count(c.unknown))
        cells["gaps"].show_value(_count(c.gaps), alert=c.gaps > 0)
        cells["metrics"].show_value(_count(c.metrics))

    def _show_gap(self, gap: Gap) -> None:
        start = "—" if gap.after_seq is None else f"#{gap.after_seq:,}"
        when = time.strftime("%H:%M:%S", time.localtime(gap.at))
        template = self.tr("Latest gap: %1 → #%2 at %3 (%4)")
        text = fill(template, start, f"{gap.head:,}", when, gap.reason)
        self.latest_gap.setText(text)
        self.latest_gap.setToolTip(text)
        set_style_property(self.latest_gap, "alert", "true")

    def _add_quarantined(self, entries: Sequence[QuarantineEntry]) -> None:
        table = self.quarantine
        for entry in entries[-QUARANTINE_ROWS:]:
            table.insertRow(0)
            cells = (
                time.strftime("%H:%M:%S", time.localtime(entry.received_at)),
                self._words.reason(entry.reason),
                entry.detail,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(entry.raw[:500] if column == 2 else text)
                table.setItem(0, column, item)
        while table.rowCount() > QUARANTINE_ROWS:
            table.removeRow(table.rowCount() - 1)

    # -- failed items of the closed loop's jobs (set aside, listed here until retried) ------------------

    def _build_failed_items(self, layout: QVBoxLayout) -> None:
        self._failed: tuple[tuple[FailedItem, ...], int] = ((), 0)
        self.failed_title = QLabel(self.tr("Failed items"), self)
        self.failed_title.setObjectName("sectionTitle")
        self.failed_retry = QPushButton(self.tr("Retry all"), self)
        self.failed_retry.setObjectName("failedItemsRetry")
        self.failed_retry.setToolTip(self.tr("Try every failed item again on the next beat"))
        self.failed_retry.clicked.connect(lambda: self.failed_retry_requested.emit(None))
        self.failed_table = QTableWidget(0, 5, self)
        self.failed_table.setObjectName("failedItemsTable")
        self.failed_table.setHorizontalHeaderLabels(
            [self.tr("Time"), self.tr("Job"), self.tr("Item"), self.tr("Tries"), self.tr("Error")]
        )
        self.failed_table.verticalHeader().hide()
        self.failed_table.setShowGrid(False)
        self.failed_table.setWordWrap(False)
        self.failed_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.failed_table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for column in range(4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        heading = QHBoxLayout()
        heading.addWidget(self.failed_title)
        heading.addStretch(1)
        heading.addWidget(self.failed_retry)
        layout.addLayout(heading)
        layout.addWidget(self.failed_table)
        for widget in (self.failed_title, self.failed_retry, self.failed_table):
            widget.hide()

    def job_name(self, job: Job) -> str:
        names = {
            Job.DISCOVERY: self.tr("Discovery"),
            Job.REPORTS: self.tr("Unit reports"),
            Job.SUPERVISION: self.tr("Supervision"),
            Job.METRICS: self.tr("Evaluation"),
        }
        return names[job]

    def show_failed_items(self, items: Sequence[FailedItem], total: int | None = None) -> None:
        """The latest items the loop's jobs set aside, newest first, of `total` (default: as many as given);
        the section hides when there are none."""
        items = tuple(items)
        total = len(items) if total is None else total
        if (items, total) == self._failed:
            return
        self._failed = (items, total)
        table = self.failed_table
        table.setRowCount(len(items))
        for row, entry in enumerate(items):
            cells = (
                time.strftime("%m-%d %H:%M:%S", time.localtime(entry.failed_at)),
                self.job_name(entry.job),
                entry.item,
                f"{entry.attempts:,}",
                entry.error,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                table.setItem(row, column, item)
        self.failed_title.setText(fill(self.tr("Failed items (%1)"), f"{total:,}") if items else "")
        for widget in (self.failed_title, self.failed_retry, self.failed_table):
            widget.setVisible(bool(items))
