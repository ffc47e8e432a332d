"""The case panel's video row: the case's camera, the cameras on the scene, and the snapshots kept as
evidence, each opening the picture."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from dispatch.casework.model import Action, AuditRow, Case
from dispatch.casework.readouts import CaseFile
from widgets.common.style import fill
from widgets.common.tight_fit import BreakingRow
from widgets.desk.case_history import local_time

CAMERA_KEY = "Shift+V"
SCENE_KEY = "Shift+W"
# Snapshots listed in the panel, newest first; the timeline keeps every one.
SHOWN_SNAPSHOTS = 6


@dataclass(frozen=True, slots=True)
class CaseSnapshot:
    """A picture attached to a case as evidence (an ATTACH audit row whose payload names a file)."""

    path: str
    camera_id: str
    at: float


def case_snapshots(case_file: CaseFile) -> list[CaseSnapshot]:
    """The case's attached pictures, newest first (merged cases' rows belong to them, not this case)."""
    return [
        CaseSnapshot(row.payload["path"], str(row.payload.get("camera_id", "")), _taken_at(row))
        for row in reversed(case_file.timeline)
        if row.action is Action.ATTACH and row.case_id == case_file.case.id
        and isinstance(row.payload.get("path"), str)
    ]  # fmt: skip


def _taken_at(row: AuditRow) -> float:
    frame_time = row.payload.get("frame_time")
    return float(frame_time) if isinstance(frame_time, int | float) else row.at


class CaseVideo(QWidget):
    """Shows a case's camera and snapshots; its actions (Shift+V, Shift+W) belong to the case panel."""

    camera_requested = Signal(str)
    """The officer wants the case's camera on the video wall (carries the camera id)."""
    scene_requested = Signal(object)
    """The officer wants the cameras that see the case's place on the wall (carries the Case)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("caseVideo")
        self._case: Case | None = None
        self._names: Mapping[str, str] = {}
        self.camera_action = self._action(fill(self.tr("Show camera (%1)"), CAMERA_KEY), CAMERA_KEY)
        self.camera_action.triggered.connect(self._on_camera_triggered)
        self.scene_action = self._action(fill(self.tr("Cameras on the scene (%1)"), SCENE_KEY), SCENE_KEY)
        self.scene_action.triggered.connect(self._on_scene_triggered)
        self.camera = QLabel(self)
        self.camera.setObjectName("caseField")
        self.camera.setWordWrap(True)
        self.camera_button = QPushButton(self.camera_action.text(), self)
        self.camera_button.setObjectName("caseCamera")
        self.camera_button.clicked.connect(self._on_camera_triggered)
        self.scene_button = QPushButton(self.scene_action.text(), self)
        self.scene_button.setObjectName("caseCamera")
        self.scene_button.clicked.connect(self._on_scene_triggered)
        self.snapshots = QLabel(self)
        self.snapshots.setObjectName("caseSnapshots")
        self.snapshots.setTextFormat(Qt.TextFormat.RichText)
        self.snapshots.setOpenExternalLinks(True)
        self.snapshots.setWordWrap(True)
        # Two lines on a narrow panel, so the case never scrolls sideways.
        self.buttons = BreakingRow((self.camera_button, self.scene_button), self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.camera)
        layout.addWidget(self.buttons)
        layout.addWidget(self.snapshots)

    def _action(self, text: str, key: str) -> QAction:
        act = QAction(text, self)
        act.setShortcut(QKeySequence(key))
        act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        act.setEnabled(False)
        return act

    def set_camera_names(self, names: Mapping[str, str]) -> None:
        """Camera id → name, so the row says which camera it is."""
        self._names = dict(names)

    def show_file(self, case_file: CaseFile) -> None:
        case = self._case = case_file.case
        name = self._names.get(case.camera_id, "")
        self.camera.setText(" · ".join(p for p in (case.camera_id, name) if p) or "—")
        has_camera, has_place = bool(case.camera_id), case.lon is not None and case.lat is not None
        for widget in (self.camera_button, self.camera_action):
            widget.setEnabled(has_camera)
        for widget in (self.scene_button, self.scene_action):
            widget.setEnabled(has_place)
        pictures = case_snapshots(case_file)
        self.snapshots.setVisible(bool(pictures))
        lines = [self._snapshot_line(picture) for picture in pictures[:SHOWN_SNAPSHOTS]]
        heading = fill(self.tr("Snapshots (%1):"), len(pictures))
        self.snapshots.setText("<br>".join([html.escape(heading), *lines]))

    def _snapshot_line(self, picture: CaseSnapshot) -> str:
        url = QUrl.fromLocalFile(picture.path).toString()
        camera = self._names.get(picture.camera_id, picture.camera_id)
        text = " · ".join(p for p in (local_time(picture.at, "%m-%d %H:%M:%S"), camera) if p)
        name = Path(picture.path).name
        return f'{html.escape(text)} · <a href="{html.escape(url)}">{html.escape(name)}</a>'

    def _on_camera_triggered(self) -> None:
        if self._case is not None and self._case.camera_id:
            self.camera_requested.emit(self._case.camera_id)

    def _on_scene_triggered(self) -> None:
        case = self._case
        if case is not None and case.lon is not None and case.lat is not None:
            self.scene_requested.emit(case)
