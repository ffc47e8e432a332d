"""The incident queue widget: shows exactly the page it is given, asks for pages when filters, search, sort
or page change, and moves through cases from the keyboard."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.shell.theme import apply_theme
from dispatch.casework.model import OPEN_STATES, Card, CaseState
from dispatch.casework.readouts import PAGE_SIZE, PageRequest, QueueQuery, SortKey
from tests.widgets.duty_values import NOW, page, row
from widgets.common.palette import Palette
from widgets.common.vocabulary import Vocabulary
from widgets.desk.case_words import CaseWords
from widgets.desk.incident_model import QueueColumn, QueueRole
from widgets.desk.incident_queue import IncidentQueue

S = CaseState


@pytest.fixture
def queue(qtbot: QtBot, qapp: QApplication, vocabulary: Vocabulary) -> Iterator[IncidentQueue]:
    palette: Palette = apply_theme(qapp)
    widget = IncidentQueue(CaseWords(), vocabulary, palette)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    qapp.setStyleSheet("")


def type_chinese(widget: QWidget, text: str) -> None:
    """What an input method does when the officer picks the characters: one commit of the whole word."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def cell(
    queue: IncidentQueue, r: int, column: QueueColumn, role: int = Qt.ItemDataRole.DisplayRole
) -> object:
    return queue.model.data(queue.model.index(r, column), role)


def test_the_table_shows_exactly_the_page_it_is_given(queue: IncidentQueue) -> None:
    queue.set_choices(["manhole_cover"], {"339901": "钟楼区"}, ["grid"])
    queue.tick(NOW)
    rows = [
        row(1, severity=1, acknowledged=False),
        row(2, state=S.DISPATCHED, due=NOW - 120, handle_due=NOW - 120, unit="U-1", card=Card.RED_CARD),
        row(3, state=S.SIGNED, due=NOW + 600, card=Card.YELLOW_CARD, parked=True),
    ]
    queue.show_page(page(rows, total=250, exact=False))
    model = queue.model
    assert model.rowCount() == 3
    assert model.rows == tuple(rows)
    assert cell(queue, 0, QueueColumn.CODE) == "20260105-1"
    assert cell(queue, 0, QueueColumn.STATE) == "Discovered"
    assert cell(queue, 0, QueueColumn.TITLE) == "人民路井盖缺失1"
    assert str(cell(queue, 0, QueueColumn.TITLE, QueueRole.SUBTITLE)).startswith("钟楼区 · 人民路1号")
    assert cell(queue, 0, QueueColumn.DUE) == "0:30 left"
    assert cell(queue, 1, QueueColumn.DUE) == "0:02 over"
    assert cell(queue, 2, QueueColumn.DUE) == "paused"
    assert cell(queue, 0, QueueColumn.LEVEL, QueueRole.CHIP) == ("Level I", "sev1", "sev1_text")
    assert cell(queue, 1, QueueColumn.CARD, QueueRole.CHIP) == ("Red card", "card_red", "card_red_text")
    assert [cell(queue, r, QueueColumn.TITLE, QueueRole.ALERT) for r in range(3)] == ["", "alarm", "warning"]
    assert queue.position.text() == "1–3 of 250+"
    assert queue.next_page.isEnabled()
    assert not queue.previous_page.isEnabled()


def test_countdowns_move_with_the_clock_without_a_new_page(queue: IncidentQueue) -> None:
    queue.tick(NOW)
    queue.show_page(page([row(1, due=NOW + 90)]))
    assert cell(queue, 0, QueueColumn.DUE) == "0:01 left"
    queue.tick(NOW + 120)
    assert cell(queue, 0, QueueColumn.DUE) == "0:00 over"
    assert cell(queue, 0, QueueColumn.TITLE, QueueRole.ALERT) == "alarm"
    queue.tick(NOW + 2 * 86400)
    assert cell(queue, 0, QueueColumn.DUE) == "1 d 23:58 over"


def test_a_page_for_an_older_request_is_ignored(queue: IncidentQueue) -> None:
    queue.show_page(page([row(1)]))
    queue.filters.overdue.setChecked(True)
    queue.show_page(page([row(2)]))
    assert [r.id for r in queue.model.rows] == [1]
    queue.show_page(page([row(3)], QueueQuery(overdue_only=True)))
    assert [r.id for r in queue.model.rows] == [3]


