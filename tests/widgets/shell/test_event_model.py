"""EventTableModel: newest on top, bounded, translated words, severe rows highlighted."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTranslator
from PySide6.QtGui import QBrush

from tests.widgets.conftest import stored
from widgets.common.palette import Palette
from widgets.common.vocabulary import Vocabulary
from widgets.shell.event_model import EventColumn, EventRole, EventTableModel


def text(model: EventTableModel, row: int, column: EventColumn) -> str:
    return str(model.data(model.index(row, column), Qt.ItemDataRole.DisplayRole))


def test_a_batch_goes_on_top_with_its_last_event_first(vocabulary: Vocabulary, palette: Palette) -> None:
    model = EventTableModel(vocabulary, palette)
    inserted: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))

    model.prepend([stored(1), stored(2), stored(3)])
    model.prepend([stored(4)])

    assert [model.event_at(r).event_id for r in range(4)] == ["e4", "e3", "e2", "e1"]
    assert inserted == [(0, 2), (0, 0)]
    assert text(model, 0, EventColumn.TITLE) == "积水 4"


def test_rows_are_capped_to_the_newest(vocabulary: Vocabulary, palette: Palette) -> None:
    model = EventTableModel(vocabulary, palette, capacity=5)
    removed: list[tuple[int, int]] = []
    model.rowsRemoved.connect(lambda _parent, first, last: removed.append((first, last)))

    model.prepend([stored(n) for n in range(4)])
    model.prepend([stored(n) for n in range(4, 7)])

    assert model.rowCount() == 5
    assert [model.event_at(r).event_id for r in range(5)] == ["e6", "e5", "e4", "e3", "e2"]
    assert removed == [(2, 3)]

    model.prepend([stored(n) for n in range(100, 112)])
    assert model.rowCount() == 5
    assert model.event_at(0).event_id == "e111"
    assert model.event_at(4).event_id == "e107"


def test_history_fills_below_live_rows_up_to_capacity(vocabulary: Vocabulary, palette: Palette) -> None:
    model = EventTableModel(vocabulary, palette, capacity=4)
    model.prepend([stored(10)])

    model.extend_older([stored(1), stored(3), stored(2)])
    model.extend_older([stored(0)])

    assert [model.event_at(r).event_id for r in range(4)] == ["e10", "e3", "e2", "e1"]


def test_codes_become_words_and_unknown_codes_stay_raw(vocabulary: Vocabulary, palette: Palette) -> None:
    model = EventTableModel(vocabulary, palette)
    model.prepend(
        [
            stored(1, severity=1, source="hotline", category="fire_alarm"),
            stored(2, severity=4, source="drone", category="kite_stuck", address=None),
        ]
    )

    assert text(model, 1, EventColumn.SEVERITY) == "Level I"
    assert text(model, 1, EventColumn.SOURCE) == "12345 hotline"
    assert text(model, 1, EventColumn.CATEGORY) == "Fire alarm"
    assert text(model, 1, EventColumn.PLACE) == "解放路12号 · DH-03-017"
    assert text(model, 0, EventColumn.SOURCE) == "drone"
    assert text(model, 0, EventColumn.CATEGORY) == "kite_stuck"
    assert text(model, 0, EventColumn.PLACE) == "DH-03-017"


def test_words_follow_the_chinese_catalogue(chinese: QTranslator, palette: Palette) -> None:
    model = EventTableModel(Vocabulary(), palette)
    model.prepend(
        [
            stored(1, severity=2, source="video_ai", category="crowding"),
            stored(2, severity=1, source="cap", category="cap_met", revision=2, exercise=True),
        ]
    )

    assert text(model, 1, EventColumn.SEVERITY) == "II级"
    assert text(model, 1, EventColumn.SOURCE) == "视频智能"
    assert text(model, 1, EventColumn.CATEGORY) == "人群聚集"
    assert text(model, 0, EventColumn.SOURCE) == "气象预警"
    assert text(model, 0, EventColumn.CATEGORY) == "气象预警"
    assert text(model, 0, EventColumn.TAGS) == "更新 r2 演练"
    assert (
        model.headerData(EventColumn.SEVERITY, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
        == "等级"
    )


def test_severe_rows_are_highlighted_but_drills_and_cancellations_are_not(
    vocabulary: Vocabulary, palette: Palette
) -> None:
    model = EventTableModel(vocabulary, palette)
    model.prepend(
        [
            stored(1, severity=1),
            stored(2, severity=2),
            stored(3, severity=3),
            stored(4, severity=1, exercise=True),
            stored(5, severity=1, cancelled=True),
        ]
    )

    def role(row: int, role: int) -> object:
        return model.data(model.index(row, EventColumn.TITLE), role)

    assert [role(r, EventRole.HIGHLIGHT) for r in range(5)] == ["", "exercise", "", "major", "critical"]
    critical = role(4, Qt.ItemDataRole.BackgroundRole)
    assert isinstance(critical, QBrush)
    assert critical.color() == palette.color("sev1_row")
    assert role(2, Qt.ItemDataRole.BackgroundRole) is None
    assert role(4, EventRole.SEVERITY) == 1


def test_badges_for_revisions_drills_and_cancellations(vocabulary: Vocabulary, palette: Palette) -> None:
    model = EventTableModel(vocabulary, palette)
    model.prepend([stored(1, revision=3, exercise=True, cancelled=True), stored(2, severity=2)])

    tags = model.data(model.index(1, EventColumn.TAGS), EventRole.CHIPS)
    assert tags == (
        ("Update r3", "revision", "revision_text"),
        ("Exercise", "exercise", "exercise_text"),
        ("Cancelled", "cancelled", "cancelled_text"),
    )
    level = model.data(model.index(0, EventColumn.SEVERITY), EventRole.CHIPS)
    assert level == (("Level II", "sev2", "sev2_text"),)
    assert model.data(model.index(0, EventColumn.TAGS), EventRole.CHIPS) == ()
    struck = model.data(model.index(1, EventColumn.TITLE), Qt.ItemDataRole.FontRole)
    assert struck is not None
    assert struck.strikeOut()


def test_no_children_under_rows(vocabulary: Vocabulary, palette: Palette) -> None:
    model = EventTableModel(vocabulary, palette)
    model.prepend([stored(1)])
    assert model.rowCount(model.index(0, 0)) == 0
    assert model.data(QModelIndex()) is None


def test_a_time_no_clock_can_show_is_a_dash_and_the_rest_of_the_list_shows(
    vocabulary: Vocabulary, palette: Palette
) -> None:
    # Regression: an older version stored a time as text; every repaint of the list raised TypeError.
    model = EventTableModel(vocabulary, palette)
    model.prepend(
        [
            stored(1, title="正常"),
            stored(2, occurred_at="2026-12-07 10:00"),  # type: ignore[arg-type]
            stored(3, occurred_at=1e300, received_at=float("nan")),
        ]
    )
    assert [text(model, r, EventColumn.TIME) for r in (0, 1)] == ["—", "—"]
    assert text(model, 2, EventColumn.TITLE) == "正常"
    assert "—" in str(model.data(model.index(0, EventColumn.TITLE), Qt.ItemDataRole.ToolTipRole))
