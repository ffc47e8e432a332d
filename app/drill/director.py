"""The director's dock on the drill window: its buttons become director commands for the running drill."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QMainWindow

from dispatch.casework.model import Actor
from dispatch.drill.scenario import Inject, UnitReport
from sim.drill.director import DirectorCommand, Verb
from sim.drill.runner import DrillRun
from widgets.drill.director_panel import DirectorPanel, DirectorRequest, InjectRow, InjectState

# The clock and the inject states are text: twice a second is enough (STYLE: text at 1–2 Hz).
REFRESH_MS = 500


class DirectorControl(QObject):
    """Hands the panel's requests to the drill (signed with who is signed in) and shows its state."""

    def __init__(
        self, panel: DirectorPanel, run: DrillRun, who: Callable[[], Actor | None], parent: QObject
    ) -> None:
        super().__init__(parent)
        self.panel = panel
        self.run = run
        self._who = who
        assert run.options.director is not None, "a drill with a director's dock needs a command queue"
        self._commands = run.options.director
        panel.show_title(run.scenario.title)
        panel.command_requested.connect(self._on_panel_command_requested)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.refresh()

    def start(self) -> None:
        self.timer.start()

    def show_dock(self) -> None:
        dock = self.panel.parentWidget()
        if isinstance(dock, QDockWidget):
            dock.show()
            dock.raise_()

    def stop(self) -> None:
        self.timer.stop()

    def refresh(self) -> None:
        """Show the exercise clock and where each inject stands."""
        clock, master = self.run.clock, self.run.master
        self.panel.show_clock(clock.monotonic(), running=clock.running, speed=clock.speed)
        rows = []
        for inject in self.run.scenario.injects:
            if inject.id in master.fired_at:
                state, sent = InjectState.SENT, master.fired_at[inject.id]
            elif inject.id in master.skipped:
                state, sent = InjectState.SKIPPED, None
            else:
                state, sent = InjectState.PENDING, None
            rows.append(InjectRow(inject.id, self.summary(inject), inject.at_s, state, sent))
        self.panel.show_injects(rows)

    def summary(self, inject: Inject) -> str:
        """The scenario's own words for an inject: its title, headline, what the caller says, the report's
        or the director's note; else what it is."""
        body = inject.body
        for field in ("title", "headline", "says", "note"):
            text = getattr(body, field, "")
            if isinstance(text, str) and text:
                return text
        if inject.note:
            return inject.note
        if isinstance(body, UnitReport):
            return self.tr("Unit report on %1").replace("%1", body.to)
        return str(getattr(body, "name", "")) or inject.id

    def _on_panel_command_requested(self, request: DirectorRequest) -> None:
        actor = self._who()
        # The log names the director: the person signed in at this window, else the role alone.
        by = f"导演 {actor.name or actor.login}" if actor is not None else "导演"
        self._commands.put_nowait(DirectorCommand(Verb(request.verb), request.inject, by))

    def replied(self, line: str) -> None:
        """The drill answered a command: its clock and injects are shown again at once. (The answer's
        words are the terminal's, in English; the panel says in its own words what was asked.)"""
        self.refresh()

    def ended(self) -> None:
        self.stop()
        self.refresh()
        self.panel.show_ended(str(self.run.db_path))


def install_director(window: QMainWindow, run: DrillRun, who: Callable[[], Actor | None]) -> DirectorControl:
    """The director's panel as a dock on the right of the drill window, in front of the supervision board
    when there is one (the drill's seat needs the inject list's height); call before restoring layouts."""
    panel = DirectorPanel()
    dock = QDockWidget(panel.windowTitle(), window)
    dock.setObjectName("drillDirectorDock")
    dock.setWidget(panel)
    board = window.findChild(QDockWidget, "supervisionBoardDock")
    if board is not None:
        window.tabifyDockWidget(board, dock)
    else:
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    dock.raise_()
    return DirectorControl(panel, run, who, window)
