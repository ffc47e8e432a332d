"""MBTiles basemaps: tiles by XYZ address from a file the test writes; broken files say what is wrong."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.mercator import tms_row
from dispatch.atlas.mbtiles import MbtilesError, MbtilesReader

PNG = b"\x89PNG\r\n\x1a\n"


def write_mbtiles(
    path: Path,
    tiles: dict[tuple[int, int, int], bytes],
    metadata: dict[str, str] | None = None,
) -> Path:
    """An MBTiles file as the spec lays it out: `tiles` keyed by XYZ address, stored in TMS rows."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    conn.execute(
        "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)"
    )
    conn.execute("CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row)")
    conn.executemany(
        "INSERT INTO metadata VALUES (?, ?)",
        (metadata if metadata is not None else {"name": "城区底图", "format": "png"}).items(),
    )
    conn.executemany(
        "INSERT INTO tiles VALUES (?, ?, ?, ?)",
        [(z, x, tms_row(y, z), data) for (z, x, y), data in tiles.items()],
    )
    conn.commit()
    conn.close()
    return path


def tile_bytes(z: int, x: int, y: int) -> bytes:
    return PNG + f"{z}/{x}/{y}".encode()


addresses = st.integers(0, 6).flatmap(
    lambda z: st.tuples(st.just(z), st.integers(0, 2**z - 1), st.integers(0, 2**z - 1))
)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sets(addresses, min_size=1, max_size=30), addresses)
def test_each_tile_is_found_at_its_xyz_address(
    tmp_path_factory: pytest.TempPathFactory, stored: set[tuple[int, int, int]], asked: tuple[int, int, int]
) -> None:
    path = write_mbtiles(
        tmp_path_factory.mktemp("tiles") / "base.mbtiles", {a: tile_bytes(*a) for a in stored}
    )

    with MbtilesReader(path) as reader:
        for address in stored:
            assert reader.tile(*address) == tile_bytes(*address)
        assert reader.tile(*asked) == (tile_bytes(*asked) if asked in stored else None)


def test_the_row_is_flipped_between_xyz_and_tms(tmp_path: Path) -> None:
    # The northmost row at zoom 2 is stored as TMS row 3; reading XYZ row 3 must not find it.
    path = write_mbtiles(tmp_path / "base.mbtiles", {(2, 1, 0): tile_bytes(2, 1, 0)})
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT tile_row FROM tiles").fetchone() == (3,)
    conn.close()

    with MbtilesReader(path) as reader:
        assert reader.tile(2, 1, 0) == tile_bytes(2, 1, 0)
        assert reader.tile(2, 1, 3) is None


def test_the_metadata_describes_the_tile_set(tmp_path: Path) -> None:
    path = write_mbtiles(
        tmp_path / "base.mbtiles",
        {(12, 3415, 1686): tile_bytes(12, 3415, 1686), (14, 13661, 6746): tile_bytes(14, 13661, 6746)},
        {"name": "城区底图", "format": "jpeg", "bounds": "120.0,30.1,120.3,30.4"},
    )

    with MbtilesReader(path) as reader:
        info = reader.tile_set

    assert (info.name, info.format, info.min_zoom, info.max_zoom) == ("城区底图", "jpg", 12, 14)
    assert info.bounds == (120.0, 30.1, 120.3, 30.4)


def test_without_a_declared_format_the_tiles_header_says_it(tmp_path: Path) -> None:
    path = write_mbtiles(tmp_path / "old.mbtiles", {(3, 6, 3): b"\xff\xd8\xff\xe0jpeg"}, {})

    with MbtilesReader(path) as reader:
        assert reader.tile_set.format == "jpg"
        assert reader.tile_set.name == "old.mbtiles"


def test_addresses_outside_the_world_have_no_tile(tmp_path: Path) -> None:
    path = write_mbtiles(tmp_path / "base.mbtiles", {(1, 0, 0): tile_bytes(1, 0, 0)})

    with MbtilesReader(path) as reader:
        assert reader.tile(1, 2, 0) is None
        assert reader.tile(1, 0, -1) is None
        assert reader.tile(-1, 0, 0) is None
        assert reader.tile(31, 0, 0) is None


