"""Snapshots of wall tiles, written on their own thread and announced on the GUI thread."""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from video.frames import Frame
from video.snapshot import Snapshot, save_snapshot

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
            return
        snapshot = future.result()
        self.saved.emit(snapshot)
        if for_case is not None:
            self.evidence_saved.emit(Evidence(for_case, snapshot))
