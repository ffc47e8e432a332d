"""Snapshots of wall tiles, written on their own thread and announced on the GUI thread."""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from video.frames import Frame
from video.snapshot import Snapshot, save_snapshot

log = logging.getLogger(__name__)


class SnapshotWriter(QObject):
    """JPEG encoding and fsync stay off the GUI thread; the frame is an immutable value taken there."""

    saved = Signal(object)
    """A snapshot was written (carries the video.snapshot.Snapshot, for the case's evidence)."""

    def __init__(self, directory: Path | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.directory = directory
        self._io = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tianshu-snapshot")

    def save(self, frame: Frame) -> bool:
        """Queue `frame` for writing; False when no snapshot directory is configured."""
        if self.directory is None:
            return False
        self._io.submit(save_snapshot, frame, self.directory).add_done_callback(self._on_written)
        return True

    def close(self) -> None:
        """Wait for snapshots in progress: none is left half-written."""
        self._io.shutdown(wait=True)

    def _on_written(self, future: Future[Snapshot]) -> None:
        # On the writer thread: the signal is queued to the GUI thread.
        error = future.exception()
        if error is not None:
            log.error("could not save a snapshot: %s", error)
            return
        self.saved.emit(future.result())
