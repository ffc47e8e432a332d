"""The supervision board renders groups and countdowns from plain values and asks for 督办 with a note."""

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from dispatch.casework.board import GROUP_ORDER, Board, BoardCase, BoardGroup
from dispatch.casework.model import Card, CaseState
from tests.widgets.duty_values import case as desk_case
from widgets.common.palette import Palette
from widgets.common.vocabulary import Vocabulary
from widgets.shift.shift_words import ShiftWords
from widgets.shift.supervision_board import MESSAGE_MS, SuperviseRequest, SupervisionBoard

NOW = 1_767_603_600.0
NAMES = {"U-FIRE-1": "江汉消防站", "339901": "江汉区"}


def case(case_id: int, group: BoardGroup, remaining_s: float | None, **fields: object) -> BoardCase:
    values: dict[str, object] = {
        "id": case_id, "version": 3, "code": f"20260105-{case_id}", "state": CaseState.DISPATCHED,
        "title": f"火警 {case_id}", "category": "fire_alarm", "severity": 2, "district": "339901",
        "unit": "U-FIRE-1", "group": group, "card": Card.RED_CARD, "manual_card": Card.NONE,
        "handle_due": None if remaining_s is None else NOW + remaining_s, "remaining_s": remaining_s,
        "parked": False,
    }  # fmt: skip
    values.update(fields)
    return BoardCase(**values)  # type: ignore[arg-type]


BOARD = Board(
    NOW,
    (
        case(1, BoardGroup.RED_CARD, -3720),
        case(2, BoardGroup.RED_CARD, -600, parked=True),
        case(3, BoardGroup.YELLOW_CARD, -60, card=Card.YELLOW_CARD),
        case(4, BoardGroup.MANUAL, None, card=Card.RED_CARD, manual_card=Card.RED_CARD, unit=""),
        case(5, BoardGroup.YELLOW_LIGHT, 1500, card=Card.YELLOW_LIGHT),
    ),
    {BoardGroup.RED_CARD: 2, BoardGroup.YELLOW_CARD: 7, BoardGroup.MANUAL: 1, BoardGroup.YELLOW_LIGHT: 1},
)


@pytest.fixture
def board(qtbot: QtBot, palette: Palette, vocabulary: Vocabulary) -> SupervisionBoard:
    made = SupervisionBoard(ShiftWords(), vocabulary, palette, names=NAMES)
    qtbot.addWidget(made)
    made.resize(1100, 600)
    made.show()
    made.show_board(BOARD)
    return made


def rows(board: SupervisionBoard, group: BoardGroup) -> list[list[str]]:
    parent = board.tree.topLevelItem(GROUP_ORDER.index(group))
    return [[parent.child(n).text(c) for c in range(6)] for n in range(parent.childCount())]


def test_cases_appear_in_their_group_with_names_and_time_to_deadline(board: SupervisionBoard) -> None:
    assert [board.tree.topLevelItem(n).text(0) for n in range(4)] == [
        "Red card · 2",
        "Yellow card · 7 (first 1 shown)",
        "Raised by hand · 1",
        "Yellow light · 1",
    ]
    assert rows(board, BoardGroup.RED_CARD) == [
        ["20260105-1", "Overdue 1 h 02 min", "火警 1", "江汉消防站", "Fire alarm", "江汉区"],
        ["20260105-2", "Parked · Overdue 10 min", "火警 2", "江汉消防站", "Fire alarm", "江汉区"],
    ]
    assert rows(board, BoardGroup.MANUAL) == [
        ["20260105-4 ●", "No deadline", "火警 4", "—", "Fire alarm", "江汉区"]
    ]
    assert rows(board, BoardGroup.YELLOW_LIGHT)[0][1] == "25 min left"
    assert board.counts[BoardGroup.YELLOW_CARD].text() == "Yellow card  7"


def test_the_countdown_moves_without_a_new_board_but_a_parked_clock_does_not(board: SupervisionBoard) -> None:
    board.show_time(NOW + 26 * 60)
    assert rows(board, BoardGroup.YELLOW_LIGHT)[0][1] == "Overdue 1 min"
    assert rows(board, BoardGroup.RED_CARD)[0][1] == "Overdue 1 h 28 min"
    assert rows(board, BoardGroup.RED_CARD)[1][1] == "Parked · Overdue 10 min"


def select(board: SupervisionBoard, group: BoardGroup, n: int = 0) -> None:
    board.tree.setCurrentItem(board.tree.topLevelItem(GROUP_ORDER.index(group)).child(n))


