"""The 综合评价 panel: rates of a period as big tiles, live counters, stage times, units and operators."""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTabBar,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dispatch.casework.evaluation import Ratio, Span, Tally
from widgets.common.palette import Palette
from widgets.common.style import fill
from widgets.desk.case_words import CaseWords
from widgets.shift.metric_tile import MetricTile, TileGrid, Tone
from widgets.shift.metrics_values import (
    DepartmentRow,
    MetricsView,
    OperatorRow,
    Period,
    StageTimes,
)
from widgets.shift.shift_words import ShiftWords

PERIODS = (Period.SHIFT, Period.TODAY, Period.WEEK, Period.MONTH)
PENDING = "…"
# Live counters are whole numbers of a few digits: their tiles can be narrower than the rates'.
LIVE_WIDTH = 96
# Theme tokens of each grade's colour: good grades read green, the bottom two amber and red.
_GRADE_TOKENS = {"A": "ok", "B": "ok", "C": "fg", "D": "warn", "E": "bad"}
_ACTIONS_SHOWN = 3


def percent(ratio: Ratio) -> str:
    """'87%'; one decimal where whole numbers would round a miss up to 100% or a few cases down to 0%."""
    rate = ratio.rate
    if rate is None:
        return "—"
    value = 100 * rate
    text = f"{value:.0f}%"
    if text == "100%" and ratio.part < ratio.whole:
        return f"{math.floor(value * 10) / 10:.1f}%"
    if text == "0%" and ratio.part > 0:
        return f"{math.ceil(value * 10) / 10:.1f}%"
    return text


