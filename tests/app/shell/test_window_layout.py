"""The window as a duty officer meets it: at 1920×1080 whole case codes, titles, deadlines and timeline rows
(measured with the fonts the views draw with); at 1366×768 every panel at least as wide as it needs; the
first start fills the screen; a layout is kept per screen size."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, QSettings, QSize, Qt
from PySide6.QtGui import QFontMetrics, QGuiApplication
from PySide6.QtWidgets import QApplication, QDockWidget, QTableView
from pytestqt.qtbot import QtBot

from app.shell.main_window import LAYOUT_VERSION, MainWindow, layout_keys
from app.shell.theme import apply_theme
from dispatch.casework.model import Action, Card, CaseState, Role
from tests.app.consoles import bare_console
from tests.widgets.duty_values import NOW as T0
from tests.widgets.duty_values import audit, case, case_file, page, row
from widgets.desk.duty_desk import DutyDesk
from widgets.desk.incident_model import QueueColumn
from widgets.desk.queue_delegate import CELL_PAD

S = CaseState
CODE = "20261207-138456"
# Twenty ideographs (counted in test_the_sample_title_has_twenty_characters), as long as sensor titles get.
TITLE = "人民路与解放路交叉口地下通道严重积水报警"


def test_the_sample_title_has_twenty_characters() -> None:
    assert len(TITLE) == 20


@dataclass
class Console:
    window: MainWindow
    desk: DutyDesk
    language: str


@pytest.fixture(params=["en", "zh_CN"])
def console(
    request: pytest.FixtureRequest, qtbot: QtBot, qapp: QApplication, tmp_path: Path
) -> Iterator[Console]:
    with bare_console(qtbot, qapp, tmp_path, request.param) as bare:
        yield Console(bare.window, bare.desk, request.param)


def busy_desk(desk: DutyDesk) -> None:
    """A page of long titles and six-digit codes, a long severe alert, and a case with a long history."""
    desk.queue.show_page(
        page([row(n, code=CODE, title=TITLE, due=T0 + 9 * 3600) for n in range(1, 31)], desk.queue.query())
    )
    desk.queue.tick(T0)
    desk.banner.show_alerts((row(1, severity=1, title=TITLE * 3, acknowledged=False),))
    shown = case(code=CODE, title=TITLE, state=S.DISPATCHED, card=Card.YELLOW_CARD, unit="U-CITY-SW",
                 sign_due=T0 + 9 * 3600, register_due=T0 - 60)  # fmt: skip
    full = case_file(shown)
    steps = (
        (Action.REGISTER, S.DISCOVERED, S.REGISTERED, "li", Role.SHIFT_LEAD),
        (Action.DISPATCH, S.REGISTERED, S.DISPATCHED, "wangfang", Role.DISPATCHER),
        (Action.SUPERVISE, S.DISPATCHED, S.DISPATCHED, "zhao", Role.SUPERVISOR),
    )
    rows = tuple(
        audit(10 + n, shown.id, action, before, after, actor=actor, role=role, reason="到场核实后处置")
        for n, (action, before, after, actor, role) in enumerate(steps)
    )
    desk.panel.set_names({"U-CITY-SW": "城西市政养护所", "wangfang": "王芳", "zhao": "赵督办"})
    desk.panel.set_role(Role.SHIFT_LEAD)
    desk.panel.show_file(dataclasses.replace(full, timeline=full.timeline + rows))
    desk.panel.tick(T0)


def show_at(qtbot: QtBot, qapp: QApplication, console: Console, size: QSize) -> None:
    busy_desk(console.desk)
    console.window.resize(size)
    console.window.show()
    qtbot.waitExposed(console.window)
    qapp.processEvents()


def whole_in_cell(table: QTableView, column: int, text: str) -> bool:
    """Whether the view draws `text` unelided in `column`: the cell's width less its padding, with the
    font the table paints in."""
    room = table.columnWidth(column) - 2 * CELL_PAD
    metrics = QFontMetrics(table.font())
    return metrics.elidedText(text, Qt.TextElideMode.ElideRight, room) == text


def test_a_1920_console_shows_whole_codes_titles_and_deadlines(
    qtbot: QtBot, qapp: QApplication, console: Console
) -> None:
    show_at(qtbot, qapp, console, QSize(1920, 1080))
    queue = console.desk.queue
    table = queue.table
    assert not table.isColumnHidden(QueueColumn.CODE)
    assert whole_in_cell(table, QueueColumn.CODE, CODE)
    assert whole_in_cell(table, QueueColumn.TITLE, TITLE)
    due = queue.model.index(0, QueueColumn.DUE).data()
    assert due
    assert whole_in_cell(table, QueueColumn.DUE, str(due))
    # No column pushes the table into scrolling sideways.
    assert table.horizontalScrollBar().maximum() == 0


def test_a_1920_console_shows_the_case_without_scrolling_across(
    qtbot: QtBot, qapp: QApplication, console: Console
) -> None:
    show_at(qtbot, qapp, console, QSize(1920, 1080))
    panel = console.desk.panel
    scroll = panel.case_scroll
    assert panel.body.width() <= scroll.viewport().width()
    overview = panel.tabs.widget(0)
    assert overview.horizontalScrollBar().maximum() == 0  # type: ignore[attr-defined]
    for label, when, left in panel.clock_rows.values():
        for cell in (label, when, left):
            assert cell.width() >= cell.sizeHint().width(), cell.text()
    panel.tabs.setCurrentWidget(panel.timeline)
    qapp.processEvents()
    timeline = panel.timeline
    assert timeline.rowCount() >= 5
    # Time and By hold their widest entries whole ("王芳 · 派遣员") and in view; action and state share
    # what is left, elided with the whole text as tooltip.
    for column in (0, 3):
        assert timeline.columnWidth(column) >= timeline.sizeHintForColumn(column)
    by = timeline.columnViewportPosition(3) + timeline.columnWidth(3)
    assert by <= timeline.viewport().width()
    assert timeline.item(0, 1).toolTip() == timeline.item(0, 1).text()  # type: ignore[union-attr]


def test_a_1920_console_shows_the_city_map_beside_the_queue(
    qtbot: QtBot, qapp: QApplication, console: Console
) -> None:
    """Where a case is, without a click: the map is in front at the head of the right column, as wide as
    the column and taller than a third of the window."""
    show_at(qtbot, qapp, console, QSize(1920, 1080))
    window, queue = console.window, console.desk.queue
    dock = window.map_dock
    assert dock is not None
    assert not dock.visibleRegion().isEmpty()
    assert not queue.visibleRegion().isEmpty()
    at = dock.mapTo(window, dock.rect().topLeft())
    assert at.x() >= queue.mapTo(window, queue.rect().topRight()).x()  # beside the queue, on its right
    assert dock.width() >= 560
    assert dock.height() >= 1080 // 3


def test_a_1366_laptop_keeps_every_panel_usable(qtbot: QtBot, qapp: QApplication, console: Console) -> None:
    show_at(qtbot, qapp, console, QSize(1366, 768))
    window, desk = console.window, console.desk
    assert window.size() == QSize(1366, 768)
    for dock in window.findChildren(QDockWidget):
        if not dock.visibleRegion().isEmpty():
            assert dock.width() >= dock.minimumSizeHint().width(), dock.objectName()
    assert desk.queue.width() >= desk.queue.minimumSizeHint().width()
    assert desk.panel.width() >= desk.panel.minimumSizeHint().width()
    # Codes stay whole on a laptop too; in Chinese (the shipped language, with short state words) the
    # queue never scrolls sideways and a title keeps eight characters beside them.
    table = desk.queue.table
    assert whole_in_cell(table, QueueColumn.CODE, CODE)
    if console.language == "zh_CN":
        assert table.horizontalScrollBar().maximum() == 0
        assert table.columnWidth(QueueColumn.TITLE) >= 8 * QFontMetrics(table.font()).horizontalAdvance("中")
    assert desk.panel.case_scroll.horizontalScrollBar().maximum() == 0


def test_the_first_start_fills_its_screen(qtbot: QtBot, qapp: QApplication, tmp_path: Path) -> None:
    window = MainWindow(
        palette=apply_theme(qapp), settings=QSettings(str(tmp_path / "new.ini"), QSettings.Format.IniFormat)
    )
    qtbot.addWidget(window)
    assert not window.restore_layout()
    window.show()
    qtbot.waitExposed(window)
    assert window.isMaximized()
    qtbot.waitUntil(lambda: window.frameGeometry().size() == window.screen().availableGeometry().size())


def test_a_layout_is_kept_for_the_screen_size_it_was_made_on(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path
) -> None:
    settings = QSettings(str(tmp_path / "layout.ini"), QSettings.Format.IniFormat)
    window = MainWindow(palette=apply_theme(qapp), settings=settings)
    qtbot.addWidget(window)
    window.vitals_dock.hide()
    window.save_layout()
    here = QGuiApplication.primaryScreen().geometry().size()
    assert isinstance(settings.value(layout_keys(here)[1]), QByteArray)

    # The same screen size gets it back …
    again = MainWindow(palette=apply_theme(qapp), settings=settings)
    qtbot.addWidget(again)
    assert again.restore_layout()
    assert again.vitals_dock.isHidden()

    # … a layout made on another screen size is not applied here.
    elsewhere = QSettings(str(tmp_path / "other.ini"), QSettings.Format.IniFormat)
    big = layout_keys(QSize(here.width() * 3, here.height() * 3))
    elsewhere.setValue(big[1], window.saveState(LAYOUT_VERSION))
    other = MainWindow(palette=apply_theme(qapp), settings=elsewhere)
    qtbot.addWidget(other)
    assert not other.restore_layout()
    assert not other.vitals_dock.isHidden()
