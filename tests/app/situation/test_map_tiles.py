"""The basemap under the map: tiles read from an MBTiles file on the loader's thread and drawn; a broken
tile costs only itself; a GCJ-02 basemap gets the atlas drawn in GCJ-02 and cameras still on their street."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from app.shell.theme import load_palette
from app.situation.controller import atlas_for_map, camera_marks
from app.situation.tiles import TileLoader
from core.mercator import View, tile_of
from dispatch.atlas import Datum, load_atlas, wgs84_to_gcj02
from dispatch.atlas.model import Basemap
from tests.dispatch.atlas import small_city
from tests.dispatch.atlas.test_basemap import city_with_basemap
from tests.dispatch.atlas.test_mbtiles import write_mbtiles
from widgets.situation.map_view import SituationMap
from widgets.situation.map_words import MapLayer

ZOOM = 14
CENTRE = (120.05, 30.025)


def png(colour: str) -> bytes:
    image = QImage(256, 256, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


@pytest.fixture
def view(qtbot: QtBot) -> SituationMap:
    widget = SituationMap(load_palette())
    qtbot.addWidget(widget)
    widget.resize(800, 600)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def bare(view: SituationMap) -> None:
    """Only the basemap, so a pixel shows the tile under it."""
    for layer in MapLayer:
        if layer is not MapLayer.BASEMAP:
            view.set_layer_visible(layer, False)


def test_tiles_are_read_on_their_thread_and_drawn(qtbot: QtBot, view: SituationMap, tmp_path: Path) -> None:
    col, row = tile_of(*CENTRE, ZOOM)
    tiles = {(ZOOM, c, r): png("#2a6f4a") for c in range(col - 3, col + 4) for r in range(row - 3, row + 4)}
    tiles[(ZOOM, col, row)] = b"\x89PNG\r\n\x1a\n not really a picture"
    path = write_mbtiles(tmp_path / "base.mbtiles", tiles)
    view.set_atlas(load_atlas(small_city.write(tmp_path / "city", small_city.files())))
    bare(view)
    loader = TileLoader(view, Basemap(path, Datum.WGS84, ZOOM, ZOOM))
    try:
        view.set_view(View(*CENTRE, float(ZOOM), 800, 600))
        # The broken tile is left blank; its neighbours are drawn.
        x, y = view.view.to_screen(*CENTRE)
        far = QPoint(round(x) + 300, round(y) + 200)
        qtbot.waitUntil(lambda: view.grab().toImage().pixelColor(far) == QColor("#2a6f4a"))
        assert view.grab().toImage().pixelColor(QPoint(round(x), round(y))) != QColor("#2a6f4a")
    finally:
        loader.close()


def test_a_gcj02_basemap_gets_the_atlas_in_gcj02_and_cameras_stay_on_their_street(tmp_path: Path) -> None:
    city = city_with_basemap(tmp_path / "city", {"file": "base.mbtiles", "datum": "gcj02"})
    write_mbtiles(city / "base.mbtiles", {(ZOOM, 0, 0): png("#000000")})
    atlas = load_atlas(city)

    shown = atlas_for_map(atlas)

    assert shown.datum is Datum.GCJ02
    assert shown.cameras[0].lon == pytest.approx(
        wgs84_to_gcj02(atlas.cameras[0].lon, atlas.cameras[0].lat)[0]
    )
    # Cameras are handed to the map in WGS-84, which converts them onto the basemap like any feed position.
    marks = camera_marks(shown)
    assert marks.lon[0] == pytest.approx(atlas.cameras[0].lon, abs=1e-7)
    assert marks.lat[0] == pytest.approx(atlas.cameras[0].lat, abs=1e-7)
