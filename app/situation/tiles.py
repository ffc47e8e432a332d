"""The basemap's tiles for the map: read from the MBTiles file and decoded on one thread of their own."""

from __future__ import annotations

import concurrent.futures
import logging
from collections.abc import Sequence

from PySide6.QtCore import QObject
from PySide6.QtGui import QImage

from app.shell.gui_call import GuiCall
from dispatch.atlas.mbtiles import MbtilesError, MbtilesReader
from dispatch.atlas.model import Basemap
from widgets.situation.map_layers import BasemapInfo, TileKey
from widgets.situation.map_view import SituationMap

log = logging.getLogger(__name__)
Tiles = dict[TileKey, QImage | None]


class TileLoader(QObject):
    """Answers the map's `tiles_wanted` with decoded images. The file's connection lives on the loader's
    one thread (SQLite connections belong to their thread); a tile that cannot be read or decoded is
    answered with None and logged, and the rest of the map goes on."""

    def __init__(self, view: SituationMap, basemap: Basemap) -> None:
        super().__init__(view)
        self.view = view
        self.basemap = basemap
        self.gui = GuiCall(self)
        self._pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="map-tiles")
        self._reader: MbtilesReader | None = None
        self._broken = False
        view.set_basemap(BasemapInfo(basemap.min_zoom, basemap.max_zoom))
        view.tiles_wanted.connect(self._on_view_tiles_wanted)

    def close(self) -> None:
        """Stop reading; the thread closes the file once the tiles asked for are read."""
        self._pool.submit(self._close_reader)
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _on_view_tiles_wanted(self, keys: Sequence[TileKey]) -> None:
        future = self._pool.submit(self._read, tuple(keys))
        self.gui.when_done(future, self.view.show_tiles, self._on_failed)

    def _read(self, keys: tuple[TileKey, ...]) -> Tiles:
        """On the loader's thread: each tile's bytes from the file, decoded (QImage is fine off the GUI)."""
        if self._broken:
            return dict.fromkeys(keys)
        if self._reader is None:
            try:
                self._reader = MbtilesReader(self.basemap.path)
            except MbtilesError as error:
                self._broken = True
                log.error("the basemap cannot be read: %s", error)
                return dict.fromkeys(keys)
        tiles: Tiles = {}
        for key in keys:
            try:
                data = self._reader.tile(*key)
            except MbtilesError as error:
                log.warning("a basemap tile cannot be read: %s", error)
                data = None
            image = QImage.fromData(data) if data is not None else None
            if image is not None and image.isNull():
                log.warning("basemap tile %s/%s/%s is not a picture Qt can decode", *key)
                image = None
            tiles[key] = image
        return tiles

    def _close_reader(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def _on_failed(self, error: BaseException) -> None:
        log.error("reading basemap tiles failed: %s", error, exc_info=error)
