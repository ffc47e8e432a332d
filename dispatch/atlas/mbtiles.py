"""Raster tiles from an MBTiles file (a centre's own offline basemap), read-only, addressed in XYZ."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from core.mercator import tms_row
from dispatch.store.read_only import open_read_only

# What Qt's image readers decode without plug-ins; vector tiles (pbf) would need a renderer.
RASTER_FORMATS = {"png": "png", "jpg": "jpg", "jpeg": "jpg", "webp": "webp"}
# MBTiles 1.3 allows zoom 0–30; a basemap past 24 is a mistake in the file, not a finer map.
_MAX_ZOOM = 30
_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"


class MbtilesError(ValueError):
    """An MBTiles file that cannot be drawn: which file, where in it, and what is wrong."""

    def __init__(self, file: str, where: str, message: str) -> None:
        self.file, self.where, self.message = file, where, message
        super().__init__(": ".join(part for part in (file, where, message) if part))


@dataclass(frozen=True, slots=True)
class TileSet:
    """What the file's metadata says: its name, tile format, zoom range and extent (west, south, east,
    north in the file's own datum, None when it does not say)."""

    name: str
    format: str
    min_zoom: int
    max_zoom: int
    bounds: tuple[float, float, float, float] | None


class MbtilesReader:
    """One MBTiles file opened read-only. Like any SQLite connection it belongs to the thread that opened
    it: the app reads tiles on one worker thread and hands decoded images to the map."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._name = path.name
        try:
            self._conn = open_read_only(path)
        except sqlite3.DatabaseError as error:
            raise MbtilesError(self._name, "", _why(error)) from None
        try:
            self.tile_set = self._describe()
        except sqlite3.DatabaseError as error:
            self._conn.close()
            raise MbtilesError(self._name, "", _why(error)) from None
        except MbtilesError:
            self._conn.close()
            raise

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> MbtilesReader:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def tile(self, zoom: int, column: int, row: int) -> bytes | None:
        """The image bytes of XYZ tile (zoom, column, row from the north), None where the file has none."""
        if not 0 <= zoom <= _MAX_ZOOM or not (0 <= column < 2**zoom and 0 <= row < 2**zoom):
            return None
        try:
            found = self._conn.execute(
                "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
                (zoom, column, tms_row(row, zoom)),
            ).fetchone()
        except sqlite3.DatabaseError as error:
            raise MbtilesError(self._name, f"tile {zoom}/{column}/{row}", _why(error)) from None
        if found is None or found[0] is None:
            return None
        data = found[0]
        if not isinstance(data, bytes):
            raise MbtilesError(self._name, f"tile {zoom}/{column}/{row}", "tile_data is not a blob")
        return data

    def _describe(self) -> TileSet:
        tables = {
            str(name)
            for (name,) in self._conn.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
            ).fetchall()
        }
        if "tiles" not in tables:
            raise MbtilesError(self._name, "", "no 'tiles' table: not an MBTiles file")
        columns = {str(row[1]) for row in self._conn.execute("PRAGMA table_info(tiles)").fetchall()}
        missing = sorted({"zoom_level", "tile_column", "tile_row", "tile_data"} - columns)
        if missing:
            raise MbtilesError(self._name, "tiles", f"missing column {missing[0]}: not an MBTiles file")
        meta: dict[str, str] = {}
        if "metadata" in tables:
            for name, value in self._conn.execute("SELECT name, value FROM metadata").fetchall():
                meta[str(name)] = str(value)
        low, high = self._conn.execute("SELECT min(zoom_level), max(zoom_level) FROM tiles").fetchone()
        if low is None:
            raise MbtilesError(self._name, "tiles", "holds no tiles")
        if not (isinstance(low, int) and isinstance(high, int) and 0 <= low <= high <= _MAX_ZOOM):
            raise MbtilesError(self._name, "tiles.zoom_level", f"zoom levels {low!r}–{high!r} outside 0–30")
        return TileSet(
            name=meta.get("name", self._name),
            format=self._format(meta.get("format"), low),
            min_zoom=low,
            max_zoom=high,
            bounds=_bounds(self._name, meta.get("bounds")),
        )

    def _format(self, declared: str | None, zoom: int) -> str:
        if declared is not None:
            known = RASTER_FORMATS.get(declared.strip().lower())
            if known is None:
                hint = " (vector tiles: render them to raster first)" if declared.lower() == "pbf" else ""
                raise MbtilesError(
                    self._name,
                    "metadata.format",
                    f"{declared!r} is not a raster format the map draws (png, jpg, webp){hint}",
                )
            return known
        # Older files leave the format out; the first tile's own header says what it is.
        first = self._conn.execute("SELECT tile_data FROM tiles WHERE zoom_level = ? LIMIT 1", (zoom,))
        data = first.fetchone()[0]
        head = bytes(data[:12]) if isinstance(data, bytes) else b""
        if head.startswith(_PNG):
            return "png"
        if head.startswith(_JPEG):
            return "jpg"
        if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
            return "webp"
        raise MbtilesError(self._name, "metadata.format", "missing, and the tiles are not PNG, JPEG or WebP")


def _bounds(file: str, text: str | None) -> tuple[float, float, float, float] | None:
    if text is None:
        return None
    try:
        west, south, east, north = (float(part) for part in text.split(","))
    except ValueError:
        raise MbtilesError(file, "metadata.bounds", f"{text!r} is not west,south,east,north") from None
    if not (-180.0 <= west < east <= 180.0 and -90.0 <= south < north <= 90.0):
        raise MbtilesError(file, "metadata.bounds", f"{text!r} is not west,south,east,north in degrees")
    return west, south, east, north


def _why(error: sqlite3.DatabaseError) -> str:
    text = str(error)
    if "not a database" in text:
        return "not an SQLite file, so not an MBTiles file"
    if "malformed" in text or "corrupt" in text:
        return f"corrupt: {text}"
    return text
