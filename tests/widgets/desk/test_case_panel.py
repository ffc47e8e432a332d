"""The case panel: the whole file of a case, live countdowns, and only the actions the signed-in role may
take, each on its key."""

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot

from dispatch.casework.model import Action, AuditRow, Card, CaseState, Role
from dispatch.casework.readouts import OrderDelivery, SplitOffer
from tests.widgets.duty_values import NOW, audit, case, case_file, proposal, text_at
from widgets.common.vocabulary import Vocabulary
from widgets.desk.case_actions import ActionRequest, desk_actions
from widgets.desk.case_panel import CasePanel
from widgets.desk.case_words import CaseWords

S = CaseState


@pytest.fixture
def panel(qtbot: QtBot, qapp: QApplication, vocabulary: Vocabulary) -> CasePanel:
    widget = CasePanel(CaseWords(), vocabulary)
    qtbot.addWidget(widget)
    widget.resize(600, 800)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def shown_buttons(panel: CasePanel) -> list[Action]:
    return [action for action, button in panel.buttons.items() if button.isVisibleTo(panel)]


def test_nothing_selected_says_how_to_select(panel: CasePanel) -> None:
    assert panel.empty.isVisible()
    assert not panel.body.isVisible()


def test_the_file_shows_details_reports_timeline_and_deadlines(panel: CasePanel) -> None:
    panel.set_names({"339901": "钟楼区"})
    panel.tick(NOW)
    panel.show_file(case_file(case(card=Card.YELLOW_CARD, severity=2)))
    assert panel.code.text() == "20260105-7"
    assert panel.state.text() == "Discovered"
    assert panel.level.text() == "Level II"
    assert (panel.level.property("level"), panel.card.property("card")) == ("2", "2")
    assert panel.card.text() == "Yellow card"
    assert panel.fields["district"].text() == "钟楼区 · 339901001001"
    assert panel.fields["address"].text() == "人民路18号"
    assert panel.video.camera.text() == "CAM-0007"
    assert panel.reports.rowCount() == 2
    assert text_at(panel.reports, 1, 3) == "20260105-9", "a report that came with a merged case says so"
    assert panel.tabs.tabText(1) == "Reports (2)"
    assert panel.timeline.rowCount() == 3
    assert text_at(panel.timeline, 0, 1) == "Merge duplicate [20260105-9]", "newest first, merged history too"
    assert text_at(panel.timeline, 0, 4) == "into 20260105-7"
    register = panel.clock_rows["register"]
    assert register[2].text() == "0:20 left"
    panel.tick(NOW + 1500)
    assert register[2].text() == "0:05 over"
    assert register[2].property("over") == "true"
    assert panel.clock_rows["handle"][1].text() == "—"


def test_a_shift_lead_sees_the_triage_actions_and_each_has_its_key(qtbot: QtBot, panel: CasePanel) -> None:
    shown = case(severity=1, acknowledged=False)
    panel.set_role(Role.SHIFT_LEAD)
    panel.show_file(case_file(shown))
    assert set(shown_buttons(panel)) == set(desk_actions(shown, Role.SHIFT_LEAD))
    triage = {Action.REQUEST_VERIFY, Action.REGISTER, Action.VOID, Action.SUPERVISE, Action.ACKNOWLEDGE}
    assert set(shown_buttons(panel)) == triage
    assert panel.buttons[Action.REGISTER].text() == "Register (R)"
    panel.tabs.setFocus()
    with qtbot.waitSignal(panel.action_requested) as asked:
        QTest.keyClick(panel.tabs, Qt.Key.Key_R)
    assert asked.args == [ActionRequest(Action.REGISTER, shown.id, shown.version)]
    with qtbot.assertNotEmitted(panel.action_requested):
        QTest.keyClick(panel.tabs, Qt.Key.Key_C)  # closing is not possible for a discovered case


