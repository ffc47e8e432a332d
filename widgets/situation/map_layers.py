"""The map's base: the atlas's districts, grid, roads and sites as paths built once, rendered per view."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPainterPath, QPen, QTransform

from core.mercator import TILE_SIZE, View, project, tiles_covering
from dispatch.atlas.model import Atlas
from widgets.common.palette import Palette
from widgets.situation.map_marks import Floats
from widgets.situation.map_sprites import colour_with_alpha
from widgets.situation.map_words import MapLayer

TileKey = tuple[int, int, int]  # zoom, column, row (XYZ)
MAJOR_ROADS = {"expressway", "arterial"}
GRID_MIN_ZOOM = 13.0  # below this the cells are a few pixels wide and only make noise
LABEL_MIN_ZOOM = 11.0
HEAT_CELL_PX = 8
LOAD_STEPS = 5


def _world(lon: Floats, lat: Floats) -> tuple[Floats, Floats]:
    return project(lon, lat, 0)


def _ring_path(rings: list[tuple[tuple[float, float], ...]]) -> QPainterPath:
    """Closed rings as one path in world pixels at zoom 0."""
    if not rings:
        return QPainterPath()
    lon = np.concatenate([np.array([p[0] for p in r]) for r in rings])
    lat = np.concatenate([np.array([p[1] for p in r]) for r in rings])
    x, y = _world(lon, lat)
    connect = np.ones(len(x), dtype=np.int32)
    ends = np.cumsum([len(r) for r in rings]) - 1
    connect[ends] = 0  # each ring's last point does not join the next ring's first
    path: QPainterPath = pg.arrayToQPath(x, y, connect=connect, finiteCheck=False)
    return path


@dataclass(frozen=True, slots=True)
class BasemapInfo:
    """The raster basemap's zoom range, for picking the tiles a view needs."""

    min_zoom: int
    max_zoom: int

    def tile_zoom(self, zoom: float) -> int:
        return int(min(self.max_zoom, max(self.min_zoom, round(zoom))))