def test_each_filter_asks_for_the_first_page_of_its_query(qtbot: QtBot, queue: IncidentQueue) -> None:
    queue.set_choices(
        ["manhole_cover", "fire_alarm"], {"339901": "钟楼区", "339902": "北辰区"}, ["grid", "iot"]
    )
    with qtbot.waitSignal(queue.page_requested) as asked:
        queue.filters.scope.setCurrentIndex(queue.filters.scope.findData("triage"))
    assert asked.args[0] == PageRequest(
        QueueQuery(states=frozenset({S.DISCOVERED, S.VERIFYING})), 0, PAGE_SIZE
    )
    with qtbot.waitSignal(queue.page_requested) as asked:
        queue.filters.level.setCurrentIndex(1)
    assert asked.args[0].query.severities == {1, 2}
    with qtbot.waitSignal(queue.page_requested) as asked:
        queue.filters.district.setCurrentIndex(2)
    assert asked.args[0].query.districts == {"339902"}
    with qtbot.waitSignal(queue.page_requested) as asked:
        queue.filters.category.setCurrentIndex(2)
    assert asked.args[0].query.categories == {"fire_alarm"}
    with qtbot.waitSignal(queue.page_requested) as asked:
        queue.filters.source.setCurrentIndex(1)
    assert asked.args[0].query.sources == {"grid"}
    for toggle, field in (
        (queue.filters.overdue, "overdue_only"),
        (queue.filters.carded, "carded_only"),
        (queue.filters.exercise, "exercise"),
    ):
        with qtbot.waitSignal(queue.page_requested) as asked:
            toggle.click()
        assert getattr(asked.args[0].query, field) is True
    queue.filters.scope.setCurrentIndex(queue.filters.scope.findData("all"))
    assert queue.query().states == frozenset()


def test_headers_sort_in_sql_and_a_second_click_flips(qtbot: QtBot, queue: IncidentQueue) -> None:
    header = queue.table.horizontalHeader()
    with qtbot.waitSignal(queue.page_requested) as asked:
        header.sectionClicked.emit(QueueColumn.DUE)
    assert (asked.args[0].query.sort, asked.args[0].query.descending) == (SortKey.DUE, False)
    with qtbot.waitSignal(queue.page_requested) as asked:
        header.sectionClicked.emit(QueueColumn.DUE)
    assert (asked.args[0].query.sort, asked.args[0].query.descending) == (SortKey.DUE, True)
    assert header.sortIndicatorSection() == QueueColumn.DUE
    assert queue.model.rowCount() == 0, "the widget never sorts rows itself"


def test_search_waits_for_typing_to_pause_and_lists_newest_first(qtbot: QtBot, queue: IncidentQueue) -> None:
    requests: list[PageRequest] = []
    queue.page_requested.connect(requests.append)
    queue.focus_search()
    with qtbot.waitSignal(queue.page_requested, timeout=2000) as asked:
        type_chinese(queue.filters.search, "井盖")
    assert len(requests) == 1, "one request once typing stops, not one per key"
    assert (asked.args[0].query.text, asked.args[0].query.sort) == ("井盖", SortKey.CODE)
    with qtbot.waitSignal(queue.page_requested, timeout=2000) as asked:
        queue.filters.search.clear()
        queue.filters.search.textEdited.emit("")
    assert (asked.args[0].query.text, asked.args[0].query.sort) == ("", SortKey.SEVERITY)


def test_enter_in_the_search_box_asks_at_once_and_goes_to_the_table(
    qtbot: QtBot, queue: IncidentQueue
) -> None:
    queue.focus_search()
    type_chinese(queue.filters.search, "积水")
    with qtbot.waitSignal(queue.page_requested, timeout=100) as asked:
        QTest.keyClick(queue.filters.search, Qt.Key.Key_Return)
    assert asked.args[0].query.text == "积水"
    assert queue.table.hasFocus()


def test_the_pager_walks_pages_and_stops_at_the_ends(qtbot: QtBot, queue: IncidentQueue) -> None:
    rows = [row(n) for n in range(1, PAGE_SIZE + 1)]
    queue.show_page(page(rows, total=150))
    with qtbot.waitSignal(queue.page_requested) as asked:
        queue.next_page.click()
    assert asked.args[0].offset == PAGE_SIZE
    queue.show_page(page([row(n) for n in range(101, 151)], total=150, offset=PAGE_SIZE))
    assert queue.position.text() == "101–150 of 150"
    assert not queue.next_page.isEnabled()
    with qtbot.assertNotEmitted(queue.page_requested):
        queue.show_next_page()
    with qtbot.waitSignal(queue.page_requested) as asked:
        queue.show_previous_page()
    assert asked.args[0].offset == 0