def test_supervise_needs_a_case_and_a_note(qtbot: QtBot, board: SupervisionBoard) -> None:
    board.set_can_supervise(True)
    with qtbot.assertNotEmitted(board.supervise_requested):
        qtbot.mouseClick(board.yellow, Qt.MouseButton.LeftButton)
        assert board.message.text() == "Select a case on the board or open one on the desk first."
        select(board, BoardGroup.YELLOW_CARD)
        qtbot.mouseClick(board.red, Qt.MouseButton.LeftButton)
    assert board.message.text() == "Write a note: the unit reads it with the card."
    assert board.message.property("tone") == "error"


def test_a_click_or_a_key_asks_for_the_card_with_the_note(qtbot: QtBot, board: SupervisionBoard) -> None:
    board.set_can_supervise(True)
    select(board, BoardGroup.YELLOW_CARD)
    board.note.setText("  请立即处置  ")
    with qtbot.waitSignal(board.supervise_requested) as yellow:
        qtbot.mouseClick(board.yellow, Qt.MouseButton.LeftButton)
    assert yellow.args == [SuperviseRequest(BOARD.cases[2], Card.YELLOW_CARD, "请立即处置")]
    with qtbot.waitSignal(board.supervise_requested) as red:
        qtbot.keyClick(board.tree, Qt.Key.Key_F8)
    assert red.args[0].card is Card.RED_CARD
    board.show_outcome("Red card raised", ok=True)
    assert board.note.text() == ""
    assert board.message.property("tone") == "ok"


def test_roles_that_may_not_supervise_get_no_buttons(qtbot: QtBot, board: SupervisionBoard) -> None:
    select(board, BoardGroup.RED_CARD)
    board.set_can_supervise(False)
    assert not board.yellow.isEnabled()
    assert not board.note.isEnabled()
    with qtbot.assertNotEmitted(board.supervise_requested):
        qtbot.keyClick(board.tree, Qt.Key.Key_F7)


def test_a_new_board_keeps_the_selection_and_double_click_opens_the_case(
    qtbot: QtBot, board: SupervisionBoard
) -> None:
    select(board, BoardGroup.YELLOW_LIGHT)
    moved = dataclasses.replace(BOARD.cases[4], group=BoardGroup.YELLOW_CARD, version=4)
    board.show_board(Board(NOW + 5, (*BOARD.cases[:4], moved), BOARD.counts))
    selected = board.selected_case()
    assert selected is not None
    assert (selected.id, selected.version) == (5, 4)
    item = board.tree.currentItem()
    with qtbot.waitSignal(board.case_opened) as opened:
        board.tree.itemDoubleClicked.emit(item, 0)
    assert opened.args == [5]


def test_with_nothing_selected_the_keys_act_on_the_case_open_on_the_desk(
    qtbot: QtBot, board: SupervisionBoard
) -> None:
    board.set_can_supervise(True)
    open_case = desk_case(41, version=6, title="解放路积水")
    board.set_open_case(open_case)
    assert board.note.placeholderText() == "Note with the card for 20260105-41 (required)"
    board.note.setText("请加快处置")
    with qtbot.waitSignal(board.supervise_requested) as asked:
        qtbot.keyClick(board.note, Qt.Key.Key_F7)
    assert asked.args == [SuperviseRequest(open_case, Card.YELLOW_CARD, "请加快处置")]
    # A case selected on the board wins over the desk's.
    select(board, BoardGroup.YELLOW_CARD)
    assert BOARD.cases[2].code in board.note.placeholderText()
    with qtbot.waitSignal(board.supervise_requested) as asked:
        qtbot.keyClick(board.tree, Qt.Key.Key_F8)
    assert asked.args[0].case == BOARD.cases[2]


def test_a_message_goes_when_the_target_changes_or_after_a_while(
    qtbot: QtBot, board: SupervisionBoard
) -> None:
    board.set_can_supervise(True)
    board.request(Card.YELLOW_CARD)
    assert board.message.isVisible()
    board.set_open_case(desk_case(41))
    assert not board.message.isVisible(), "the message spoke of no case; now there is one"
    board.show_outcome("Yellow card raised on 20260105-41.", ok=True)
    assert board.message.isVisible()
    board.set_open_case(desk_case(41, version=7))
    assert board.message.isVisible(), "the same case refreshed keeps its message"
    timer = board.message_timer
    assert (timer.isActive(), timer.interval()) == (True, MESSAGE_MS)
    timer.timeout.emit()
    assert not board.message.isVisible()