def _item(text: str, *, align_right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if align_right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def _number(value: int) -> QTableWidgetItem:
    return _item(str(value), align_right=True)


def _table(headers: Sequence[str], name: str, stretch: int) -> QTableWidget:
    """A table as tall as its rows: the panel scrolls, not each table."""
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(list(headers))
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.setWordWrap(False)
    table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    header = table.horizontalHeader()
    for column in range(len(headers)):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


def _fit_height(table: QTableWidget) -> None:
    rows = sum(table.rowHeight(r) for r in range(table.rowCount()))
    table.setFixedHeight(table.horizontalHeader().sizeHint().height() + rows + 2 * table.frameWidth())


class MetricsPanel(QWidget):
    """Renders MetricsView values; never queries. The app calls `show_metrics` and listens for
    `period_changed`. A reading of another period than the one chosen is not shown."""

    period_changed = Signal(object)
    """The operator chose another period (carries the Period); until its reading comes, nothing shows."""

    def __init__(
        self,
        words: ShiftWords,
        palette: Palette,
        *,
        names: Mapping[str, str] | None = None,
        period: Period = Period.TODAY,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("metricsPanel")
        self.setWindowTitle(self.tr("Evaluation"))
        # A plain QWidget leaves the theme's background unpainted; styled, the panel and its labels share one
        # colour instead of each label standing in a darker box.
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._words = words
        self._actions = CaseWords(self)
        self._palette = palette
        self._names = dict(names or {})
        self.period = period
        self.view: MetricsView | None = None
        titles = {
            Period.SHIFT: self.tr("This shift"),
            Period.TODAY: self.tr("Today"),
            Period.WEEK: self.tr("This week"),
            Period.MONTH: self.tr("This month"),
        }
        self.periods = QTabBar(self)
        self.periods.setObjectName("metricsPeriod")
        self.periods.setDrawBase(False)
        self.periods.setExpanding(False)
        for choice in PERIODS:
            self.periods.addTab(titles[choice])
        self.periods.setCurrentIndex(PERIODS.index(period))
        self.periods.currentChanged.connect(self._on_periods_current_changed)
        # In the theme's exercise colour, as exercise rows are in the queue.
        drill = html.escape(self.tr("Exercise data only"))
        self.exercise = QLabel(f'<b style="color: {palette.hex("exercise")}">{drill}</b>', self)
        self.exercise.setObjectName("metricsExercise")
        self.exercise.hide()
        self.span = QLabel(self)
        self.span.setObjectName("metricsSpan")
        self.span.setWordWrap(True)
        self.as_of = QLabel(self)
        self.as_of.setObjectName("metricsAsOf")

        due = self.tr(
            "Cases due: their handling deadline falls in the period; parked cases are not counted. A case "
            "closed today that is due tomorrow counts tomorrow (see Closed today)."
        )
        self.closure = self._tile(self.tr("Closure rate"), self.tr("Closed ÷ cases due"), due)
        self.on_time_closure = self._tile(
            self.tr("On-time closure"), self.tr("Closed, and handled on time ÷ cases due"), due
        )
        self.on_time_handling = self._tile(
            self.tr("On-time handling"), self.tr("Handled on time ÷ cases due"), due
        )
        self.rework = self._tile(self.tr("Rework rate"), self.tr("Sent back for rework ÷ cases due"), due)
        self.extension = self._tile(self.tr("Extension rate"), self.tr("Given an extension ÷ cases due"), due)
        self.open = self._tile(self.tr("Open"), self.tr("Open cases right now"))
        self.overdue = self._tile(
            self.tr("Overdue handling"),
            self.tr("Open cases the unit still owes past their handling deadline"),
        )
        self.carded = self._tile(self.tr("Carded"), self.tr("Open cases with a yellow or red card"))
        self.parked = self._tile(self.tr("Parked"), self.tr("Open cases whose clock is paused"))
        self.closed_today = self._tile(
            self.tr("Closed today"),
            self.tr(
                "Cases closed since midnight, whenever they are due. The rates above count cases by their "
                "handling deadline, so closing a case due tomorrow moves tomorrow's rates, not today's."
            ),
        )
        rates = [self.closure, self.on_time_closure, self.on_time_handling, self.rework, self.extension]
        self.rates = TileGrid(rates, (5, 3, 2))
        live = [self.open, self.overdue, self.carded, self.parked, self.closed_today]
        self.live = TileGrid(live, (5, 3, 2), min_width=LIVE_WIDTH)

        self._stage_names = {
            Span.REGISTRATION: self.tr("Discovery → registration"),
            Span.DISPATCH: self.tr("Registration → dispatch"),
            Span.SIGN: self.tr("Dispatch → signed for"),
            Span.HANDLED: self.tr("Dispatch → handled"),
            Span.CLOSED: self.tr("Discovery → closed"),
        }
        self.stages = _table([self.tr("Stage"), self.tr("Cases"), "p50", "p90"], "metricsStages", 0)
        self.departments = _table(
            [self.tr("Grade"), self.tr("Unit"), self.tr("Score"), self.tr("Due"), self.tr("Closed"),
             self.tr("On time"), self.tr("Rework")],
            "metricsDepartments", 1,
        )  # fmt: skip
        tips = {
            2: self.tr(
                "Volume score + 30 × closure rate + 30 × on-time handling rate + 30 × (1 − rework rate)"
            ),
            3: self.tr("Cases due in the period"),
            5: self.tr("Handled on time"),
            6: self.tr("Sent back for rework"),
        }
        for column, tip in tips.items():
            heading = self.departments.horizontalHeaderItem(column)
            if heading is not None:
                heading.setToolTip(tip)
        self.operators = _table(
            [self.tr("Operator"), self.tr("Role"), self.tr("Actions"), self.tr("Most done")],
            "metricsOperators", 3,
        )  # fmt: skip

        top = QHBoxLayout()
        top.addWidget(self.periods)
        top.addStretch(1)
        top.addWidget(self.exercise)
        summary = QHBoxLayout()
        summary.addWidget(self.span, 1)
        summary.addWidget(self.as_of, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 10)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addLayout(summary)
        layout.addWidget(self.rates)
        layout.addWidget(self._section(self.tr("Right now")))
        layout.addWidget(self.live)
        layout.addWidget(self._section(self.tr("Stage durations (median / 90th percentile)")))
        layout.addWidget(self.stages)
        layout.addWidget(self._section(self.tr("Responsible units by score")))
        layout.addWidget(self.departments)
        layout.addWidget(self._section(self.tr("Operators")))
        layout.addWidget(self.operators)
        layout.addStretch(1)
        self._show_pending()

    def _tile(self, caption: str, tip: str, note: str = "") -> MetricTile:
        """A rate's tile has a line for the counts behind it (and a note on what they count); a live
        counter's has none."""
        tile = MetricTile(caption, self._palette, detail=bool(note))
        tile.setToolTip(f"{tip}\n{note}" if note else tip)
        return tile

    def _section(self, text: str) -> QLabel:
        label = QLabel(text, self)
        label.setObjectName("sectionTitle")
        return label

    def set_names(self, names: Mapping[str, str]) -> None:
        """Unit ids → names, for the units table."""
        self._names = dict(names)
        if self.view is not None:
            self._show_departments(self.view.departments)

    def choose_period(self, period: Period) -> None:
        """Switch to `period` as if the operator had picked its tab."""
        self.periods.setCurrentIndex(PERIODS.index(period))

    def _on_periods_current_changed(self, index: int) -> None:
        period = PERIODS[index]
        if period is self.period:
            return
        self.period = period
        self.view = None
        self._show_pending()
        self.period_changed.emit(period)

    def _show_pending(self) -> None:
        """Between choosing a period and its reading: the old period's numbers would be wrong here."""
        for tile in (*self.rates.tiles, *self.live.tiles):
            tile.show_figure(PENDING)
        self.span.setText(self.tr("Working out the evaluation…"))
        self.as_of.setText("")
        for table in (self.stages, self.departments, self.operators):
            table.setRowCount(0)
            _fit_height(table)

    def show_metrics(self, view: MetricsView) -> None:
        """Show a reading; one of a period no longer chosen is dropped."""
        if view.period is not self.period:
            return
        self.view = view
        zone = ZoneInfo(view.zone)
        self.exercise.setVisible(view.exercise)
        self.span.setText(self._summary(view, zone))
        self.as_of.setText(
            fill(self.tr("As of %1"), datetime.fromtimestamp(view.as_of, zone).strftime("%H:%M:%S"))
        )
        self._show_rates(view.counts)
        live = view.live
        self.open.show_figure(str(live.open))
        self.overdue.show_figure(str(live.overdue), tone=Tone.BAD if live.overdue else Tone.NORMAL)
        self.carded.show_figure(str(live.carded), tone=Tone.WARN if live.carded else Tone.NORMAL)
        self.parked.show_figure(str(live.parked))
        self.closed_today.show_figure(str(live.closed_today))
        self._show_stages(view.stages)
        self._show_departments(view.departments)
        self._show_operators(view.operators)

    def _summary(self, view: MetricsView, zone: ZoneInfo) -> str:
        start = datetime.fromtimestamp(view.start, zone)
        last = datetime.fromtimestamp(view.end, zone) - timedelta(seconds=1)
        if view.period is Period.SHIFT:
            end = datetime.fromtimestamp(view.end, zone)
            tail = end.strftime("%H:%M" if end.date() == start.date() else "%m-%d %H:%M")
            span = f"{start:%Y-%m-%d %H:%M}–{tail}"
        elif view.period is Period.TODAY:
            span = f"{start:%Y-%m-%d}"
        elif view.period is Period.WEEK:
            span = f"{start:%Y-%m-%d} – {last:%m-%d}"
        else:
            span = f"{start:%Y-%m}"
        text = fill(self.tr("%1 · %2 cases due"), span, view.counts.due)
        if view.counts.parked:
            text = fill(self.tr("%1 · %2 parked, not counted"), text, view.counts.parked)
        return text

    def _show_rates(self, counts: Tally) -> None:
        nothing = self.tr("Nothing due in this period")
        for tile, ratio in (
            (self.closure, counts.closure),
            (self.on_time_closure, counts.on_time_closure),
            (self.on_time_handling, counts.on_time_handling),
            (self.rework, counts.rework),
            (self.extension, counts.extension),
        ):
            detail = fill(self.tr("%1 / %2"), ratio.part, ratio.whole) if ratio.whole else nothing
            tile.show_figure(percent(ratio), detail)

    def duration(self, seconds: float) -> str:
        """Stage times from seconds up: '40 s', '12 min', '3 h 05 min', '2 d 4 h'."""
        if seconds < 60:
            return fill(self.tr("%1 s"), int(seconds))
        return self._words.duration(seconds)

    def _show_stages(self, stages: tuple[StageTimes, ...]) -> None:
        measured = {times.stage: times for times in stages}
        self.stages.setRowCount(len(self._stage_names))
        for row, (stage, name) in enumerate(self._stage_names.items()):
            times = measured.get(stage)
            figures = (
                ("0", "—", "—")
                if times is None
                else (str(times.count), self.duration(times.p50_s), self.duration(times.p90_s))
            )
            cells = [_item(name), *(_item(text, align_right=True) for text in figures)]
            for column, cell in enumerate(cells):
                self.stages.setItem(row, column, cell)
        _fit_height(self.stages)

    def _show_departments(self, rows: tuple[DepartmentRow, ...]) -> None:
        table = self.departments
        table.setRowCount(len(rows))
        bold = QFont(table.font())
        bold.setBold(True)
        for n, line in enumerate(rows):
            counts = line.counts
            unit_name = self._names.get(line.unit, line.unit)
            name = _item(unit_name)
            name.setToolTip(self._department_tip(unit_name, line))
            grade = _item(line.grade)
            grade.setFont(bold)
            grade.setForeground(QBrush(self._palette.color(_GRADE_TOKENS.get(line.grade, "fg"))))
            grade.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            cells = [
                grade, name, _item(f"{line.score:.1f}", align_right=True), _number(counts.due),
                _number(counts.closed), _number(counts.handled_on_time), _number(counts.reworked),
            ]  # fmt: skip
            for column, cell in enumerate(cells):
                table.setItem(n, column, cell)
        _fit_height(table)

    def _department_tip(self, name: str, line: DepartmentRow) -> str:
        counts = line.counts
        rates = [
            fill(self.tr("Closure %1"), percent(counts.closure)),
            fill(self.tr("on-time closure %1"), percent(counts.on_time_closure)),
            fill(self.tr("on-time handling %1"), percent(counts.on_time_handling)),
            fill(self.tr("rework %1"), percent(counts.rework)),
            fill(self.tr("extension %1"), percent(counts.extension)),
        ]
        if counts.parked:
            rates.append(fill(self.tr("%1 parked"), counts.parked))
        heading = name if name == line.unit else f"{name} ({line.unit})"
        return f"{heading}\n" + " · ".join(rates)

    def _show_operators(self, rows: tuple[OperatorRow, ...]) -> None:
        table = self.operators
        table.setRowCount(len(rows))
        for n, op in enumerate(rows):
            roles = self.tr(", ").join(self._words.role(role) for role in op.roles)
            done = [fill(self.tr("%1 %2"), self._actions.action(a), count) for a, count in op.actions]
            person = _item(op.name or op.login)
            person.setToolTip(op.login)
            most = _item(" · ".join(done[:_ACTIONS_SHOWN]))
            most.setToolTip("\n".join(done))
            for column, cell in enumerate((person, _item(roles), _number(op.total), most)):
                table.setItem(n, column, cell)
        _fit_height(table)
