"""The evaluator's dock on the drill window: notes, ratings and the plan, kept in the drill store."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow

from app.shell.change_bus import ChangeBus
from app.shell.gui_call import GuiCall
from dispatch.casework.model import Actor
from dispatch.changes import CasesChanged
from dispatch.drill.evaluation import add_note, rate, read_evaluation, save_plan
from dispatch.drill.evaluation_model import Evaluation, Note, ObjectiveRating, PlanRow
from dispatch.drill.scenario import Inject
from dispatch.service import ClosedLoop, LoopContext
from sim.drill.runner import DrillRun
from widgets.drill.evaluator_panel import EvaluatorPanel, NoteRequest, RatingRequest

# The newest drill cases a note can be about; a drill has a few dozen.
CASES_LISTED = 300
EVALUATOR = "评估员"  # who, when nobody is signed in at the window


class EvaluatorControl(QObject):
    """Writes what the evaluator records through the loop's `write` (its one database thread), signed with
    who is signed in and stamped with the exercise clock, and shows it back once stored."""

    def __init__(
        self, panel: EvaluatorPanel, run: DrillRun, loop: ClosedLoop, who: Callable[[], Actor | None],
        summary: Callable[[Inject], str], parent: QObject,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.panel, self.run, self.loop = panel, run, loop
        self._who = who
        self._gui = GuiCall(self)
        self._injects = [(inject.id, summary(inject)) for inject in run.scenario.injects]
        self._plan_shown = False
        panel.show_objectives(run.scenario.objectives)
        panel.note_requested.connect(self._on_panel_note_requested)
        panel.rating_requested.connect(self._on_panel_rating_requested)
        panel.plan_edited.connect(self._on_panel_plan_edited)

    @property
    def run_id(self) -> int:
        return self.run.record.run

    def refresh(self) -> None:
        """Read the drill's cases and what the evaluator recorded, and show them."""
        run = self.run_id

        def read(ctx: LoopContext) -> tuple[Evaluation, list[tuple[str, str]]]:
            return read_evaluation(ctx.desk.conn, run), _cases(ctx.desk.conn)

        self._gui.when_done(self.loop.query(read), self._on_read, self._on_error)

    def follow(self, bus: ChangeBus) -> None:
        bus.changed.connect(self._on_bus_changed)

    def _on_bus_changed(self, changes: CasesChanged) -> None:
        # A new drill case can be noted on; a hidden panel reads when it is shown.
        if self.panel.isVisible():
            self.refresh()

    def _on_read(self, result: tuple[Evaluation, list[tuple[str, str]]]) -> None:
        evaluation, cases = result
        self.panel.show_targets(self._injects, cases)
        self.panel.show_evaluation(evaluation)
        if not self._plan_shown:  # afterwards the table on screen is the plan being written
            self._plan_shown = True
            if not self.panel.plan_rows():  # rows typed before the first read are not wiped
                self.panel.show_plan(evaluation.plan)

    def _on_error(self, error: BaseException) -> None:
        self.panel.show_message(str(error))

    def _by(self) -> str:
        actor = self._who()
        return EVALUATOR if actor is None else (actor.name or actor.login)

    def _on_panel_note_requested(self, request: NoteRequest) -> None:
        clock, run = self.run.clock, self.run_id
        note = Note(
            clock.monotonic(), clock.now(), self._by(), request.text, request.inject, request.case_code
        )
        future = self.loop.write(lambda ctx: add_note(ctx.desk.conn, run, note))
        self._gui.when_done(future, self._on_note_saved, self._on_error)

    def _on_note_saved(self, _: Note) -> None:
        self.panel.note_saved()
        self.refresh()

    def _on_panel_rating_requested(self, request: RatingRequest) -> None:
        run = self.run_id
        rating = ObjectiveRating(request.objective, request.rating, self._by(), self.run.clock.now())
        future = self.loop.write(lambda ctx: rate(ctx.desk.conn, run, rating))
        self._gui.when_done(future, lambda _: self.refresh(), self._on_error)

    def _on_panel_plan_edited(self, rows: tuple[PlanRow, ...]) -> None:
        run, by, at = self.run_id, self._by(), self.run.clock.now()
        future = self.loop.write(lambda ctx: save_plan(ctx.desk.conn, run, rows, by, at))
        self._gui.when_done(future, lambda _: self.panel.show_message(""), self._on_error)


def _cases(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    rows = conn.execute("SELECT code, title FROM cases ORDER BY id DESC LIMIT ?", (CASES_LISTED,)).fetchall()
    return [(str(code), str(title)) for code, title in reversed(rows)]


def install_evaluator(
    window: QMainWindow, run: DrillRun, loop: ClosedLoop, who: Callable[[], Actor | None],
    summary: Callable[[Inject], str], behind: QDockWidget | None,
) -> EvaluatorControl:  # fmt: skip
    """The evaluator's panel as a dock tabbed with `behind` (the director's), else on the right."""
    panel = EvaluatorPanel()
    dock = QDockWidget(panel.windowTitle(), window)
    dock.setObjectName("drillEvaluatorDock")
    dock.setWidget(panel)
    if behind is not None:
        window.tabifyDockWidget(behind, dock)
    else:
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    control = EvaluatorControl(panel, run, loop, who, summary, window)
    dock.visibilityChanged.connect(lambda visible: control.refresh() if visible else None)
    return control
