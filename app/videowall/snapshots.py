"""Snapshots of wall tiles, written on their own thread, announced on the GUI thread and confirmed on the
wall with a toast."""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from video.frames import Frame
from video.registry import CameraRegistry
from video.snapshot import Snapshot, save_snapshot
from widgets.common.style import fill
from widgets.videowall.toast import WallToast

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Evidence:
    """A snapshot taken for a case (from the pop-up showing that case's cameras)."""

    case_id: int
    snapshot: Snapshot


class SnapshotWriter(QObject):
    """JPEG encoding and fsync stay off the GUI thread; the frame is an immutable value taken there."""

    saved = Signal(object)
    """A snapshot was written (carries the video.snapshot.Snapshot)."""
    evidence_saved = Signal(object)
    """A snapshot taken for a case was written, after `saved` (carries an Evidence to attach)."""
    saved_alone = Signal(object)
    """A snapshot taken for no case was written, after `saved` (carries the Snapshot)."""
    failed = Signal(str)
    """A snapshot could not be written (carries the reason, as the system said it)."""

    def __init__(self, directory: Path | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.directory = directory
        self._io = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tianshu-snapshot")

    def save(self, frame: Frame, *, for_case: int | None = None) -> bool:
        """Queue `frame` for writing (as evidence of case `for_case` if given); False when no snapshot
        directory is configured."""
        if self.directory is None:
            return False
        written = self._io.submit(save_snapshot, frame, self.directory)
        written.add_done_callback(partial(self._on_written, for_case))
        return True

    def close(self) -> None:
        """Wait for snapshots in progress: none is left half-written."""
        self._io.shutdown(wait=True)

    def _on_written(self, for_case: int | None, future: Future[Snapshot]) -> None:
        # On the writer thread: the signals are queued to the GUI thread.
        error = future.exception()
        if error is not None:
            log.error("could not save a snapshot: %s", error)
            self.failed.emit(str(error) or type(error).__name__)
            return
        snapshot = future.result()
        self.saved.emit(snapshot)
        if for_case is not None:
            self.evidence_saved.emit(Evidence(for_case, snapshot))
        else:
            self.saved_alone.emit(snapshot)


class SnapshotToasts(QObject):
    """Takes the officer's snapshot requests and says on the wall what came of each: saved (camera and
    file), nothing to save, snapshots off, or why writing failed. A case's snapshot is confirmed by whoever
    attaches it (app/videowall/incidents.py), naming the case."""

    def __init__(
        self,
        writer: SnapshotWriter,
        toast: WallToast,
        registry: CameraRegistry,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._writer, self._toast, self._registry = writer, toast, registry
        writer.saved_alone.connect(self._on_writer_saved_alone)
        writer.failed.connect(self._on_writer_failed)

    def camera_name(self, camera_id: str) -> str:
        return self._registry.get(camera_id).name if camera_id in self._registry else camera_id

    def take_tile(self, frame: Frame | None) -> None:
        if frame is None:
            self._toast.show_message(self.tr("No picture on this tile to save"), error=True)
        elif not self._writer.save(frame):
            self._say_off()

    def take_popup(self, frames: list[Frame], case_id: int | None) -> None:
        if not frames:
            self._toast.show_message(self.tr("No picture in the pop-up to save yet"), error=True)
        for frame in frames:
            if not self._writer.save(frame, for_case=case_id):
                self._say_off()
                return

    def _say_off(self) -> None:
        self._toast.show_message(self.tr("Snapshots are off: no folder to save them in"), error=True)

    def _on_writer_saved_alone(self, snapshot: Snapshot) -> None:
        name = self.camera_name(snapshot.camera_id)
        self._toast.show_message(fill(self.tr("Snapshot saved: %1 · %2"), name, snapshot.path.name))

    def _on_writer_failed(self, reason: str) -> None:
        self._toast.show_message(fill(self.tr("Could not save the snapshot: %1"), reason), error=True)
