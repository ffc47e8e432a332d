"""The director's panel: what its buttons ask for, for any list of injects in any state."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from widgets.drill.director_panel import DirectorPanel, DirectorRequest, InjectRow, InjectState

rows = st.lists(
    st.builds(
        InjectRow,
        id=st.from_regex(r"[A-Z][0-9]{2}", fullmatch=True),
        what=st.text(max_size=40),
        at_s=st.none() | st.floats(0, 86_400),
        state=st.sampled_from(InjectState),
        sent_s=st.none() | st.floats(0, 86_400),
    ),
    max_size=12,
    unique_by=lambda row: row.id,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=rows, second=rows, pick=st.integers(0, 11))
def test_send_and_skip_ask_for_the_selected_inject_and_only_when_it_can_go(
    qtbot: QtBot, first: list[InjectRow], second: list[InjectRow], pick: int
) -> None:
    panel = DirectorPanel()
    qtbot.addWidget(panel)
    panel.show_injects(first)
    asked: list[DirectorRequest] = []
    panel.command_requested.connect(asked.append)
    if first:
        panel.injects.selectRow(pick % len(first))
    chosen = panel.selected()
    # A new reading of the list keeps the selection on the same inject when it is still there.
    panel.show_injects(second)
    same = next((row for row in second if chosen is not None and row.id == chosen.id), None)
    assert (panel.selected() or None) == same
    current = panel.selected()
    can_send = current is not None and current.state is not InjectState.SENT
    can_skip = current is not None and current.state is InjectState.PENDING
    assert panel.send.isEnabled() == can_send
    assert panel.skip.isEnabled() == can_skip
    for button in (panel.send, panel.skip):
        if button.isEnabled():
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    wanted = (("send", can_send), ("skip", can_skip))
    assert asked == [DirectorRequest(verb, current.id) for verb, ok in wanted if ok and current is not None]


def test_pause_and_resume_take_turns_and_the_end_quiets_every_control(qtbot: QtBot) -> None:
    panel = DirectorPanel()
    qtbot.addWidget(panel)
    asked: list[DirectorRequest] = []
    panel.command_requested.connect(asked.append)
    panel.show_clock(125.0, running=True, speed=5)
    assert "+0:02:05" in panel.clock.text()
    assert (panel.pause.isEnabled(), panel.resume.isEnabled()) == (True, False)
    qtbot.mouseClick(panel.pause, Qt.MouseButton.LeftButton)
    panel.show_clock(125.0, running=False, speed=5)
    assert (panel.pause.isEnabled(), panel.resume.isEnabled()) == (False, True)
    qtbot.mouseClick(panel.resume, Qt.MouseButton.LeftButton)
    assert asked == [DirectorRequest("pause"), DirectorRequest("resume")]
    assert "+0:02:05" in panel.replies.toPlainText()
    panel.show_ended("/tmp/drill.sqlite3")
    panel.show_injects([InjectRow("I01", "积水", 60.0, InjectState.PENDING)])
    panel.injects.selectRow(0)
    assert not any(b.isEnabled() for b in (panel.pause, panel.resume, panel.send, panel.skip))
    assert "/tmp/drill.sqlite3" in panel.replies.toPlainText()