class BaseLayer:
    """The atlas's geography as paths in world pixels at zoom 0 (built once per atlas); `render` draws
    them for one view into a pixmap that the map keeps until the view changes."""

    def __init__(self, atlas: Atlas, palette: Palette) -> None:
        self.palette = palette
        self.districts = [(d.name, _ring_path(list(d.outline))) for d in atlas.districts]
        self.district_anchors = [_anchor(d.outline) for d in atlas.districts]
        self.cells = {c.code: _ring_path([c.outline]) for c in atlas.cells}
        self.grid = _ring_path([c.outline for c in atlas.cells])
        self.major, self.minor = self._roads(atlas)
        lon = np.array([p.lon for p in atlas.places], dtype=np.float64)
        lat = np.array([p.lat for p in atlas.places], dtype=np.float64)
        self.place_x, self.place_y = _world(lon, lat)
        self.place_names = tuple(p.name for p in atlas.places)
        lons = [p[0] for d in atlas.districts for r in d.outline for p in r]
        lats = [p[1] for d in atlas.districts for r in d.outline for p in r]
        self.extent = (min(lons), min(lats), max(lons), max(lats)) if lons else (-180.0, -85.0, 180.0, 85.0)

    @staticmethod
    def _roads(atlas: Atlas) -> tuple[QPainterPath, QPainterPath]:
        junction_lon = np.array([j.lon for j in atlas.junctions], dtype=np.float64)
        junction_lat = np.array([j.lat for j in atlas.junctions], dtype=np.float64)
        jx, jy = _world(junction_lon, junction_lat)
        paths = []
        for major in (True, False):
            ends = np.array(
                [(s.a, s.b) for s in atlas.segments if (s.road_class in MAJOR_ROADS) == major], dtype=np.intp
            ).reshape(-1, 2)
            flat = ends.reshape(-1)
            paths.append(pg.arrayToQPath(jx[flat], jy[flat], connect="pairs", finiteCheck=False))
        return paths[0], paths[1]

    def render(
        self,
        view: View,
        margin: int,
        visible: set[MapLayer],
        tiles: Mapping[TileKey, QImage],
        basemap: BasemapInfo | None,
        grid_load: Mapping[str, int],
        label_px: int = 13,
    ) -> QImage:
        """The base for `view` with `margin` extra pixels on every side (a drag shows them at once)."""
        pixmap = QImage(view.width + 2 * margin, view.height + 2 * margin, QImage.Format.Format_RGB32)
        pixmap.fill(self.palette.color("map_bg"))
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        ox, oy = view.origin()
        ox, oy = ox - margin, oy - margin
        scale = 2.0**view.zoom
        raster = MapLayer.BASEMAP in visible and basemap is not None and bool(tiles)
        if raster and basemap is not None:
            self._tiles(painter, view, ox, oy, tiles, basemap, pixmap.width(), pixmap.height())
        painter.setTransform(QTransform(scale, 0, 0, scale, -ox, -oy))
        # Fills without antialiasing: their edges lie under antialiased lines drawn next, and a smooth
        # edge on a city-sized polygon costs as much as the rest of the base.
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        if MapLayer.DISTRICTS in visible:
            fill = self.palette.color("map_district")
            painter.setPen(Qt.PenStyle.NoPen)
            for _, path in self.districts:
                painter.fillPath(path, colour_with_alpha(fill, 0.45 if raster else 1.0))
        if MapLayer.GRID_LOAD in visible and grid_load:
            self._grid_load(painter, grid_load)
        # Cosmetic pens through drawPath take the rasteriser's fast line path; strokePath would build
        # and fill an outline of every line first (ten times slower here).
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if MapLayer.GRID in visible and view.zoom >= GRID_MIN_ZOOM:
            painter.setPen(_pen(self.palette.color("map_grid_line"), 1.0))  # hairlines, mostly straight
            painter.drawPath(self.grid)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if MapLayer.ROADS in visible:
            width = 1.0 if view.zoom < 13 else 2.0
            painter.setPen(_pen(self.palette.color("map_road_minor"), width))
            painter.drawPath(self.minor)
            painter.setPen(_pen(self.palette.color("map_road_major"), width + 1.0))
            painter.drawPath(self.major)
        if MapLayer.DISTRICTS in visible:
            painter.setPen(_pen(self.palette.color("map_district_line"), 1.5))
            for _, path in self.districts:
                painter.drawPath(path)
        painter.resetTransform()
        if MapLayer.DISTRICTS in visible and view.zoom >= LABEL_MIN_ZOOM:
            self._labels(painter, scale, ox, oy, label_px)
        painter.end()
        return pixmap

    def _tiles(
        self,
        painter: QPainter,
        view: View,
        ox: float,
        oy: float,
        tiles: Mapping[TileKey, QImage],
        basemap: BasemapInfo,
        width: int,
        height: int,
    ) -> None:
        z = basemap.tile_zoom(view.zoom)
        factor = 2.0 ** (view.zoom - z)  # a tile of zoom z drawn at the view's zoom
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        size = TILE_SIZE * factor
        for col, row in needed_tiles(view, basemap, width, height, ox, oy):
            image = tiles.get((z, col, row))
            if image is not None and not image.isNull():
                painter.drawImage(QRectF(col * size - ox, row * size - oy, size, size), image)

    def _grid_load(self, painter: QPainter, load: Mapping[str, int]) -> None:
        """Cells shaded in five steps of their share of the busiest cell's count: one fill per step."""
        colour = self.palette.color("map_grid_load")
        most = max(load.values(), default=1) or 1
        steps = [QPainterPath() for _ in range(LOAD_STEPS)]
        for code, count in load.items():
            path = self.cells.get(code)
            if path is not None and count > 0:
                steps[min(LOAD_STEPS - 1, (count * LOAD_STEPS - 1) // most)].addPath(path)
        painter.setPen(Qt.PenStyle.NoPen)
        for step, path in enumerate(steps):
            if not path.isEmpty():
                painter.fillPath(path, colour_with_alpha(colour, 0.12 + 0.4 * (step + 1) / LOAD_STEPS))

    def _labels(self, painter: QPainter, scale: float, ox: float, oy: float, px: int) -> None:
        font = QFont(painter.font())
        font.setPixelSize(px)
        painter.setFont(font)
        painter.setPen(self.palette.color("map_label"))
        for (name, _), (wx, wy) in zip(self.districts, self.district_anchors, strict=True):
            centre = QPointF(wx * scale - ox, wy * scale - oy)
            box = QRectF(centre.x() - 7 * px, centre.y() - px, 14 * px, 2 * px)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, name)


def needed_tiles(
    view: View, basemap: BasemapInfo, width: int, height: int, ox: float, oy: float
) -> list[tuple[int, int]]:
    """The tiles of the basemap's zoom for this view that cover `width` × `height` from (ox, oy)."""
    z = basemap.tile_zoom(view.zoom)
    factor = 2.0 ** (view.zoom - z)
    covering = tiles_covering(ox / factor, oy / factor, (ox + width) / factor, (oy + height) / factor, z)
    return list(covering)


def missing_tiles(
    view: View, basemap: BasemapInfo, held: Mapping[TileKey, QImage], asked: set[TileKey]
) -> tuple[TileKey, ...]:
    """The basemap tiles the view needs that the map neither holds nor has asked for already."""
    ox, oy = view.origin()
    z = basemap.tile_zoom(view.zoom)
    keys = ((z, col, row) for col, row in needed_tiles(view, basemap, view.width, view.height, ox, oy))
    return tuple(k for k in keys if k not in held and k not in asked)


def _anchor(outline: tuple[tuple[tuple[float, float], ...], ...]) -> tuple[float, float]:
    """Where a district's name goes: the mean of its largest ring's vertices, in world pixels at zoom 0."""
    ring = max(outline, key=len)
    x, y = _world(np.array([p[0] for p in ring]), np.array([p[1] for p in ring]))
    return float(x.mean()), float(y.mean())


def _pen(colour: QColor, width: float) -> QPen:
    pen = QPen(colour, width)
    pen.setCosmetic(True)  # widths in screen pixels whatever the zoom
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


def heat_cell_px(width: int) -> int:
    """Heat cells of 8 pixels on a console, coarser on a wall canvas: a density needs no finer grain, and
    the cost grows with the cells."""
    return max(HEAT_CELL_PX, width // 240)


def heat_image(x: Floats, y: Floats, width: int, height: int, colour: QColor) -> QImage:
    """Where marks crowd: counts per heat cell, blurred twice with a 5-cell box, as a translucent image of
    the colour (drawn scaled up by `heat_cell_px(width)` over the map)."""
    cell = heat_cell_px(width)
    cols, rows = max(1, width // cell + 1), max(1, height // cell + 1)
    inside = (x >= 0) & (x < width) & (y >= 0) & (y < height)
    counts, _, _ = np.histogram2d(
        y[inside], x[inside], bins=(rows, cols), range=((0, rows * cell), (0, cols * cell))
    )
    for _ in range(2):
        counts = _box_blur(_box_blur(counts, 0), 1)
    peak = counts.max()
    rgba = np.zeros((rows, cols, 4), dtype=np.uint8)
    if peak > 0:
        strength = (counts / peak) ** 0.7
        alpha = (strength * 200.0).astype(np.uint8)
        # Premultiplied ARGB32 in memory order B, G, R, A on little-endian machines.
        rgba[..., 0] = (colour.blue() * strength * 200.0 / 255.0).astype(np.uint8)
        rgba[..., 1] = (colour.green() * strength * 200.0 / 255.0).astype(np.uint8)
        rgba[..., 2] = (colour.red() * strength * 200.0 / 255.0).astype(np.uint8)
        rgba[..., 3] = alpha
    image = QImage(rgba.data, cols, rows, cols * 4, QImage.Format.Format_ARGB32_Premultiplied)
    return image.copy()  # own the pixels: the numpy buffer goes away


def _box_blur(values: np.ndarray, axis: int, radius: int = 2) -> np.ndarray:
    padded = np.concatenate(
        [np.zeros_like(values.take(range(radius + 1), axis=axis)), values,
         np.zeros_like(values.take(range(radius), axis=axis))], axis=axis,
    )  # fmt: skip
    summed = np.cumsum(padded, axis=axis)
    n = values.shape[axis]
    upper = summed.take(range(2 * radius + 1, 2 * radius + 1 + n), axis=axis)
    lower = summed.take(range(n), axis=axis)
    blurred: np.ndarray = (upper - lower) / (2 * radius + 1)
    return blurred
