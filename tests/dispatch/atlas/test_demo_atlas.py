"""The demo city is one atlas: the bundled files are what the generator writes and rank units as it does."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from dispatch.atlas import load_atlas
from dispatch.casework.recommend import RoadNetwork, base_positions, recommend
from sim.city import demo_city

ROOT = Path(__file__).resolve().parents[3]
DEMO = ROOT / "resources" / "atlas" / "demo"


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("make_demo_atlas", ROOT / "scripts" / "make_demo_atlas.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_bundled_demo_atlas_is_what_the_generator_writes_today() -> None:
    # A change to the demo city without `python scripts/make_demo_atlas.py` would show here.
    for name, text in _generator().atlas_files(demo_city()).items():
        assert (DEMO / name).read_text(encoding="utf-8") == text, name


def test_the_demo_atlas_holds_the_demo_city_and_stays_small() -> None:
    city, atlas = demo_city(), load_atlas(DEMO)

    assert [u.id for u in atlas.units] == [u.id for u in city.units]
    assert [d.code for d in atlas.districts] == [d.code for d in city.districts]
    assert len(atlas.segments) == len(city.edges)
    assert len(atlas.cells) == len(city.cells)
    assert sum(f.stat().st_size for f in DEMO.iterdir()) < 1_000_000


@pytest.mark.parametrize("place", [(120.15, 30.27), (120.09, 30.31), (120.21, 30.22), (120.12, 30.245)])
def test_the_demo_atlas_ranks_units_as_the_demo_city_does(place: tuple[float, float]) -> None:
    city, atlas = demo_city(), load_atlas(DEMO)

    from_city = recommend(RoadNetwork.from_city(city), *place, base_positions(city), limit=30)
    from_atlas = recommend(RoadNetwork.from_atlas(atlas), *place, base_positions(atlas), limit=30)

    assert [r.unit_id for r in from_atlas] == [r.unit_id for r in from_city]
    assert [r.travel_s for r in from_atlas] == pytest.approx([r.travel_s for r in from_city], rel=1e-9)
