"""The wall window on a hand-driven clock: pages rotate, hold while an alarm is up, the picture shifts,
nothing on it can be pressed, and a silent feed says how old the values are."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QFrame,
    QLabel,
    QLineEdit,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.wall.source import WallReading
from dispatch.vitals.rules import AlertRule, RuleKind
from tests.app.wall.walls import T0, level, wall_on
from widgets.wall.case_board import CaseFigures

HIGH = AlertRule("high", "water_level_max", RuleKind.THRESHOLD, 4.0, recovery=3.8, level=2)


def test_pages_rotate_after_their_dwell_and_start_again(qtbot: QtBot, qapp: QApplication) -> None:
    with wall_on(qtbot, qapp) as wall:
        pages = wall.window.pages
        assert pages.currentIndex() == 0
        wall.advance(29)
        assert pages.currentIndex() == 0
        wall.advance(1)
        assert wall.window.current_page().name == "duty"
        wall.advance(44)
        assert pages.currentIndex() == 1
        wall.advance(1)
        assert wall.window.current_page().name == "vitals"


def test_the_carousel_holds_while_an_alarm_is_up_and_then_finishes_the_dwell(
    qtbot: QtBot, qapp: QApplication
) -> None:
    with wall_on(qtbot, qapp, rules=[HIGH]) as wall:
        wall.advance(20)
        wall.readings(level(4.2, wall.clock.now()))
        wall.advance(1)
        assert wall.controller.alarm_up
        # Far past the page's 30 s: the page the room is looking at stays.
        for _ in range(5):
            wall.advance(60)
        assert wall.window.current_page().name == "vitals"
        wall.readings(level(3.5, wall.clock.now()))
        wall.advance(1)
        assert not wall.controller.alarm_up
        # 21 s were shown before the alarm: the page keeps the 9 s it had left, then moves on.
        wall.advance(8)
        assert wall.window.current_page().name == "vitals"
        wall.advance(1)
        assert wall.window.current_page().name == "duty"


def test_the_picture_shifts_every_few_minutes_and_stays_on_the_glass(
    qtbot: QtBot, qapp: QApplication
) -> None:
    with wall_on(qtbot, qapp) as wall:
        stage = wall.window.stage
        first = stage.geometry()
        seen = {first.topLeft().toTuple()}
        for _ in range(9):
            wall.advance(240)
            seen.add(stage.geometry().topLeft().toTuple())
            assert stage.geometry().size() == first.size()
            assert wall.window.rect().contains(stage.geometry())
        # A closed walk: all nine positions, each at most the configured 4 px from the centre.
        assert len(seen) == 9
        xs = [x for x, _ in seen]
        assert max(xs) - min(xs) == 8


def test_the_wall_has_nothing_to_press_or_type_into(qtbot: QtBot, qapp: QApplication) -> None:
    with wall_on(qtbot, qapp) as wall:
        window = wall.window
        for kind in (QAbstractButton, QLineEdit, QTextEdit, QComboBox, QAbstractSpinBox):
            assert window.findChildren(kind) == [], kind.__name__
        # The charts' views own scroll bars, switched off: none may be seen.
        assert [s for s in window.findChildren(QAbstractSlider) if s.isVisibleTo(window)] == []
        for view in window.findChildren(QAbstractItemView):
            assert view.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers
        assert window.actions() == []
        assert all(not child.actions() for child in window.findChildren(QWidget))


def test_a_silent_feed_puts_up_a_banner_and_the_values_keep_their_age(
    qtbot: QtBot, qapp: QApplication
) -> None:
    with wall_on(qtbot, qapp) as wall:
        wall.readings(level(3.1, T0))
        wall.advance(60)
        assert wall.window.banner.isHidden()
        tile = wall.parts.vitals[0].tiles["water_level_max"]
        assert tile.value.text() == "3.10"
        wall.advance(12 * 60)
        assert wall.window.banner.isVisible()
        assert "13 min old" in wall.window.banner.text()
        assert tile.value.text() == "3.10"
        assert tile.value.property("stale") == "true"
        wall.readings(level(3.2, wall.clock.now()))
        wall.advance(1)
        assert wall.window.banner.isHidden()
        assert tile.value.property("stale") == "false"


def test_the_case_board_names_districts_and_writes_each_level(qtbot: QtBot, qapp: QApplication) -> None:
    with wall_on(qtbot, qapp, districts={"339901": "江汉区"}) as wall:
        figures = CaseFigures((1, 0, 5, 9), (("339901", 4), ("339999", 2)), 3, 1)
        wall.controller.apply(WallReading((), figures, (), (), (), None))
        board = wall.parts.boards[0]
        assert [chip.text() for chip in board.levels] == [
            "Level I 1",
            "Level II 0",
            "Level III 5",
            "Level IV 9",
        ]
        assert [row.text() for row in board.districts[:2]] == ["江汉区 4", "339999 2"]
        assert board.overdue.text() == "Overdue 3"
        assert board.overdue.property("alarm") == "true"


SPLICED = """\
canvas: {size: 5760x2160, seams: 3x2, bezel_px: 12}
burn_in: {every: 4 minutes, shift_px: 4}
pages:
  - name: wide
    grid: 6x2
    dwell: 30 seconds
    panels:
      - {kind: vitals, at: [0, 0], span: [2, 1], metrics: [water_level_max, aqi]}
      - {kind: map, at: [2, 0], span: [4, 2]}
      - {kind: roster, at: [0, 1]}
      - {kind: warnings, at: [1, 1]}
"""


def test_on_a_spliced_wall_nothing_is_drawn_across_a_seam(qtbot: QtBot, qapp: QApplication) -> None:
    with wall_on(qtbot, qapp, SPLICED, size=(5760, 2160)) as wall:
        wall.readings(level(3.1, T0))
        window = wall.window
        xs, ys = window.seams()
        assert (xs, ys) == ((1920, 3840), (1080,))
        bands = [QRect(x - 6, 0, 12, 2160) for x in xs] + [QRect(0, y - 6, 5760, 12) for y in ys]
        for _ in range(9):
            wall.advance(240)
            page = window.current_page()
            drawn = [page.title, *page.findChildren(QLabel), *page.findChildren(QFrame)]
            # The map is one picture across the splice (the pages file allows it alone to span seams).
            drawn = [w for w in drawn if not _on_map(w)]
            for widget in drawn:
                if not widget.isVisibleTo(window) or widget is page:
                    continue
                box = widget.rect()
                if isinstance(widget, QLabel):
                    # A label's text, where its alignment draws it (its box may be wider).
                    flags = int(widget.alignment()) | (Qt.TextFlag.TextWordWrap if widget.wordWrap() else 0)
                    box = widget.fontMetrics().boundingRect(widget.contentsRect(), flags, widget.text())
                # Only what is painted: a child is clipped to its parents.
                box = box.intersected(widget.visibleRegion().boundingRect())
                box = box.translated(widget.mapTo(window, QPoint(0, 0)))
                assert not any(box.intersects(band) for band in bands), (widget.objectName(), box)


def _on_map(widget: QWidget) -> bool:
    """The map, anything on it, and the frame it sits in."""
    if widget.findChild(QWidget, "situationMap") is not None:
        return True
    while widget is not None:
        if widget.objectName() == "situationMap":
            return True
        widget = widget.parentWidget()
    return False
