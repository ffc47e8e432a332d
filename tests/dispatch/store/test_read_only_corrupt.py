"""A damaged file opened read-only fails as a database error, also when SQLite's message is not text."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dispatch.atlas.mbtiles import MbtilesError, MbtilesReader
from dispatch.store.read_only import open_read_only


def damaged_schema(path: Path) -> Path:
    """A file whose index has a name that is not UTF-8 and SQL that does not parse: SQLite's message
    about it quotes those bytes (hypothesis found such a file among spoilt basemaps)."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE tiles (x)")
    conn.execute("CREATE INDEX tile_index ON tiles (x)")
    conn.commit()
    conn.close()
    data = path.read_bytes().replace(b"tile_index", b"\x82ile_index", 1)
    path.write_bytes(data.replace(b"CREATE INDEX", b"CREATE INDEZ", 1))
    return path


def test_a_schema_named_in_bytes_that_are_not_text_is_a_database_error(tmp_path: Path) -> None:
    path = damaged_schema(tmp_path / "store.sqlite3")
    with pytest.raises(sqlite3.DatabaseError, match=r"malformed database schema \(\ufffdile_index\)"):
        open_read_only(path)


def test_such_a_basemap_is_refused_with_a_precise_error(tmp_path: Path) -> None:
    path = damaged_schema(tmp_path / "base.mbtiles")
    with pytest.raises(MbtilesError, match=r"^base\.mbtiles: corrupt: malformed database schema"):
        MbtilesReader(path)
