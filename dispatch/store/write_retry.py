"""Waits out a store that cannot take writes (full disk, I/O error, held lock) with back-off, and says so."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

from dispatch.feed.values import StorageTrouble
from dispatch.store.database import StoreError, storage_trouble

RETRY_FIRST_S = 0.25
RETRY_CAP_S = 10.0
# How long close() keeps trying a store that cannot take writes before it gives the batch up (the cursor
# stays behind it, so the feed resends it after the restart).
CLOSE_GRACE_S = 5.0

_log = logging.getLogger(__name__)


class WriteRetry:
    """Retries one commit until the store takes it; any error that is not storage trouble goes up."""

    def __init__(
        self, db_path: Path, on_trouble: Callable[[StorageTrouble | None, str], None] | None = None
    ) -> None:
        self._db_path = db_path
        self._on_trouble = on_trouble
        # Set while the store cannot take writes (disk full, I/O error, held lock); None when it can.
        self.trouble: StorageTrouble | None = None
        self.trouble_detail = ""
        self._give_up_at: float | None = None
        self._wake = threading.Event()

    def give_up_soon(self, timeout: float) -> None:
        """Closing: keep trying for CLOSE_GRACE_S (at most half the timeout), then let the batch go."""
        self._give_up_at = time.monotonic() + min(CLOSE_GRACE_S, timeout / 2)
        self._wake.set()

    def commit(self, attempt: Callable[[], None], disconnect: Callable[[], None]) -> None:
        """A full, failing or locked disk is waited out with back-off, keeping the batch and the cursor
        where they were; any other error stops the writer."""
        delay = RETRY_FIRST_S
        while True:
            try:
                attempt()
            except (sqlite3.Error, StoreError) as error:
                trouble = storage_trouble(error)
                if trouble is None or self._past_grace():
                    raise
                # After an I/O error the connection's picture of the file is suspect: start afresh.
                disconnect()
                self._report(trouble, str(error))
                self._back_off(delay)
                delay = min(delay * 2, RETRY_CAP_S)
            else:
                self._report(None, "")
                return

    def _past_grace(self) -> bool:
        return self._give_up_at is not None and time.monotonic() >= self._give_up_at

    def _back_off(self, delay: float) -> None:
        if self._give_up_at is None:
            self._wake.wait(delay)  # close() cuts the wait short for a last attempt
        else:
            time.sleep(max(0.0, min(delay, self._give_up_at - time.monotonic())))

    def _report(self, trouble: StorageTrouble | None, detail: str) -> None:
        if trouble is self.trouble and detail == self.trouble_detail:
            return
        if trouble is None:
            _log.warning("the store takes writes again: %s", self._db_path)
        else:
            _log.warning("the store cannot take writes, waiting (%s): %s", trouble.value, detail)
        self.trouble, self.trouble_detail = trouble, detail
        if self._on_trouble is not None:
            self._on_trouble(trouble, detail)