def test_keys_move_through_cases_and_enter_opens_one(qtbot: QtBot, queue: IncidentQueue) -> None:
    queue.show_page(page([row(1), row(2), row(3)]))
    assert queue.selected_row() == row(1), "the first case is highlighted when a page arrives"
    queue.focus_table()
    with qtbot.waitSignal(queue.case_selected) as selected:
        QTest.keyClick(queue.table, Qt.Key.Key_J)
    assert selected.args == [2]
    QTest.keyClick(queue.table, Qt.Key.Key_J)
    QTest.keyClick(queue.table, Qt.Key.Key_J)
    assert queue.selected_row() == row(3)
    with qtbot.waitSignal(queue.case_selected) as selected:
        QTest.keyClick(queue.table, Qt.Key.Key_K)
    assert selected.args == [2]
    with qtbot.waitSignal(queue.case_activated) as opened:
        QTest.keyClick(queue.table, Qt.Key.Key_Return)
    assert opened.args == [2]


def test_the_highlighted_case_stays_highlighted_when_the_page_refreshes(
    qtbot: QtBot, queue: IncidentQueue
) -> None:
    queue.show_page(page([row(1), row(2), row(3)]))
    queue.select_case(3)
    with qtbot.assertNotEmitted(queue.case_selected):
        queue.show_page(page([row(3, version=2), row(1), row(2)]))
    assert queue.selected_row() == row(3, version=2)


def test_a_case_that_leaves_the_page_stays_the_officers_case(qtbot: QtBot, queue: IncidentQueue) -> None:
    # Regression: when new cases pushed the officer's case off the first page, the queue highlighted
    # the top row instead, and the case panel switched to a case nobody had picked.
    queue.show_page(page([row(1), row(2), row(3)]))
    queue.select_case(3)
    with qtbot.assertNotEmitted(queue.case_selected):
        queue.show_page(page([row(4), row(1), row(2)]))
        # Keys come back to the queue after every action: Qt's focus must not pick its top row either.
        queue.focus_table()
        queue.show_page(page([]))
    assert queue.selected_row() is None
    assert queue.position.text() == "No cases"
    # Back on the page, it is highlighted again; J picks the top row as usual.
    queue.show_page(page([row(1), row(3)]))
    assert queue.selected_row() == row(3)
    queue.show_page(page([row(1), row(2)]))
    with qtbot.waitSignal(queue.case_selected) as selected:
        queue.move_selection(1)
    assert selected.args == [1]


def test_new_cases_wait_behind_a_bar_until_the_officer_lets_them_in(
    qtbot: QtBot, queue: IncidentQueue
) -> None:
    assert queue.request().up_to is None, "before any page the queue asks for everything"
    queue.show_page(page([row(1), row(2)], latest=2))
    assert queue.request().up_to == 2, "once a page is shown, the next read stops at its newest case"
    assert not queue.newer.isVisible()
    queue.show_page(page([row(1), row(2)], latest=2, newer=3))
    assert queue.newer.isVisible()
    assert queue.newer.text() == "▲ 3 new cases (N)"
    queue.show_page(page([row(1), row(2)], latest=2, newer=1000))
    assert queue.newer.text() == "▲ 999+ new cases (N)"
    queue.focus_table()
    with qtbot.waitSignal(queue.page_requested) as asked:
        QTest.keyClick(queue.table, Qt.Key.Key_N)
    assert asked.args[0].up_to is None
    queue.show_page(page([row(5), row(1), row(2)], latest=5))
    assert not queue.newer.isVisible()
    # Changing the view lets the new cases in too: the officer asked for a different list.
    with qtbot.waitSignal(queue.page_requested) as asked:
        queue.filters.overdue.click()
    assert asked.args[0].up_to is None


def test_an_empty_list_takes_new_cases_in_as_they_come(queue: IncidentQueue) -> None:
    # Regression: a console signed in on an empty store held at "no cases", and every case that came
    # waited behind the bar.
    queue.show_page(page([], latest=0))
    assert queue.request().up_to is None
    queue.show_page(page([row(1)], latest=1))
    assert queue.request().up_to == 1


def test_open_cases_are_the_default_scope(queue: IncidentQueue) -> None:
    assert queue.query() == QueueQuery(states=OPEN_STATES)