def test_reading_changes_nothing_and_works_on_a_read_only_file(tmp_path: Path) -> None:
    path = write_mbtiles(tmp_path / "base.mbtiles", {(1, 1, 1): tile_bytes(1, 1, 1)})
    before = path.read_bytes()
    path.chmod(0o444)
    tmp_path.chmod(0o555)  # read-only media: not even a journal can be created beside it
    try:
        with MbtilesReader(path) as reader:
            assert reader.tile(1, 1, 1) == tile_bytes(1, 1, 1)
    finally:
        tmp_path.chmod(0o755)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base.mbtiles"]


def test_a_file_that_is_not_sqlite_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "roads.geojson.mbtiles"
    path.write_text('{"type": "FeatureCollection"}' * 200)

    with pytest.raises(MbtilesError, match=r"roads\.geojson\.mbtiles: not an SQLite file"):
        MbtilesReader(path)


def test_a_database_without_tiles_is_not_an_mbtiles_file(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE cases (id INTEGER)")
    conn.close()

    with pytest.raises(MbtilesError, match=r"store\.db: no 'tiles' table: not an MBTiles file"):
        MbtilesReader(path)


def test_a_tiles_table_missing_a_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "odd.mbtiles"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_data BLOB)")
    conn.close()

    with pytest.raises(MbtilesError, match=r"odd\.mbtiles: tiles: missing column tile_row"):
        MbtilesReader(path)


def test_an_empty_tile_set_is_refused(tmp_path: Path) -> None:
    path = write_mbtiles(tmp_path / "empty.mbtiles", {})

    with pytest.raises(MbtilesError, match=r"empty\.mbtiles: tiles: holds no tiles"):
        MbtilesReader(path)


def test_vector_tiles_are_refused_with_what_to_do(tmp_path: Path) -> None:
    path = write_mbtiles(tmp_path / "v.mbtiles", {(0, 0, 0): b"\x1a\x00"}, {"format": "pbf"})

    with pytest.raises(MbtilesError, match=r"v\.mbtiles: metadata\.format: 'pbf' .*render them to raster"):
        MbtilesReader(path)


@pytest.mark.parametrize("bounds", ["120,30,120.3", "east,south,west,north", "121,30,120,31", "nan,0,1,1"])
def test_bounds_that_are_not_a_box_are_named(tmp_path: Path, bounds: str) -> None:
    path = write_mbtiles(
        tmp_path / "b.mbtiles", {(0, 0, 0): tile_bytes(0, 0, 0)}, {"format": "png", "bounds": bounds}
    )

    with pytest.raises(MbtilesError, match=r"b\.mbtiles: metadata\.bounds: "):
        MbtilesReader(path)


@pytest.fixture(scope="module")
def sound_file(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A basemap of a few hundred tiles spread over many pages, as bytes to spoil."""
    path = tmp_path_factory.mktemp("sound") / "base.mbtiles"
    tiles = {(5, x, y): tile_bytes(5, x, y) * 40 for x in range(20) for y in range(20)}
    return write_mbtiles(path, tiles).read_bytes()


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_a_corrupt_file_gives_tiles_or_a_precise_error_never_anything_else(
    tmp_path_factory: pytest.TempPathFactory, sound_file: bytes, data: st.DataObject
) -> None:
    spoilt = bytearray(sound_file)
    how = data.draw(st.sampled_from(["cut", "overwrite"]))
    if how == "cut":
        del spoilt[data.draw(st.integers(0, len(spoilt) - 1)) :]
    else:
        start = data.draw(st.integers(0, len(spoilt) - 1))
        noise = data.draw(st.binary(min_size=1, max_size=4096))
        spoilt[start : start + len(noise)] = noise
    path = tmp_path_factory.mktemp("spoilt") / "base.mbtiles"
    path.write_bytes(bytes(spoilt))

    try:
        reader = MbtilesReader(path)
    except MbtilesError as error:
        refused = str(error)
        assert refused.startswith("base.mbtiles")
        return
    with reader:
        for x in range(0, 20, 3):
            for y in range(0, 20, 3):
                try:
                    tile = reader.tile(5, x, y)
                except MbtilesError as error:
                    refused = str(error)
                    assert refused.startswith(f"base.mbtiles: tile 5/{x}/{y}")
                    continue
                assert tile is None or isinstance(tile, bytes)
    assert os.path.getsize(path) == len(spoilt)
