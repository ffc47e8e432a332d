"""Fetches the photos of the case on screen on a worker thread and hands them to the panel and check form."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.shell.gui_call import GuiCall
from dispatch.casework.readouts import CaseFile
from dispatch.feed.attachments import AttachmentProblem, AttachmentRef, Photo
from dispatch.feed.photo_fetch import PhotoFetcher

log = logging.getLogger(__name__)
# Photos kept in memory: a few cases' worth; the disk cache holds the rest.
MEMORY_PHOTOS = 48


class UnitPhotos(QObject):
    """One fetch at a time, one thread: a slow host delays photos, never the desk or the GUI."""

    photo_fetched = Signal(object)
    """A photo for the case shown arrived, or why it could not (carries a dispatch.feed.attachments.Photo)."""

    def __init__(
        self, cache: Path | None, trusted: Iterable[str] = (), parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._cache = cache
        self._fetcher = PhotoFetcher(trusted, cache)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tianshu-photos")
        self._gui = GuiCall(self)
        self._memory: OrderedDict[str, Photo] = OrderedDict()
        self._pending: set[str] = set()
        self._wanted: frozenset[str] = frozenset()
        self._closed = False

    def trust(self, origins: Iterable[str]) -> None:
        """The origins photos may come from (the feed's own, and any the centre lists)."""
        self._fetcher = PhotoFetcher(origins, self._cache)

    def want(self, case_file: CaseFile | None) -> None:
        """Fetch what the case shown references (cached ones answer at once, before any fetch)."""
        refs = [] if case_file is None else [ref for word in case_file.unit_words for ref in word.attachments]
        self._wanted = frozenset(ref.uri for ref in refs)
        # The cached ones first: a fetch the worker finishes before GuiCall.when_done is reached (a loaded
        # machine preempts the GUI thread there) is answered inside this call, and would otherwise come
        # before a cached photo listed after it, or not, by chance.
        for ref in sorted(refs, key=lambda ref: ref.uri not in self._memory):
            self._fetch(ref)

    def _fetch(self, ref: AttachmentRef) -> None:
        if ref.uri in self._memory:
            self._memory.move_to_end(ref.uri)
            self.photo_fetched.emit(self._memory[ref.uri])
            return
        if ref.uri in self._pending or self._closed:
            return
        self._pending.add(ref.uri)
        self._gui.when_done(
            self._pool.submit(self._fetch_if_wanted, self._fetcher, ref),
            partial(self._on_fetched, ref.uri),
            partial(self._on_failed, ref.uri),
        )

    def _fetch_if_wanted(self, fetcher: PhotoFetcher, ref: AttachmentRef) -> Photo | None:
        # On the worker: the officer may have moved on to another case while this waited behind a slow
        # host; skip it then (reading the set's reference is atomic; the GUI thread replaces, never edits).
        return fetcher.fetch(ref) if ref.uri in self._wanted else None

    def _on_fetched(self, uri: str, photo: Photo | None) -> None:
        self._pending.discard(uri)
        if photo is None:
            return
        # A host that did not answer may answer next time; a refused photo stays refused.
        if photo.problem is not AttachmentProblem.UNREACHABLE:
            self._memory[photo.uri] = photo
            while len(self._memory) > MEMORY_PHOTOS:
                self._memory.popitem(last=False)
        if photo.uri in self._wanted and not self._closed:
            self.photo_fetched.emit(photo)

    def _on_failed(self, uri: str, error: BaseException) -> None:
        log.warning("fetching a unit photo failed: %s", error)
        self._on_fetched(uri, Photo(uri, problem=AttachmentProblem.UNREACHABLE))

    def close(self) -> None:
        """Stop fetching; a download under way finishes on its own (bounded by the fetch timeout)."""
        self._closed = True
        self._pool.shutdown(wait=False, cancel_futures=True)
