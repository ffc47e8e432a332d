"""An atlas may name a raster basemap (MBTiles) with its datum; a file that is not one stops the start."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dispatch.atlas import AtlasError, Datum, load_atlas
from tests.dispatch.atlas import small_city
from tests.dispatch.atlas.test_mbtiles import tile_bytes, write_mbtiles


def city_with_basemap(directory: Path, basemap: dict[str, object]) -> Path:
    texts = small_city.files()
    manifest = yaml.safe_load(texts["atlas.yaml"])
    manifest["layers"]["basemap"] = basemap
    texts["atlas.yaml"] = yaml.safe_dump(manifest, allow_unicode=True)
    return small_city.write(directory, texts)


def test_the_basemap_is_named_with_its_datum_and_zoom_range(tmp_path: Path) -> None:
    city = city_with_basemap(tmp_path / "city", {"file": "tiles/base.mbtiles", "datum": "gcj02"})
    (city / "tiles").mkdir()
    write_mbtiles(city / "tiles" / "base.mbtiles", {(z, 0, 0): tile_bytes(z, 0, 0) for z in (10, 11, 12)})

    atlas = load_atlas(city)

    assert atlas.basemap is not None
    assert (atlas.basemap.path, atlas.basemap.datum) == (city / "tiles" / "base.mbtiles", Datum.GCJ02)
    assert (atlas.basemap.min_zoom, atlas.basemap.max_zoom) == (10, 12)


def test_an_atlas_without_a_basemap_has_none(tmp_path: Path) -> None:
    assert load_atlas(small_city.write(tmp_path / "city", small_city.files())).basemap is None


def test_a_basemap_that_is_not_mbtiles_stops_with_its_name(tmp_path: Path) -> None:
    city = city_with_basemap(tmp_path / "city", {"file": "base.mbtiles", "datum": "gcj02"})
    (city / "base.mbtiles").write_bytes(b"PK\x03\x04 a zip, not a tile set" * 100)

    with pytest.raises(AtlasError, match=r"^base\.mbtiles: not an SQLite file"):
        load_atlas(city)


def test_a_basemap_must_declare_its_datum(tmp_path: Path) -> None:
    city = city_with_basemap(tmp_path / "city", {"file": "base.mbtiles"})

    with pytest.raises(AtlasError, match=r"atlas\.yaml: layers\.basemap\.datum: declare the layer's datum"):
        load_atlas(city)