def test_a_wall_viewer_sees_no_action_and_no_key_acts(qtbot: QtBot, panel: CasePanel) -> None:
    panel.set_role(Role.VIEWER)
    panel.show_file(case_file(case(severity=1), proposals=(proposal(),)))
    assert shown_buttons(panel) == []
    # No bar at all (not a bar saying no), and the duplicates are listed without a merge button.
    assert not panel.action_bar.isVisible()
    assert panel.proposals.isVisible()
    assert panel.findChild(QPushButton, "caseMergeButton") is None
    panel.tabs.setFocus()
    with qtbot.assertNotEmitted(panel.action_requested):
        for key in (Qt.Key.Key_R, Qt.Key.Key_V, Qt.Key.Key_D, Qt.Key.Key_S):
            QTest.keyClick(panel.tabs, key)
    panel.set_role(None)
    assert shown_buttons(panel) == []


def test_actions_follow_the_state_and_what_is_pending(panel: CasePanel) -> None:
    working = case(state=S.IN_PROGRESS, handle_due=NOW + 3600, unit="U-1", extension_pending=2.0)
    panel.set_role(Role.SHIFT_LEAD)
    panel.show_file(case_file(working))
    offered = set(shown_buttons(panel))
    assert {Action.APPROVE_EXTENSION, Action.REJECT_EXTENSION, Action.PARK, Action.HANDLE} <= offered
    assert not offered & {Action.UNPARK, Action.REQUEST_EXTENSION, Action.REGISTER, Action.CLOSE}
    panel.show_file(case_file(case(state=S.IN_PROGRESS, handle_due=NOW + 3600, parked_since=NOW)))
    assert Action.UNPARK in shown_buttons(panel)
    assert Action.PARK not in shown_buttons(panel)
    panel.set_role(Role.DISPATCHER)
    panel.show_file(case_file(case(state=S.REGISTERED)))
    assert shown_buttons(panel) == [Action.DISPATCH]


def test_m_merges_the_proposed_duplicate_into_its_master(qtbot: QtBot, panel: CasePanel) -> None:
    panel.set_role(Role.SHIFT_LEAD)
    duplicate = proposal(absorbed=12, master=7)
    panel.show_file(case_file(case(), proposals=(duplicate,)))
    assert Action.MERGE in shown_buttons(panel)
    merge_button = panel.findChild(QPushButton, "caseMergeButton")
    assert merge_button is not None
    assert merge_button.text() == "Merge 20260105-12 into 20260105-7 (M)"
    panel.tabs.setFocus()
    with qtbot.waitSignal(panel.action_requested) as asked:
        QTest.keyClick(panel.tabs, Qt.Key.Key_M)
    assert asked.args == [ActionRequest(Action.MERGE, 12, 2, duplicate)]
    panel.show_file(case_file(case(), proposals=(proposal(possible=False),)))
    assert Action.MERGE not in shown_buttons(panel)


def test_a_role_that_may_not_merge_sees_no_merge_button(panel: CasePanel) -> None:
    panel.set_role(Role.INTAKE)
    panel.show_file(case_file(case(), proposals=(proposal(),)))
    assert Action.MERGE not in shown_buttons(panel)
    assert panel.findChild(QPushButton, "caseMergeButton") is None
    assert panel.no_actions.isVisible() == (not shown_buttons(panel))


def test_shift_m_splits_on_the_master_and_on_the_merged_case(qtbot: QtBot, panel: CasePanel) -> None:
    offer = SplitOffer(12, 4, "20260105-12", 7, 5, "20260105-7", S.REGISTERED)
    master = dataclasses.replace(case_file(case(state=S.REGISTERED)), splits=(offer,))
    panel.set_role(Role.DISPATCHER)
    panel.show_file(master)
    assert Action.SPLIT in shown_buttons(panel)
    assert panel.buttons[Action.SPLIT].text() == "Split merged case (Shift+M)"
    panel.tabs.setFocus()
    with qtbot.waitSignal(panel.action_requested) as asked:
        QTest.keyClick(panel.tabs, Qt.Key.Key_M, Qt.KeyboardModifier.ShiftModifier)
    assert asked.args == [ActionRequest(Action.SPLIT, 12, 4, split=offer)]
    merged = dataclasses.replace(case_file(case(12, state=S.MERGED, master_id=7)), splits=(offer,))
    panel.show_file(merged)
    assert shown_buttons(panel) == [Action.SPLIT]
    # Moved on (no offer) or a role that may not split: no button.
    panel.show_file(case_file(case(12, state=S.MERGED, master_id=7)))
    assert Action.SPLIT not in shown_buttons(panel)
    panel.set_role(Role.SUPERVISOR)
    panel.show_file(master)
    assert Action.SPLIT not in shown_buttons(panel)


