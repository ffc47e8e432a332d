"""The evaluator's dock: a note on an inject or a case, a rating per objective and the improvement plan, all
by keyboard, kept in the drill store through the loop and shown by the review."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QMainWindow, QTableWidget
from pytestqt.qtbot import QtBot

from app.drill.evaluation import EvaluatorControl, install_evaluator
from core.clock import ManualClock
from dispatch.atlas import load_atlas
from dispatch.casework.model import Actor, Role
from dispatch.casework.policy_file import default_policy_path, load_policy
from dispatch.drill import parse_scenario
from dispatch.drill.evaluation import read_evaluation
from dispatch.drill.evaluation_model import PlanRow
from dispatch.drill.review import read_review
from dispatch.drill.review_model import Rating
from dispatch.drill.scenario_atlas import atlas_directory
from dispatch.service import LocalLoop
from sim.drill.runner import DrillOptions, DrillRun
from widgets.drill.review_report import ReviewReport

SCENARIO = """\
drill: 评估演练
form: tabletop
scope: single
atlas: demo
area: "339901"
duration: 30m
objectives:
  - {id: O1, text: 积水立案}
  - {id: O2, text: 派遣抢险}
injects:
  - id: I1
    at: 1m
    event: {source: iot, category: waterlogging, title: 隧道积水, severity: 2, where: 解放路下穿延安路隧道}
"""
LEAD = Actor("lead", Role.SHIFT_LEAD, "李明")


@pytest.fixture
def evaluator(
    qtbot: QtBot, tmp_path: Path
) -> Iterator[tuple[EvaluatorControl, DrillRun, LocalLoop, ManualClock]]:
    scenario = parse_scenario(SCENARIO, "eval.yaml")
    wall = ManualClock()
    options = DrillOptions(
        speed=10, headless=False, wall=wall, announce=lambda _: None, director=asyncio.Queue()
    )
    db = tmp_path / "drill.sqlite3"
    run = DrillRun(scenario, load_atlas(atlas_directory(scenario)), db, options)
    loop = LocalLoop(db, load_policy(default_policy_path()), run.clock, exercise_store=True)
    window = QMainWindow()
    qtbot.addWidget(window)
    control = install_evaluator(window, run, loop, lambda: LEAD, lambda inject: inject.id, None)
    window.resize(900, 700)
    window.show()
    control.refresh()
    try:
        yield control, run, loop, wall
    finally:
        loop.close()
        asyncio.run(run.close())


def _stored(run: DrillRun):  # type: ignore[no-untyped-def]
    conn = sqlite3.connect(run.db_path)
    try:
        return read_evaluation(conn, run.record.run)
    finally:
        conn.close()


def _editors(table: QTableWidget) -> list[QLineEdit]:
    return [e for e in table.findChildren(QLineEdit) if e.isVisible()]


def _editor(table: QTableWidget) -> QLineEdit:
    """The cell editor open in `table` (offscreen the window is never active, so focus cannot say)."""
    editors = _editors(table)
    assert len(editors) == 1, "a cell should be open for typing"
    return editors[0]


def test_a_note_on_an_inject_is_kept_with_who_and_the_exercise_time(
    qtbot: QtBot, evaluator: tuple[EvaluatorControl, DrillRun, LocalLoop, ManualClock]
) -> None:
    control, run, _, wall = evaluator
    panel = control.panel
    qtbot.waitUntil(lambda: panel.about.count() == 2)  # the drill as a whole, I1
    wall.advance(12)  # two minutes of the drill at 10x
    panel.about.setFocus()
    qtbot.keyClick(panel.about, Qt.Key.Key_Down)
    assert panel.target() == ("I1", "")
    # A new case in the list (the drill's cases come and go) leaves the choice where it was.
    panel.show_targets([("I1", "隧道积水")], [("20260101-1", "隧道积水")])
    assert panel.target() == ("I1", "")
    panel.note.setFocus()
    # Typed keys (QTest types Latin keys; Chinese comes from an input method, inserted here as it would).
    qtbot.keyClicks(panel.note, "caller address unclear ")
    panel.note.insertPlainText("接警员复述地址不清")
    qtbot.keyClick(panel.note, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: panel.notes.rowCount() == 1)
    assert panel.note.toPlainText() == ""  # ready for the next
    assert [panel.notes.item(0, c).text() for c in range(4)] == [
        "+0:02:00",
        "I1",
        "李明",
        "caller address unclear 接警员复述地址不清",
    ]
    (note,) = _stored(run).notes
    assert (note.inject, note.case_code, note.by, note.scenario_s) == ("I1", "", "李明", 120.0)
    assert note.at == run.clock.origin + 120.0


def test_an_empty_note_is_not_sent(
    qtbot: QtBot, evaluator: tuple[EvaluatorControl, DrillRun, LocalLoop, ManualClock]
) -> None:
    control, run, _, _ = evaluator
    panel = control.panel
    with qtbot.assertNotEmitted(panel.note_requested):
        qtbot.keyClicks(panel.note, "   ")
        qtbot.mouseClick(panel.add_note, Qt.MouseButton.LeftButton)
    assert panel.message.text()
    assert _stored(run).notes == ()


def test_ratings_and_the_plan_are_kept_and_the_review_shows_them(
    qtbot: QtBot, evaluator: tuple[EvaluatorControl, DrillRun, LocalLoop, ManualClock]
) -> None:
    control, run, _, _ = evaluator
    panel = control.panel
    panel.tabs.setCurrentIndex(1)
    combo = panel.rating_boxes["O2"]
    combo.setFocus()
    for _ in range(2):  # not rated → P → S
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: _stored(run).rating_of("O2") is Rating.SOME)
    assert _stored(run).rating_of("O1") is None

    panel.tabs.setCurrentIndex(2)
    qtbot.mouseClick(panel.add_row, Qt.MouseButton.LeftButton)
    # The new row's first cell is open for typing; Enter keeps it, Right and F2 open the owner's cell.
    qtbot.keyClicks(_editor(panel.plan), "Revise the tunnel closure SOP")
    qtbot.keyClick(_editor(panel.plan), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not _editors(panel.plan))
    qtbot.keyClick(panel.plan, Qt.Key.Key_Right)
    qtbot.keyClick(panel.plan, Qt.Key.Key_F2)
    qtbot.keyClicks(_editor(panel.plan), "Traffic police")
    qtbot.keyClick(_editor(panel.plan), Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: _stored(run).plan == (PlanRow("Revise the tunnel closure SOP", "Traffic police", ""),)
    )

    run.record.finish(run.clock.now(), ())
    conn = sqlite3.connect(run.db_path)
    try:
        review = read_review(conn)
    finally:
        conn.close()
    assert review.evaluation is not None
    assert review.evaluation.rating_of("O2") is Rating.SOME
    html = ReviewReport().html(review, "chart.png")
    assert "Revise the tunnel closure SOP" in html
    assert "Traffic police" in html
    assert "S · performed with some challenges" in html or "有一定挑战" in html
