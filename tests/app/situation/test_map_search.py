"""What the map's search finds in the city and the store, and how it ranks it; warnings in force read
from whatever a CAP payload holds."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.situation.controller import wgs84_of
from app.situation.search import SearchIndex
from dispatch.atlas import Atlas, Datum, load_atlas
from dispatch.casework.records.map_cases import find_cases
from dispatch.casework.records.warning_areas import warning_areas
from dispatch.store.database import open_store
from tests.dispatch.casework.policies import new_case, open_loop, put_event

DEMO = Path(__file__).resolve().parents[3] / "resources" / "atlas" / "demo"
NOW = 1_800_000_000.0


@pytest.fixture(scope="module")
def demo_atlas() -> Atlas:
    return load_atlas(DEMO)


@pytest.fixture(scope="module")
def index(demo_atlas: Atlas) -> SearchIndex:
    return SearchIndex.of_atlas(demo_atlas, wgs84_of(demo_atlas))


def test_a_whole_name_comes_before_names_that_start_or_hold_it(index: SearchIndex) -> None:
    found = index.find("东港")
    assert (found[0].kind, found[0].label) == ("district", "东港区")  # of names starting so, the district
    assert all(f.label.startswith("东港") for f in found)
    assert "东港快速路" in [f.label for f in found]
    assert index.find("快速路")[0].label == "东港快速路"  # a name holding the words, when none starts so
    exact = index.find("东港区")
    assert exact[0].label == "东港区"
    assert exact[0].kind == "district"


def test_places_are_found_by_address_and_cameras_by_their_code(index: SearchIndex, demo_atlas: Atlas) -> None:
    place = demo_atlas.places[0]
    by_address = index.find(place.address)
    assert by_address[0].label == place.name
    assert (by_address[0].lon, by_address[0].lat) == (place.lon, place.lat)
    camera = demo_atlas.cameras[0]
    assert index.find(camera.id)[0].label == camera.name


def test_units_are_found_where_they_are_now(index: SearchIndex) -> None:
    found = index.find("环卫", units=(("U-1", "钟楼区环卫所", 120.2, 30.3),))
    unit = next(f for f in found if f.kind == "unit")
    assert (unit.label, unit.lon, unit.lat) == ("钟楼区环卫所", 120.2, 30.3)
    assert index.find("  ") == ()


def test_a_gcj02_atlas_is_searched_in_wgs84(demo_atlas: Atlas) -> None:
    """The map takes every position in WGS-84: a hit from a GCJ-02 atlas lands where the WGS-84 atlas
    has the same place (to a metre or so; the inverse is iterative)."""
    gcj = load_atlas(DEMO, Datum.GCJ02)
    hit = SearchIndex.of_atlas(gcj, wgs84_of(gcj)).find(demo_atlas.places[0].name)[0]
    assert abs(hit.lon - demo_atlas.places[0].lon) < 2e-5
    assert abs(hit.lat - demo_atlas.places[0].lat) < 2e-5


@pytest.fixture(scope="module")
def two_cases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    loop = open_loop(tmp_path_factory.mktemp("search") / "cases.sqlite3")
    new_case(loop, "e1", title="井盖缺失 100%_完好", address="解放路 12 号")
    new_case(loop, "e2", title="积水 人民路", address="人民路 3 号")
    yield loop.conn
    loop.close()


def test_a_case_is_found_by_code_title_or_address(two_cases: sqlite3.Connection) -> None:
    code = two_cases.execute("SELECT code FROM cases WHERE title LIKE '积水%'").fetchone()[0]
    assert [c.code for c in find_cases(two_cases, code)] == [code]
    assert [c.title for c in find_cases(two_cases, "解放路")] == ["井盖缺失 100%_完好"]
    assert len(find_cases(two_cases, "路")) == 2


@settings(max_examples=120, deadline=None)
@given(text=st.text(min_size=1, max_size=12))
def test_case_search_takes_any_text_literally(two_cases: sqlite3.Connection, text: str) -> None:
    """Whatever is typed is looked for as it is: "%" and "_" are no wildcards, and nothing breaks the SQL."""
    for case in find_cases(two_cases, text):
        assert text.replace("\x00", "").strip().lower() in f"{case.code} {case.title} {case.address}".lower()


def test_a_percent_sign_finds_only_what_holds_one(two_cases: sqlite3.Connection) -> None:
    assert [c.title for c in find_cases(two_cases, "%_")] == ["井盖缺失 100%_完好"]


def _cap_row(conn: sqlite3.Connection, event_id: str, payload: object, *, at: float = NOW) -> None:
    put_event(conn, event_id, at=at, source="cap", severity=2, title=f"预警 {event_id}")
    conn.execute("UPDATE events SET payload = ? WHERE event_id = ?", (json.dumps(payload), event_id))


def test_warnings_in_force_with_their_areas_and_none_that_ended(tmp_path: Path) -> None:
    db = open_store(tmp_path / "cap.sqlite3")
    conn = db.conn
    ring = [[120.1, 30.2], [120.2, 30.2], [120.2, 30.3]]
    _cap_row(conn, "live", {"cap": {"expires": "2027-02-01T08:00:00+00:00", "areas": [{"polygons": [ring]}]}})
    _cap_row(conn, "over", {"cap": {"expires": "2020-01-01T00:00:00+00:00", "areas": [{"polygons": [ring]}]}})
    _cap_row(conn, "round", {"cap": {"areas": [{"circles": [[120.15, 30.27, 2.0]]}]}})
    put_event(conn, "gone", at=NOW, source="cap", severity=1, cancelled=True)
    found = {w.event_id: w for w in warning_areas(conn, NOW)}
    db.close()

    assert set(found) == {"live", "round"}
    assert found["live"].rings == (tuple((lon, lat) for lon, lat in ring),)
    (circle,) = found["round"].rings
    assert len(circle) == 48
    assert all(abs(lon - 120.15) < 0.03 and abs(lat - 30.27) < 0.02 for lon, lat in circle)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    areas=st.recursive(
        st.none() | st.booleans() | st.floats(allow_nan=True) | st.integers() | st.text(max_size=5),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(st.sampled_from(["polygons", "circles", "desc", "x"]), inner, max_size=3)
        ),
        max_leaves=25,
    )
)
def test_any_stored_area_payload_leaves_the_map_working(tmp_path: Path, areas: object) -> None:
    """Payloads come from outside: whatever the areas hold, the read neither fails nor yields a bad ring."""
    db = open_store(tmp_path / "fuzz.sqlite3")
    conn = db.conn
    conn.execute("DELETE FROM events")
    _cap_row(conn, "w", {"cap": {"areas": areas}})
    try:
        for warning in warning_areas(conn, NOW):
            for ring in warning.rings:
                assert len(ring) >= 3
                assert all(-180 <= lon <= 180 and -90 <= lat <= 90 for lon, lat in ring)
    finally:
        db.close()
