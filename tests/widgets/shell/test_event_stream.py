"""EventStreamPanel: live batches, hidden-panel buffering, and painting the chips."""

from __future__ import annotations

from PySide6.QtGui import QPalette
from pytestqt.qtbot import QtBot

from tests.widgets.conftest import stored
from widgets.common.palette import Palette
from widgets.common.vocabulary import Vocabulary
from widgets.shell.event_model import EventColumn
from widgets.shell.event_stream import EventStreamPanel


def test_a_shown_panel_applies_batches_at_once(
    qtbot: QtBot, vocabulary: Vocabulary, palette: Palette
) -> None:
    panel = EventStreamPanel(vocabulary, palette)
    qtbot.addWidget(panel)
    panel.show()

    panel.prefill([stored(1), stored(2)])
    panel.apply([stored(3, severity=1, revision=2), stored(4, exercise=True, cancelled=True)])

    assert [panel.model.event_at(r).event_id for r in range(4)] == ["e4", "e3", "e2", "e1"]
    image = panel.grab().toImage()
    assert not image.isNull()


def test_a_hidden_panel_keeps_only_the_newest_until_shown(
    qtbot: QtBot, vocabulary: Vocabulary, palette: Palette
) -> None:
    panel = EventStreamPanel(vocabulary, palette, capacity=3)
    qtbot.addWidget(panel)

    panel.apply([stored(n) for n in range(5)])
    panel.apply([stored(5)])
    assert panel.model.rowCount() == 0

    panel.show()
    assert [panel.model.event_at(r).event_id for r in range(3)] == ["e5", "e4", "e3"]


def test_a_reader_scrolled_down_keeps_their_place(
    qtbot: QtBot, vocabulary: Vocabulary, palette: Palette
) -> None:
    panel = EventStreamPanel(vocabulary, palette)
    qtbot.addWidget(panel)
    panel.resize(900, 400)
    panel.show()
    panel.apply([stored(n) for n in range(200)])
    bar = panel.table.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    bar.setValue(bar.maximum() // 2)
    reading = panel.table.rowAt(0)
    assert panel.model.event_at(reading).event_id != "e199"
    watched = panel.model.event_at(reading).event_id

    panel.apply([stored(n) for n in range(200, 205)])

    assert panel.model.event_at(panel.table.rowAt(0)).event_id == watched


def test_cells_are_painted_in_theme_colours(qtbot: QtBot, vocabulary: Vocabulary, palette: Palette) -> None:
    panel = EventStreamPanel(vocabulary, palette)
    qtbot.addWidget(panel)
    panel.resize(1200, 400)
    panel.show()
    panel.apply([stored(0), stored(1), stored(2, severity=1), stored(3, exercise=True)])
    table = panel.table
    height = table.rowHeight(0)

    def pixels(column: EventColumn, y_in_row: int) -> list[str]:
        table.doItemsLayout()
        image = table.viewport().grab().toImage()
        # The right edge of the cell: past any text, so only background and rule are there.
        x = table.columnViewportPosition(column) + table.columnWidth(column) - 2
        return [image.pixelColor(x, table.rowViewportPosition(r) + y_in_row).name() for r in range(4)]

    table.selectRow(2)
    # Without the application's style sheet (as here) the table's own background shows behind plain rows.
    plain = table.palette().color(QPalette.ColorRole.Base).name()
    rows = [palette.hex("exercise_row"), palette.hex("sev1_row"), palette.hex("selection"), plain]
    # Title cells are drawn in place; source cells come from the copies of cells already drawn.
    assert pixels(EventColumn.TITLE, height // 2) == rows
    assert pixels(EventColumn.SOURCE, height // 2) == rows
    assert pixels(EventColumn.SOURCE, height - 1) == [palette.hex("border")] * 4

    table.selectRow(1)
    assert pixels(EventColumn.SOURCE, height // 2) == [
        palette.hex("exercise_row"),
        palette.hex("selection"),
        plain,
        plain,
    ]