def test_the_camera_goes_to_the_video_wall_by_button_or_key(qtbot: QtBot, panel: CasePanel) -> None:
    panel.video.set_camera_names({"CAM-0007": "人民路与中山路交叉口·北向"})
    panel.show_file(case_file())
    assert panel.video.camera.text() == "CAM-0007 · 人民路与中山路交叉口·北向"
    with qtbot.waitSignal(panel.camera_requested) as asked:
        panel.video.camera_button.click()
    assert asked.args == ["CAM-0007"]
    panel.tabs.setFocus()
    with qtbot.waitSignal(panel.camera_requested):
        QTest.keyClick(panel.tabs, Qt.Key.Key_V, Qt.KeyboardModifier.ShiftModifier)
    panel.show_file(case_file(case(camera_id="")))
    assert not panel.video.camera_button.isEnabled()
    assert panel.video.camera.text() == "—"


def test_shift_w_asks_for_the_cameras_that_see_the_place(qtbot: QtBot, panel: CasePanel) -> None:
    located = case()
    panel.show_file(case_file(located))
    panel.tabs.setFocus()
    with qtbot.waitSignal(panel.scene_requested) as asked:
        QTest.keyClick(panel.tabs, Qt.Key.Key_W, Qt.KeyboardModifier.ShiftModifier)
    assert asked.args == [located]
    panel.show_file(case_file(case(lon=None, lat=None)))
    assert not panel.video.scene_button.isEnabled()
    with qtbot.assertNotEmitted(panel.scene_requested):
        QTest.keyClick(panel.tabs, Qt.Key.Key_W, Qt.KeyboardModifier.ShiftModifier)


def test_snapshots_attached_to_the_case_are_listed_newest_first_with_links(panel: CasePanel) -> None:
    shown = case()
    panel.video.set_camera_names({"CAM-0007": "人民路北向"})
    panel.show_file(case_file(shown))
    assert not panel.video.snapshots.isVisibleTo(panel)

    def attached(n: int, name: str, at: float) -> AuditRow:
        payload = {"path": f"/data/snapshots/{name}", "camera_id": "CAM-0007", "frame_time": at}
        return audit(n, shown.id, Action.ATTACH, S.DISCOVERED, S.DISCOVERED, payload=payload)

    other_case = audit(6, 9, Action.ATTACH, S.DISCOVERED, S.DISCOVERED, payload={"path": "/x/other.jpg"})
    rows = (attached(4, "first.jpg", NOW - 300), attached(5, "second.jpg", NOW - 60), other_case)
    full = case_file(shown)
    panel.show_file(dataclasses.replace(full, timeline=full.timeline + rows))
    text = panel.video.snapshots.text()
    assert panel.video.snapshots.isVisibleTo(panel)
    assert "Snapshots (2):" in text
    assert text.index("second.jpg") < text.index("first.jpg")
    assert 'href="file:///data/snapshots/second.jpg"' in text
    assert "人民路北向" in text
    assert "other.jpg" not in text, "a merged case's evidence stays with that case"


