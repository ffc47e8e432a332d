"""The board and the handover on a real desk thread and store: 督办 reaches the audit, a stale view is
refused in words, a handover is written, received by the next lead and exported as a PDF."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QMainWindow
from pytestqt.qtbot import QtBot

from app.shell.change_bus import ChangeBus
from app.shell.theme import load_palette
from app.shift.docks import ShiftPanels, install_shift_panels
from app.shift.handover import write_pdf
from app.shift.session import Session
from core.clock import ManualClock
from dispatch.casework.board import GROUP_ORDER, BoardGroup
from dispatch.casework.model import Action, Actor, Card, Role
from dispatch.casework.records import audit
from dispatch.service import LocalLoop, LoopContext
from tests.dispatch.casework.policies import (
    DISPATCHER,
    LEAD,
    MONDAY_9,
    POLICY,
    SUPERVISION,
    VIEWER,
    act,
    new_case,
    open_loop,
)
from widgets.common.vocabulary import Vocabulary
from widgets.shift.handover_panel import HandoverReport
from widgets.shift.shift_words import ShiftWords

NIGHT_LEAD = Actor("zhou", Role.SHIFT_LEAD, "周强")
PEOPLE = {a.login: a for a in (LEAD, NIGHT_LEAD, SUPERVISION, VIEWER, DISPATCHER)}
MINUTE = 60.0


def verify(login: str, password: str) -> concurrent.futures.Future[Actor | None]:
    future: concurrent.futures.Future[Actor | None] = concurrent.futures.Future()
    future.set_result(PEOPLE.get(login) if password == "pass-word" else None)
    return future


@dataclass
class Room:
    window: QMainWindow
    session: Session
    worker: LocalLoop
    panels: ShiftPanels
    clock: ManualClock
    store: Path
    fires: list[int]
    exported: list[Path]

    def sign_in(self, qtbot: QtBot, actor: Actor) -> None:
        form = self.session.overlay.form
        if not self.session.locked:
            self.session.lock()
        form.login.setText(actor.login)
        form.password.setText("pass-word")
        qtbot.mouseClick(form.sign_in, Qt.MouseButton.LeftButton)
        assert self.session.actor == actor


@pytest.fixture
def room(qtbot: QtBot, qapp: QApplication, tmp_path: Path) -> Iterator[Room]:
    store = tmp_path / "store.sqlite3"
    clock = ManualClock(MONDAY_9)
    loop = open_loop(store, clock)
    fires = []
    for n in range(2):
        fire = new_case(loop, f"fire{n}", category="fire_alarm", title=f"仓库火警{n}", lon=114.3 + n / 10)
        act(loop, fire.id, Action.REGISTER, LEAD)
        act(loop, fire.id, Action.DISPATCH, DISPATCHER, unit="U-FIRE-1")
        fires.append(fire.id)
        clock.advance(60 * MINUTE)
    clock.advance(60 * MINUTE)  # the first fire is 180 min in (red), the second 120 (yellow card)
    loop.close()
    worker = LocalLoop(store, POLICY, clock)
    window = QMainWindow()
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.statusBar()
    session = Session(window, ShiftWords(window), verify, monotonic=lambda: 0.0)
    exported = [tmp_path / "handover.pdf"]
    panels = install_shift_panels(
        window,
        worker,
        ChangeBus(worker, window),
        session,
        vocabulary=Vocabulary(window),
        palette=load_palette(),
        ask_path=lambda parent, suggested: exported[0],
    )
    window.show()
    session.start(qapp)
    made = Room(window, session, worker, panels, clock, store, fires, exported)
    yield made
    panels.stop()
    session.stop(qapp)
    worker.close()


def group_codes(room: Room, group: BoardGroup) -> list[str]:
    parent = room.panels.board.tree.topLevelItem(GROUP_ORDER.index(group))
    assert parent is not None
    return [parent.child(n).text(0) for n in range(parent.childCount())]


def test_supervision_raises_a_red_card_from_the_board(qtbot: QtBot, room: Room) -> None:
    board = room.panels.board
    # Nobody signed in yet: nothing is read for a console nobody may look at, nothing can be done.
    assert group_codes(room, BoardGroup.RED_CARD) == []
    assert not board.red.isEnabled()

    room.sign_in(qtbot, SUPERVISION)
    assert board.red.isEnabled()
    qtbot.waitUntil(lambda: len(group_codes(room, BoardGroup.RED_CARD)) == 1, timeout=10_000)
    assert len(group_codes(room, BoardGroup.YELLOW_CARD)) == 1
    yellow_parent = board.tree.topLevelItem(GROUP_ORDER.index(BoardGroup.YELLOW_CARD))
    assert yellow_parent is not None
    board.tree.setCurrentItem(yellow_parent.child(0))
    board.note.setText("一小时内到场")
    with qtbot.waitSignal(room.panels.supervision.supervised, timeout=10_000) as supervised:
        qtbot.mouseClick(board.red, Qt.MouseButton.LeftButton)
    applied = supervised.args[0]
    assert (applied.case.id, applied.case.manual_card) == (room.fires[1], Card.RED_CARD)
    assert board.message.text().endswith(f"raised on {applied.case.code}.")
    assert board.note.text() == ""
    # The board reads again: the case now stands among the red cards (its 督办 is above its timers).
    qtbot.waitUntil(lambda: len(group_codes(room, BoardGroup.MANUAL)) == 1, timeout=10_000)

    def last_row(ctx: LoopContext) -> audit.AuditRow | None:
        return audit.last_change(ctx.desk.conn, room.fires[1])

    row = room.worker.call_blocking(last_row)
    assert row is not None
    assert (row.action, row.actor, row.role, row.reason, row.payload["card"]) == (
        Action.SUPERVISE,
        SUPERVISION.login,
        Role.SUPERVISION,
        "一小时内到场",
        3,
    )


def test_a_case_changed_elsewhere_is_refused_with_who_changed_it(qtbot: QtBot, room: Room) -> None:
    board = room.panels.board
    room.sign_in(qtbot, LEAD)
    qtbot.waitUntil(lambda: len(group_codes(room, BoardGroup.RED_CARD)) == 1, timeout=10_000)
    # Another console signs the case for the unit after this board was read.
    other = open_loop(room.store, room.clock)
    try:
        act(other, room.fires[0], Action.SIGN, DISPATCHER)
    finally:
        other.close()
    red_parent = board.tree.topLevelItem(GROUP_ORDER.index(BoardGroup.RED_CARD))
    assert red_parent is not None
    board.tree.setCurrentItem(red_parent.child(0))
    board.note.setText("催办")
    qtbot.mouseClick(board.yellow, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "was changed by" in board.message.text(), timeout=10_000)
    assert "wang (Dispatcher)" in board.message.text()
    assert board.note.text() == "催办"


def test_f8_from_elsewhere_in_the_window_cards_the_case_open_on_the_desk(qtbot: QtBot, room: Room) -> None:
    board = room.panels.board
    room.sign_in(qtbot, SUPERVISION)
    qtbot.waitUntil(lambda: len(group_codes(room, BoardGroup.YELLOW_CARD)) == 1, timeout=10_000)
    open_case = next(c for c in board._board.cases if c.id == room.fires[1])  # type: ignore[union-attr]
    board.set_open_case(open_case)  # as the duty desk does when it opens a case
    desk = QLineEdit(room.window)
    room.window.setCentralWidget(desk)
    desk.setFocus()
    room.panels.handover_dock.raise_()  # the board is behind another tab
    qtbot.waitUntil(lambda: board.visibleRegion().isEmpty())
    qtbot.keyClick(desk, Qt.Key.Key_F8)
    qtbot.waitUntil(lambda: not board.visibleRegion().isEmpty())  # F8 brings the board forward
    assert board.message.text() == "Write a note: the unit reads it with the card."
    board.note.setText("立即到场")
    with qtbot.waitSignal(room.panels.supervision.supervised, timeout=10_000) as supervised:
        qtbot.keyClick(desk, Qt.Key.Key_F8)
    assert (supervised.args[0].case.id, supervised.args[0].case.manual_card) == (room.fires[1], Card.RED_CARD)


def test_a_viewer_cannot_supervise(qtbot: QtBot, room: Room) -> None:
    room.sign_in(qtbot, VIEWER)
    assert not room.panels.board.red.isEnabled()
    assert room.panels.handover.note.isReadOnly()


def test_a_handover_is_written_received_by_the_next_lead_and_printed(qtbot: QtBot, room: Room) -> None:
    panel = room.panels.handover
    room.sign_in(qtbot, LEAD)
    qtbot.waitUntil(lambda: panel.capture.text().startswith("2 open cases"), timeout=10_000)
    panel.note.setPlainText("仓库火警仍在处置；消防一站在场。")
    qtbot.mouseClick(panel.submit, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.history.count() == 1, timeout=10_000)
    assert panel.message.text() == "Handed over with 2 open cases."
    assert panel.note.toPlainText() == ""
    assert panel.pending.isVisible()
    assert not panel.acknowledge.isEnabled()  # the author does not sign for their own handover
    assert panel.cases.rowCount() == 2
    assert panel.cases.item(0, 2).text() == "Red card"

    qtbot.mouseClick(panel.submit, Qt.MouseButton.LeftButton)  # an empty note is refused in the panel
    assert panel.message.text() == "Write the handover note first."
    panel.note.setPlainText("再交一次")
    qtbot.mouseClick(panel.submit, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: panel.message.text() == "This shift has already been handed over.", timeout=10_000
    )

    room.sign_in(qtbot, NIGHT_LEAD)
    assert panel.acknowledge.isEnabled()
    qtbot.mouseClick(panel.acknowledge, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.pending.isVisible(), timeout=10_000)
    handover = panel.current()
    assert handover is not None
    assert (handover.received_by, handover.author) == ("zhou", "li")

    qtbot.mouseClick(panel.export, Qt.MouseButton.LeftButton)
    pdf = room.exported[0]
    assert pdf.is_file()
    assert pdf.read_bytes().startswith(b"%PDF")
    assert pdf.stat().st_size > 1000
    assert panel.message.text() == f"Saved {pdf}"


def test_the_printed_handover_carries_the_note_and_every_case(
    qtbot: QtBot, room: Room, tmp_path: Path
) -> None:
    panel = room.panels.handover
    room.sign_in(qtbot, LEAD)
    panel.note.setPlainText("第一行\n<第二行> & 结束")
    qtbot.mouseClick(panel.submit, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.history.count() == 1, timeout=10_000)
    handover = panel.current()
    assert handover is not None
    page = HandoverReport(ShiftWords()).html(handover)
    assert "第一行<br>&lt;第二行&gt; &amp; 结束" in page
    for case in handover.open_cases:
        assert case.code in page
        assert case.title in page
    assert "Not yet received" in page
    target = tmp_path / "direct.pdf"
    write_pdf(page, target, "handover")
    assert target.stat().st_size > 1000
