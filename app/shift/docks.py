"""Docks on the right for the supervision board, the shift handover and 综合评价, with their drivers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QDockWidget, QFrame, QMainWindow, QScrollArea, QWidget

from app.shell.change_bus import ChangeBus
from app.shift.handover import AskPath, HandoverControl, ask_pdf_path
from app.shift.metrics import MetricsControl
from app.shift.session import Session
from app.shift.supervision import SupervisionControl
from dispatch.service import ClosedLoop
from widgets.common.palette import Palette
from widgets.common.vocabulary import Vocabulary
from widgets.shift.handover_panel import HandoverPanel, HandoverReport
from widgets.shift.metrics_panel import MetricsPanel
from widgets.shift.supervision_board import SupervisionBoard

if TYPE_CHECKING:
    # Only the type: a cockpit on a real feed never loads the simulator.
    from sim.city import City


@dataclass(frozen=True, slots=True)
class ShiftPanels:
    """What install_shift_panels built, for wiring and for shutdown."""

    board: SupervisionBoard
    handover: HandoverPanel
    board_dock: QDockWidget
    handover_dock: QDockWidget
    supervision: SupervisionControl
    handovers: HandoverControl
    metrics_panel: MetricsPanel
    metrics_dock: QDockWidget
    metrics: MetricsControl

    def stop(self) -> None:
        self.supervision.stop()
        self.handovers.stop()
        self.metrics.stop()


def city_names(city: City) -> dict[str, str]:
    """District codes and unit ids → names, so the board and the handover show names, not codes."""
    names = {d.code: d.name for d in city.districts}
    names.update({u.id: u.name for u in city.units})
    return names


def _scrolled(name: str, panel: QWidget) -> QScrollArea:
    """A panel taller than a laptop's right column scrolls instead of squeezing."""
    scroll = QScrollArea()
    scroll.setObjectName(name)
    scroll.setWidget(panel)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    return scroll


def _bring_forward(dock: QDockWidget) -> None:
    dock.show()
    dock.raise_()


def _dock(window: QMainWindow, name: str, title: str, panel: QWidget) -> QDockWidget:
    dock = QDockWidget(title, window)
    dock.setObjectName(name)
    dock.setWidget(panel)
    dock.setFeatures(
        QDockWidget.DockWidgetFeature.DockWidgetMovable
        | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        | QDockWidget.DockWidgetFeature.DockWidgetClosable
    )
    return dock


def install_shift_panels(
    window: QMainWindow,
    loop: ClosedLoop,
    bus: ChangeBus,
    session: Session,
    *,
    vocabulary: Vocabulary,
    palette: Palette,
    names: dict[str, str] | None = None,
    exercise: bool = False,
    ask_path: AskPath = ask_pdf_path,
) -> ShiftPanels:
    """Add the three docks (tabbed together on the right; call before restoring the saved layout) and
    start their refresh timers. Shifts and evaluation periods are counted in the policy calendar's time
    zone."""
    words = session.words
    board = SupervisionBoard(words, vocabulary, palette, names=names)
    handover = HandoverPanel(words, names=names)
    translate = QCoreApplication.translate
    board_dock = _dock(window, "supervisionBoardDock", translate("ShiftPanels", "Supervision board"), board)
    # Note, history and detail stacked need more height than a laptop's right column has.
    handover_scroll = _scrolled("handoverScroll", handover)
    handover_dock = _dock(window, "handoverDock", translate("ShiftPanels", "Shift handover"), handover_scroll)
    metrics_panel = MetricsPanel(words, palette, names=names)
    metrics_scroll = _scrolled("metricsScroll", metrics_panel)
    metrics_dock = _dock(window, "metricsDock", metrics_panel.windowTitle(), metrics_scroll)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, board_dock)
    window.tabifyDockWidget(board_dock, handover_dock)
    window.tabifyDockWidget(handover_dock, metrics_dock)
    board_dock.raise_()
    # F7/F8 from anywhere in the window; the board comes forward to take the note.
    window.addActions(list(board.key_actions))
    board.attention_requested.connect(lambda _: _bring_forward(board_dock))
    supervision = SupervisionControl(board, loop, bus, session, words, exercise=exercise)
    handovers = HandoverControl(
        handover,
        HandoverReport(words, names),
        loop,
        bus,
        session,
        tz=loop.policy.calendar.timezone,
        exercise=exercise,
        ask_path=ask_path,
    )
    tz = loop.policy.calendar.timezone
    metrics = MetricsControl(metrics_panel, loop, bus, session, tz=tz, exercise=exercise)
    # 督办 changes the cards the evaluation counts.
    supervision.supervised.connect(metrics.store_changed)
    # A board or evaluation shown again (tab raised, dock reopened) is read at once, not at the next tick.
    board_dock.visibilityChanged.connect(lambda visible: supervision.refresh() if visible else None)
    metrics_dock.visibilityChanged.connect(lambda visible: metrics.refresh() if visible else None)
    supervision.start()
    handovers.start()
    metrics.start()
    return ShiftPanels(
        board,
        handover,
        board_dock,
        handover_dock,
        supervision,
        handovers,
        metrics_panel,
        metrics_dock,
        metrics,
    )
