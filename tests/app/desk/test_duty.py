"""The duty desk end to end on a real store: events become cases on the desk thread, and an officer works
them from the keyboard alone; roles limit what the keys do; a stale action says who got there first."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlite_utils
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.desk.controller import DutyController
from app.desk.jobs import UnitDirectory
from app.shell.theme import apply_theme
from core.clock import ManualClock
from dispatch.casework.model import Action, Actor, Applied, CaseState, Command, Role
from dispatch.casework.readouts import RosterUnit
from dispatch.casework.records import audit
from dispatch.casework.records.commands import CaseDesk
from dispatch.casework.records.orders import ReportAction, UnitReport, apply_report
from dispatch.casework.timers import Timers
from dispatch.service import LocalLoop, LoopUnavailable
from dispatch.store.database import open_store
from tests.dispatch.casework.policies import LAT, LEAD, LON, MONDAY_9, POLICY, VIEWER, put_event
from tests.widgets.duty_values import text_at
from widgets.common.vocabulary import Vocabulary
from widgets.desk.duty_desk import DutyDesk

S = CaseState
HOUR_MS = 3_600_000


def directory() -> UnitDirectory:
    roster = (RosterUnit("U-CITY", "城市运行中心", "emergency"), RosterUnit("U-SAN", "环卫所", "sanitation"))
    return UnitDirectory(roster, None, {"U-CITY": "城市运行中心"}, {"339901": "钟楼区"}, ("manhole_cover",))


@dataclass
class Duty:
    desk: DutyDesk
    controller: DutyController
    worker: LocalLoop
    db: sqlite_utils.Database
    clock: ManualClock

    def state(self) -> CaseState | None:
        shown = self.desk.panel.case_file
        return shown.case.state if shown is not None else None

    def press(self, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
        QTest.keyClick(self.desk.queue.table, key, modifier)

    def actions(self) -> list[tuple[str, str]]:
        rows = self.db.execute("SELECT action, actor FROM audit ORDER BY id").fetchall()
        return [(row[0], row[1]) for row in rows]


@pytest.fixture
def duty(qtbot: QtBot, qapp: QApplication, tmp_path: Path) -> Iterator[Duty]:
    path = tmp_path / "store.sqlite3"
    db = open_store(path)
    clock = ManualClock(MONDAY_9)
    worker = LocalLoop(path, POLICY, clock)
    desk = DutyDesk(Vocabulary(), apply_theme(qapp))
    qtbot.addWidget(desk)
    desk.resize(1500, 850)
    # The timer would tick once an hour: the tests beat the desk by hand with poll().
    controller = DutyController(
        desk, worker, directory=directory, actor=LEAD, clock=clock, interval_ms=HOUR_MS
    )
    desk.show()
    qtbot.waitExposed(desk)
    yield Duty(desk, controller, worker, db, clock)
    controller.stop()
    worker.close()
    db.close()
    qapp.setStyleSheet("")


def start_with_one_case(qtbot: QtBot, duty: Duty, **event: object) -> None:
    put_event(duty.db.conn, "e1", at=MONDAY_9, **event)  # type: ignore[arg-type]
    duty.controller.start()
    qtbot.waitUntil(lambda: duty.desk.queue.model.rowCount() == 1 and duty.state() is S.DISCOVERED)
    duty.desk.queue.focus_table()


def unit_reports(duty: Duty, *actions: ReportAction) -> None:
    """The unit answers over the feed (its reports land on another connection, as the intake's would)."""
    desk = CaseDesk(duty.db.conn, Timers(POLICY), duty.clock)
    order_id = duty.db.execute("SELECT order_id FROM outbox").fetchone()[0]
    for seq, action in enumerate(actions, start=1):
        report = UnitReport(order_id, "U-CITY", action, duty.clock.now() + seq)
        assert apply_report(desk, report, feed="test", seq=seq).applied is not None


def test_an_officer_registers_dispatches_and_closes_a_case_from_the_keyboard(
    qtbot: QtBot, duty: Duty
) -> None:
    start_with_one_case(qtbot, duty)
    panel = duty.desk.panel
    assert panel.code.text().endswith("-1")

    duty.press(Qt.Key.Key_R)
    qtbot.waitUntil(lambda: duty.state() is S.REGISTERED)
    assert "registered" in duty.desk.notice.text()

    duty.press(Qt.Key.Key_D)
    dialog = duty.desk.dispatch_dialog
    qtbot.waitUntil(dialog.units.hasFocus)
    assert text_at(dialog.units, 0, 0) == "城市运行中心 (routing rule)"
    # The order goes to the feed at once, not at the sender's next look at the outbox.
    with qtbot.waitSignal(duty.controller.order_queued) as queued:
        QTest.keyClick(dialog.units, Qt.Key.Key_Return)
    assert queued.args == [duty.db.execute("SELECT order_id FROM outbox").fetchone()[0]]
    qtbot.waitUntil(lambda: duty.state() is S.DISPATCHED)
    assert panel.fields["unit"].text() == "城市运行中心"
    assert panel.clock_rows["handle"][2].text() == "4:00 left"

    unit_reports(duty, ReportAction.SIGN, ReportAction.HANDLED)
    duty.press(Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: duty.state() is S.HANDLED)

    # The check decisions open the form with the unit's last report beside them.
    form = duty.desk.form
    duty.press(Qt.Key.Key_T)
    qtbot.waitUntil(form.isVisible)
    assert "Handling done" in form.unit_heading.text()
    QTest.keyClick(form.reason, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: duty.state() is S.CHECKING)
    duty.press(Qt.Key.Key_C)
    qtbot.waitUntil(form.isVisible)
    QTest.keyClick(form.reason, Qt.Key.Key_Return)
    # A closed case leaves the queue of open cases.
    qtbot.waitUntil(lambda: duty.desk.queue.model.rowCount() == 0)
    assert "closed" in duty.desk.notice.text()
    assert duty.actions() == [
        ("discover", "system"), ("register", "li"), ("dispatch", "li"), ("sign", "U-CITY"),
        ("handle", "U-CITY"), ("start_check", "li"), ("close", "li"),
    ]  # fmt: skip
    payload = duty.db.execute("SELECT payload FROM audit WHERE action = 'dispatch'").fetchone()[0]
    assert '"recommended":false' in payload
    assert '"unit":"U-CITY"' in payload
    assert duty.db.execute("SELECT count(*) FROM outbox").fetchone() == (1,)
    assert audit.verify(duty.db.conn).ok


def test_a_wall_viewer_sees_the_case_but_no_key_acts(qtbot: QtBot, duty: Duty) -> None:
    start_with_one_case(qtbot, duty)
    duty.controller.set_actor(VIEWER)
    assert not any(button.isVisibleTo(duty.desk.panel) for button in duty.desk.panel.buttons.values())
    assert duty.desk.role.text() == "大屏 · Wall viewer"
    with qtbot.assertNotEmitted(duty.desk.panel.action_requested):
        for key in (Qt.Key.Key_R, Qt.Key.Key_V, Qt.Key.Key_S, Qt.Key.Key_D):
            duty.press(key)
    assert duty.actions() == [("discover", "system")]


def test_a_stale_action_says_who_changed_the_case_and_refreshes(qtbot: QtBot, duty: Duty) -> None:
    start_with_one_case(qtbot, duty)
    case_id = duty.desk.panel.case_file.case.id  # type: ignore[union-attr]
    # Another console registers the case while this officer still looks at the discovered version.
    other = CaseDesk(duty.db.conn, Timers(POLICY), duty.clock)
    other.act(Command(case_id, 1, Action.REGISTER, Actor("zhang", Role.SHIFT_LEAD, "张值班长")))

    duty.press(Qt.Key.Key_V)
    form = duty.desk.form
    qtbot.waitUntil(form.isVisible)
    QTest.keyClicks(form.reason, "duplicate")
    QTest.keyClick(form.reason, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: duty.state() is S.REGISTERED)
    notice = duty.desk.notice
    assert notice.property("tone") == "error"
    assert "zhang (Shift lead) did “Register”" in notice.text()
    assert duty.desk.panel.case_file.case.version == 2  # type: ignore[union-attr]
    assert duty.actions() == [("discover", "system"), ("register", "zhang")]


def test_a_severe_case_flashes_until_acknowledged(qtbot: QtBot, duty: Duty) -> None:
    start_with_one_case(qtbot, duty, severity=1, category="fire_alarm", title="居民楼起火")
    banner = duty.desk.banner
    assert banner.isVisible()
    assert "居民楼起火" in banner.text.text()
    duty.press(Qt.Key.Key_A)
    qtbot.waitUntil(lambda: not banner.isVisible())
    assert duty.actions()[-1] == ("acknowledge", "li")


def test_m_merges_a_duplicate_and_new_events_arrive_with_the_next_beat(qtbot: QtBot, duty: Duty) -> None:
    start_with_one_case(qtbot, duty)
    duty.clock.advance(120)
    put_event(duty.db.conn, "e2", at=duty.clock.now(), source="iot", lon=LON + 0.0003, lat=LAT)
    duty.controller.poll()
    # The new case waits behind the "new cases" bar until the officer lets it in with N.
    qtbot.waitUntil(lambda: duty.desk.queue.newer_count() == 1)
    assert duty.desk.queue.model.rowCount() == 1
    duty.press(Qt.Key.Key_N)
    qtbot.waitUntil(lambda: duty.desk.queue.model.rowCount() == 2)
    assert not duty.desk.queue.newer.isVisible()
    duty.desk.queue.select_case(1)
    qtbot.waitUntil(lambda: bool(duty.desk.panel.case_file and duty.desk.panel.case_file.proposals))
    duty.press(Qt.Key.Key_M)
    # Both cases side by side first (tests/app/desk/test_merge_confirm.py); Enter merges.
    dialog = duty.controller.merge_dialog
    qtbot.waitUntil(dialog.isVisible)
    QTest.keyClick(dialog.confirm, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: duty.desk.queue.model.rowCount() == 1)
    qtbot.waitUntil(lambda: len(duty.desk.panel.case_file.events) == 2)  # type: ignore[union-attr]
    assert "merged into" in duty.desk.notice.text()
    assert duty.actions()[-2:] == [("merge", "li"), ("merge", "li")]


def test_escape_in_the_dispatch_dialog_sends_nothing(qtbot: QtBot, duty: Duty) -> None:
    start_with_one_case(qtbot, duty)
    duty.press(Qt.Key.Key_R)
    qtbot.waitUntil(lambda: duty.state() is S.REGISTERED)
    duty.press(Qt.Key.Key_D)
    dialog = duty.desk.dispatch_dialog
    # Keys reach the dialog once it has the keyboard: shown but not yet activated, Esc is still the desk's.
    qtbot.waitUntil(dialog.units.hasFocus)
    QTest.keyClick(dialog.units, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert duty.actions()[-1] == ("register", "li")


def test_supervision_raises_a_red_card_with_a_note_from_the_keyboard(qtbot: QtBot, duty: Duty) -> None:
    start_with_one_case(qtbot, duty)
    duty.press(Qt.Key.Key_S)
    form = duty.desk.form
    qtbot.waitUntil(form.isVisible)
    assert not form.buttons.button(form.buttons.StandardButton.Ok).isEnabled(), "督办 needs a note"
    form.red.click()
    form.reason.setFocus()
    QTest.keyClicks(form.reason, "overdue twice")
    QTest.keyClick(form.reason, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: duty.desk.panel.card.property("card") == "3")
    row = duty.db.execute("SELECT action, reason, payload FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    assert row == ("supervise", "overdue twice", '{"card":3,"manual":3}')


def test_f1_lists_every_key_of_the_desk(qtbot: QtBot, duty: Duty) -> None:
    start_with_one_case(qtbot, duty)
    duty.press(Qt.Key.Key_F1)
    keys = duty.desk.keys
    assert keys is not None
    qtbot.waitUntil(keys.isVisible)
    listed = {key for key, _ in duty.desk.key_rows()}
    assert {
        "R",
        "D",
        "M",
        "V",
        "C",
        "F",
        "P",
        "E",
        "S",
        "A",
        "Ctrl+F",
        "F1",
        "Esc",
        "Shift+V",
        "Shift+W",
    } <= listed
    # Esc closes the list and gives the keyboard back to the desk.
    qtbot.waitUntil(keys.isActiveWindow)
    QTest.keyClick(keys, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not keys.isVisible())


def test_a_case_arriving_under_the_pointer_moves_no_row(qtbot: QtBot, duty: Duty) -> None:
    for n, minutes in enumerate((0, 10, 20, 30)):
        put_event(duty.db.conn, f"e{n}", at=duty.clock.now() - 3600 + minutes * 60, source="iot",
                  lon=LON + n * 0.01, lat=LAT)  # fmt: skip
    duty.controller.start()
    queue = duty.desk.queue
    qtbot.waitUntil(lambda: queue.model.rowCount() == 4)
    before = [queue.model.row_at(r).id for r in range(4)]
    third = before[2]
    queue.select_case(third)
    # A more severe case arrives: sorted by severity it would take the top row and push row 3 down.
    put_event(duty.db.conn, "fire", at=duty.clock.now(), source="iot", severity=1, category="fire_alarm",
              lon=LON + 0.05, lat=LAT)  # fmt: skip
    duty.controller.poll()
    qtbot.waitUntil(lambda: queue.newer_count() == 1)
    assert [queue.model.row_at(r).id for r in range(4)] == before
    assert getattr(queue.selected_row(), "id", None) == third
    assert queue.newer.isVisible()
    assert "1" in queue.newer.text()
    queue.newer.click()
    qtbot.waitUntil(lambda: queue.model.rowCount() == 5)
    assert getattr(queue.selected_row(), "id", None) == third
    assert queue.newer_count() == 0
    assert not queue.newer.isVisible()


def test_a_command_on_a_seat_cut_off_from_its_hub_says_so_and_changes_nothing(
    qtbot: QtBot, duty: Duty, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A seat's loop refuses commands while it is offline (dispatch/seats, tested against a real hub there);
    the desk says in words what happened instead of a failure's class name."""
    start_with_one_case(qtbot, duty)
    before = duty.actions()

    def offline(command: Command) -> concurrent.futures.Future[Applied]:
        refused: concurrent.futures.Future[Applied] = concurrent.futures.Future()
        refused.set_exception(LoopUnavailable("seat desk-2 is cut off from the hub"))
        return refused

    monkeypatch.setattr(duty.worker, "act", offline)
    duty.press(Qt.Key.Key_R)

    qtbot.waitUntil(lambda: "offline and read-only" in duty.desk.notice.text())
    assert duty.state() is S.DISCOVERED
    assert duty.actions() == before
