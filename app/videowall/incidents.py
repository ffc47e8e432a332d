"""Incident linkage between the duty desk and the video wall (视频联动): the selected case's cameras in the
wall's pop-up, severe cases' cameras in alarm until acknowledged (popping up only when a camera sees them,
at most once per interval, the rest listed beside the tree), snapshots attached as evidence, and the keys
that bring the wall forward and back."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QDockWidget, QWidget

from app.desk import jobs
from app.desk.controller import DutyController
from app.shell.gui_call import GuiCall
from app.videowall.controller import WallController
from app.videowall.linkage import LinkedCase
from app.videowall.snapshots import Evidence
from app.videowall.timing import Deadline, PopupGate
from dispatch.casework.model import Action, Actor, Applied, Case, Command
from dispatch.casework.readouts import CaseFile, QueueRow
from dispatch.service import LoopContext
from widgets.common.style import fill
from widgets.desk.duty_desk import DutyDesk
from widgets.videowall.waiting import WaitingCase

log = logging.getLogger(__name__)

# Moving through the queue with J/K shows each case for a moment: the pop-up follows once the officer
# has stayed on a case this long, so arrowing past ten cases does not open forty main streams.
LINK_SETTLE_MS = 600
WALL_KEY = "F9"
# What makes a re-read of the same case worth showing again: another case, place or camera.
_Follow = tuple[int, float | None, float | None, str]


def attach_snapshot(evidence: Evidence, actor: Actor, ctx: LoopContext) -> Applied:
    """Attach a snapshot to its case (desk thread). Evidence never conflicts with what others did to the
    case meanwhile, so it is made against the current version rather than the one the officer saw."""
    snapshot = evidence.snapshot
    case = ctx.desk.get(evidence.case_id)
    payload: dict[str, object] = {
        "path": str(snapshot.path), "camera_id": snapshot.camera_id, "frame_time": snapshot.frame_time,
        "sha256": snapshot.sha256, "kind": "snapshot",
    }  # fmt: skip
    return ctx.desk.act(Command(case.id, case.version, Action.ATTACH, actor, payload=payload))


class WallSwitch(QObject):
    """F9 goes between the duty desk and the wall; the desk's explicit video keys bring the wall forward.

    When both are on screen (the wall floating on a second monitor) F9 moves the keyboard instead."""

    def __init__(
        self, window: QWidget, wall_dock: QDockWidget, wall: QWidget, desk_dock: QDockWidget, desk: DutyDesk
    ) -> None:
        super().__init__(window)
        self._wall_dock, self._wall, self._desk_dock, self._desk = wall_dock, wall, desk_dock, desk
        self.action = QAction(fill(self.tr("Video wall / duty desk (%1)"), WALL_KEY), window)
        self.action.setObjectName("wallSwitch")
        self.action.setShortcut(QKeySequence(WALL_KEY))
        self.action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.action.triggered.connect(self.toggle)
        window.addAction(self.action)
        desk.add_key(WALL_KEY, self.tr("Switch between the video wall and the duty desk"))

    def show_wall(self) -> None:
        """Bring the wall forward; it takes the keyboard only if the desk went out of sight."""
        self._wall_dock.show()
        self._wall_dock.raise_()
        if not on_screen(self._desk):
            self._wall.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def show_desk(self) -> None:
        self._desk_dock.show()
        self._desk_dock.raise_()
        self._desk.queue.focus_table()

    def toggle(self) -> None:
        if not on_screen(self._wall):
            self.show_wall()
        elif not on_screen(self._desk):
            self.show_desk()
        elif (focus := QApplication.focusWidget()) is not None and self._desk.isAncestorOf(focus):
            self._wall.setFocus(Qt.FocusReason.ShortcutFocusReason)
        else:
            self._desk.queue.focus_table()


@dataclass(slots=True)
class _Alarm:
    """An unacknowledged severe case and the cameras it holds in alarm (known once its file is read)."""

    cameras: frozenset[str] = frozenset()
    case: Case | None = None
    seen: bool = False
    """A camera the role may view sees the scene: the case may take the pop-up by itself."""


class IncidentVideo(QObject):
    """Keeps the wall's pop-up on the case the officer looks at, without taking the keyboard or the screen
    from the desk: a selection shows after LINK_SETTLE_MS; Shift+V / Shift+W show at once and bring the
    wall forward. A new severe case takes the pop-up and holds it (selections do not replace it) until it
    is acknowledged or closed; its cameras keep the alarm border as long.

    The wall pops up by itself only for a case a camera can see, and a severe case takes the pop-up at
    most once per `min_interval_s`: a case no camera sees, and the severe cases of a burst, wait in the
    wall's list beside the tree (the newest held back takes the pop-up when the interval is over)."""

    def __init__(
        self,
        duty: DutyController,
        wall: WallController,
        switch: WallSwitch | None = None,
        *,
        settle_ms: int = LINK_SETTLE_MS,
        min_interval_s: float | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent or duty)
        self._duty, self._wall, self._switch = duty, wall, switch
        self.min_interval_s = wall.popup_interval_s if min_interval_s is None else min_interval_s
        self.popup_gate = PopupGate(self.min_interval_s)
        self.gate = Deadline(wall.clock, self)
        self.gate.due.connect(self._on_gate_due)
        self._gui = GuiCall(self)
        self._selected: Case | None = None
        self._following: _Follow | None = None
        self._alarms: dict[int, _Alarm] = {}
        self._alarmed: frozenset[str] = frozenset()
        self._pinned: int | None = None
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(settle_ms)
        self._settle.timeout.connect(self._on_settle_timeout)
        panel = duty.desk.panel
        panel.video.set_camera_names({camera.id: camera.name for camera in wall.registry})
        duty.case_shown.connect(self._on_duty_case_shown)
        duty.alerts_changed.connect(self._on_duty_alerts_changed)
        panel.camera_requested.connect(self._on_panel_camera_requested)
        panel.scene_requested.connect(self._on_panel_scene_requested)
        wall.snapshots.evidence_saved.connect(self._on_snapshots_evidence_saved)
        wall.wall.waiting.case_activated.connect(self._on_waiting_case_activated)
        wall.wall.popup.closed.connect(self._on_popup_closed)

    @property
    def pinned(self) -> int | None:
        """The severe case holding the pop-up, if any."""
        return self._pinned

    @property
    def settling(self) -> bool:
        """A selection is waiting to be shown (the officer has not stayed on it long enough yet)."""
        return self._settle.isActive()

    # -- the selected case ------------------------------------------------------------------------------

    def _on_duty_case_shown(self, case_file: CaseFile | None) -> None:
        case = case_file.case if case_file is not None else None
        self._selected = case
        follow = None if case is None else (case.id, case.lon, case.lat, case.camera_id)
        if follow == self._following:
            return  # the same case read again: nothing the pop-up shows has moved
        self._following = follow
        if case is None:
            self._settle.stop()
        else:
            self._settle.start()

    def _on_settle_timeout(self) -> None:
        case = self._selected
        if case is None or (self._pinned is not None and self._pinned != case.id):
            return
        self._show_case(case)

    def _on_panel_camera_requested(self, camera_id: str) -> None:
        self._settle.stop()
        self._pinned = None
        case = self._selected
        linked = LinkedCase(case.id, case.code) if case is not None and case.camera_id == camera_id else None
        self._wall.link_case(camera_id, case=linked)
        self._show_waiting()
        self._bring_wall()

    def _on_panel_scene_requested(self, case: Case) -> None:
        self._settle.stop()
        self._pinned = None
        self._show_case(case, asked=True)
        self._bring_wall()

    def _show_case(self, case: Case, *, asked: bool = False) -> None:
        """The case's cameras in the pop-up. Unless the officer `asked`, a case no camera sees closes the
        pop-up instead of covering the wall with "no camera near the scene"."""
        linked = LinkedCase(case.id, case.code)
        link = self._wall.link
        if not asked and not link.can_see(case.lon, case.lat, case.camera_id, self._wall.role):
            self._wall.wall.popup.dismiss()
        elif case.lon is not None and case.lat is not None:
            self._wall.show_cameras_for(case.lon, case.lat, case.id in self._alarms, case=linked)
        elif case.camera_id:
            self._wall.link_case(case.camera_id, case=linked)
        else:
            self._wall.wall.popup.dismiss()
        self._show_waiting()

    def _bring_wall(self) -> None:
        if self._switch is not None:
            self._switch.show_wall()

    # -- severe cases -------------------------------------------------------------------------------------

    def _on_duty_alerts_changed(self, alerts: Sequence[QueueRow]) -> None:
        waiting = {row.id for row in alerts}
        for case_id in [c for c in self._alarms if c not in waiting]:
            del self._alarms[case_id]
        if (held := self.popup_gate.held) is not None and held not in waiting:
            self.popup_gate.drop(held)
        newest = alerts[0].id if alerts else None
        for row in alerts:
            if row.id not in self._alarms:
                self._alarms[row.id] = _Alarm()
                future = self._duty.loop.query(partial(jobs.case_file, row.id))
                self._gui.when_done(future, partial(self._on_alarm_read, row.id == newest), self._on_failed)
        if self._pinned is not None and self._pinned not in waiting:
            self._release_pin(self._pinned)
        self._mark_alarms()
        self._show_waiting()

    def _on_alarm_read(self, newest: bool, case_file: CaseFile | None) -> None:
        if case_file is None or case_file.case.id not in self._alarms:
            return  # acknowledged or closed while its file was being read
        case = case_file.case
        cameras = set()
        if case.lon is not None and case.lat is not None:
            cameras.update(self._wall.link.cameras_near(case.lon, case.lat))
        if case.camera_id:
            cameras.add(case.camera_id)
        alarm = self._alarms[case.id]
        alarm.cameras, alarm.case = frozenset(cameras), case
        alarm.seen = self._wall.link.can_see(case.lon, case.lat, case.camera_id, self._wall.role)
        self._mark_alarms()
        if newest and alarm.seen:
            self._take_popup(case)
        self._show_waiting()

    def _take_popup(self, case: Case) -> None:
        """The newest severe case takes the pop-up, whatever the officer is looking at — unless the wall
        changed by itself less than min_interval_s ago: then it is held back (a newer one replaces it)
        and takes the pop-up when the interval is over, so a burst never flashes the wall."""
        now = self._wall.clock.monotonic()
        if not self.popup_gate.offer(case.id, now):
            self.gate.start(self.popup_gate.wait(now))
            return
        self._settle.stop()
        self._pinned = case.id
        self._show_case(case)

    def _on_gate_due(self, _: object) -> None:
        held = self.popup_gate.take_held()
        alarm = self._alarms.get(held) if held is not None else None
        if alarm is not None and alarm.case is not None:
            self._take_popup(alarm.case)
        self._show_waiting()

    def _on_waiting_case_activated(self, case_id: int) -> None:
        alarm = self._alarms.get(case_id)
        if alarm is None or alarm.case is None:
            return
        self._settle.stop()
        self._pinned = case_id
        self.popup_gate.drop(case_id)
        self._show_case(alarm.case, asked=True)

    def _on_popup_closed(self, _: object) -> None:
        self._show_waiting()

    def _show_waiting(self) -> None:
        """Every severe case not on the pop-up now, newest first: why the wall is not showing it."""
        link = self._wall.link
        popup = self._wall.wall.popup
        on_popup = link.case.case_id if link.case is not None and popup.open else None
        rows = [
            WaitingCase(case_id, alarm.case.code, alarm.case.title, not alarm.seen)
            for case_id, alarm in sorted(self._alarms.items(), reverse=True)
            if alarm.case is not None and case_id != on_popup
        ]
        self._wall.wall.waiting.show_cases(rows)

    def _release_pin(self, case_id: int) -> None:
        self._pinned = None
        linked = self._wall.link.case
        selected = self._selected
        if linked is not None and linked.case_id == case_id and selected is not None:
            # Acknowledged: the officer's current case comes back, without the alarm.
            self._show_case(selected)

    def _mark_alarms(self) -> None:
        wanted = frozenset().union(*(alarm.cameras for alarm in self._alarms.values()))
        for camera in wanted - self._alarmed:
            self._wall.set_alarm(camera, True)
        for camera in self._alarmed - wanted:
            self._wall.set_alarm(camera, False)
        self._alarmed = wanted
        link = self._wall.link
        if link.case is not None and link.case.case_id not in self._alarms:
            for tile in self._wall.wall.popup.tiles:
                tile.set_alarm(False)

    # -- evidence -----------------------------------------------------------------------------------------

    def _on_snapshots_evidence_saved(self, evidence: Evidence) -> None:
        desk, actor = self._duty.desk, self._duty.actor
        if actor is None:
            desk.show_notice(self.tr("Snapshot saved; sign in to attach it to the case."), "error")
            self._wall.wall.toast.show_message(
                fill(self.tr("Snapshot saved as %1; sign in to attach it to the case"),
                     evidence.snapshot.path.name), error=True,
            )  # fmt: skip
            return
        future = self._duty.loop.write(partial(attach_snapshot, evidence, actor))
        self._gui.when_done(future, partial(self._on_attached, evidence), self._on_failed)

    def _on_attached(self, evidence: Evidence, applied: Applied) -> None:
        desk = self._duty.desk
        snapshot = evidence.snapshot
        desk.show_notice(desk.words.done(Action.ATTACH, applied.case.code, snapshot.path.name))
        camera = self._wall.shots.camera_name(snapshot.camera_id)
        self._wall.wall.toast.show_message(
            fill(
                self.tr("Snapshot of %1 attached to case %2 (%3)"),
                camera,
                applied.case.code,
                snapshot.path.name,
            )
        )
        self._duty.refresh()

    def _on_failed(self, error: BaseException) -> None:
        log.error("video linkage: a desk job failed: %s", error, exc_info=error)
        desk = self._duty.desk
        desk.show_notice(desk.words.failed(str(error) or type(error).__name__), "error")


def on_screen(widget: QWidget) -> bool:
    """Shown and not behind another tab: Qt keeps a dock whose tab is behind "visible", with nothing of
    it on screen."""
    return widget.isVisible() and not widget.visibleRegion().isEmpty()