def test_the_order_says_whether_the_platform_has_received_it(panel: CasePanel) -> None:
    shown = case(state=S.DISPATCHED)
    panel.show_file(case_file(shown))
    assert panel.fields["order"].text() == "—"
    sent = OrderDelivery("20260105-7-1", "U-CITY", NOW, None)
    panel.show_file(dataclasses.replace(case_file(shown), order=sent))
    field = panel.fields["order"]
    assert field.text().startswith("20260105-7-1 · not yet received by the platform (sent ")
    assert field.property("waiting") == "true"
    panel.show_file(dataclasses.replace(case_file(shown), order=dataclasses.replace(sent, acked_at=NOW + 3)))
    assert field.text().startswith("20260105-7-1 · received by the platform ")
    assert field.property("waiting") == "false"


def test_another_case_opens_at_its_top_and_a_refresh_keeps_the_place(qtbot: QtBot, panel: CasePanel) -> None:
    panel.resize(600, 300)  # a short dock: the case scrolls
    panel.show_file(case_file(case(7)))
    bar = panel.case_scroll.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    bar.setValue(bar.maximum())
    panel.show_file(case_file(case(7, version=4)))
    assert bar.value() == bar.maximum(), "the same case, refreshed, stays where the officer scrolled"
    panel.show_file(case_file(case(8, title="解放路积水")))
    assert bar.value() == 0, "another case shows its code and title first"
    assert panel.code.text() == "20260105-8"


def test_the_timeline_names_the_system_and_units_in_words(panel: CasePanel) -> None:
    panel.set_names({"U-CITY-SW": "市政排水一队"})
    full = case_file(case())
    rows = (
        audit(20, 7, Action.DISCOVER, S.DISCOVERED, S.DISCOVERED, actor="system", role=Role.SYSTEM),
        audit(21, 7, Action.SIGN, S.DISPATCHED, S.SIGNED, actor="U-CITY-SW", role=Role.UNIT),
        audit(22, 7, Action.REGISTER, S.DISCOVERED, S.REGISTERED),
    )
    panel.show_file(dataclasses.replace(full, timeline=rows))
    assert [text_at(panel.timeline, r, 3) for r in range(3)] == [
        "li · Shift lead",
        "市政排水一队 · Responsible unit",
        "System",
    ]


def test_escalation_is_offered_only_on_a_district_seat_and_hand_down_only_on_what_came_up(
    qtbot: QtBot, panel: CasePanel
) -> None:
    own = case(severity=1, acknowledged=True, state=S.REGISTERED)
    panel.set_role(Role.SHIFT_LEAD)
    panel.show_file(case_file(own))
    # A console on one store, or a seat of a centre with none above it: nothing to escalate to.
    assert Action.ESCALATE not in shown_buttons(panel)
    assert Action.HAND_DOWN not in shown_buttons(panel)
    panel.set_escalate_to("city")
    assert Action.ESCALATE in shown_buttons(panel)
    assert panel.buttons[Action.ESCALATE].text() == "Escalate to the city (Shift+U)"
    panel.tabs.setFocus()
    with qtbot.waitSignal(panel.action_requested) as asked:
        QTest.keyClick(panel.tabs, Qt.Key.Key_U, Qt.KeyboardModifier.ShiftModifier)
    assert asked.args == [ActionRequest(Action.ESCALATE, own.id, own.version)]
    # The city's copy of a district's case: it may go back down; the city's own may not.
    came_up = dataclasses.replace(own, source="centre:jiangan")
    panel.set_escalate_to(None)
    panel.show_file(case_file(came_up))
    assert Action.HAND_DOWN in shown_buttons(panel)
    assert Action.ESCALATE not in shown_buttons(panel)
    # A dispatcher may do neither: both are the shift lead's.
    assert not {Action.ESCALATE, Action.HAND_DOWN} & set(
        desk_actions(came_up, Role.DISPATCHER, escalate_to="city")
    )


def test_a_case_that_came_up_names_its_district_as_its_source(vocabulary: Vocabulary) -> None:
    assert vocabulary.source("centre:jiangan") == "Escalated by jiangan"
    assert vocabulary.source("video_ai") != "video_ai"  # the known sources keep their words
