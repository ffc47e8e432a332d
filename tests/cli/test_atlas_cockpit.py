"""`python main.py --feed URL --atlas DIR`: the cockpit on a city's own files never loads the simulator."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli.main import build_parser
from core.geo import distance_m
from dispatch.atlas import gcj02_to_wgs84
from sim.server import FeedServer
from tests.dispatch.atlas import small_city
from video.registry import CameraRegistry

ROOT = Path(__file__).resolve().parents[2]
# Runs the real command line in a fresh interpreter; once the feed is connected and the duty desk has
# built its unit directory from the atlas, it reports what it loaded and closes the window.
CHILD = r"""
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
import app.shell.gui as gui
from cli.main import main
from app.shell.cockpit import Cockpit
from dispatch.casework.recommend import recommend, base_positions
from dispatch.feed.values import ConnectionState

def watch(window):
    cockpit = window.findChild(Cockpit)
    directory = cockpit.duty.directory if cockpit.duty is not None else None
    live = window.health.state.property("state") == ConnectionState.CONNECTED.value
    if directory is None or not live:
        QTimer.singleShot(20, lambda: watch(window))
        return
    ranked = recommend(directory.network, 120.05, 30.04, [u for u in base_positions_of(directory)])
    print(json.dumps({
        "sim": sorted(m for m in sys.modules if m == "sim" or m.startswith("sim.")),
        "roster": [u.unit_id for u in directory.roster],
        "districts": directory.districts,
        "categories": list(directory.categories),
        "ranked": [[r.unit_id, r.travel_s] for r in ranked],
    }, ensure_ascii=False), flush=True)
    window.close()

def base_positions_of(directory):
    from dispatch.casework.recommend import UnitPosition
    return [UnitPosition(u.unit_id, u.lon, u.lat, True) for u in directory.roster if u.lon is not None]

built = gui.build_window
def build_window(app, settings):
    window = built(app, settings)
    QTimer.singleShot(0, lambda: watch(window))
    return window
gui.build_window = build_window
sys.exit(main(sys.argv[1:]))
"""


def test_a_cockpit_on_a_real_feed_and_an_atlas_offers_its_units_and_never_loads_the_simulator(
    tmp_path: Path,
) -> None:
    atlas = small_city.write(tmp_path / "city", small_city.files())
    home = tmp_path / "home"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(home),
           "XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "data"),
           "XDG_CACHE_HOME": str(home / "cache")}  # fmt: skip

    async def scenario() -> tuple[int, bytes, bytes]:
        async with FeedServer(heartbeat_s=0.2) as server:
            subscribed = asyncio.ensure_future(server.wait_subscribed())
            child = await asyncio.create_subprocess_exec(
                sys.executable, "-c", CHILD, "--feed", server.url, "--atlas", str(atlas),
                "--db", str(tmp_path / "store.sqlite3"),
                cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            )  # fmt: skip
            out, err = await asyncio.wait_for(child.communicate(), timeout=90)
            # The cockpit subscribed to the real feed before it closed.
            assert subscribed.done()
            return child.returncode or 0, out, err

    code, out, err = asyncio.run(scenario())

    assert code == 0, err.decode(errors="replace")[-2000:]
    seen = json.loads(out.decode().strip().splitlines()[-1])
    assert seen["sim"] == []
    assert seen["roster"] == ["U1", "U2", "U0"]
    assert seen["districts"] == {"330101": "西区", "330102": "东区"}
    assert seen["categories"] == ["manhole_cover"]
    # Travel over the atlas's roads: both crews 5 km along 长街 at 50 km/h, then 北路 at 20 km/h.
    assert [unit for unit, _ in seen["ranked"]] == ["U1", "U2"]
    along = distance_m(120.00, 30.02, 120.05, 30.02) / (50 / 3.6)
    up = distance_m(120.05, 30.02, 120.05, 30.04) / (20 / 3.6)
    assert seen["ranked"][0][1] == pytest.approx(along + up)


def test_a_bad_atlas_stops_the_command_line_with_the_file_line_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    texts = small_city.files()
    texts["units.csv"] = "id,name,kind,district\nU1,城管,urban_management,999999\n"
    atlas = small_city.write(tmp_path, texts)

    with pytest.raises(SystemExit) as stopped:
        build_parser().parse_args(["--atlas", str(atlas)])

    assert stopped.value.code == 2
    assert "units.csv: line 2: district: unknown district '999999'" in capsys.readouterr().err


def _wall_cameras(monkeypatch: pytest.MonkeyPatch, argv: list[str]) -> object:
    """What the command line hands the cockpit as the wall's cameras (the window itself is not built)."""
    import app.shell.gui
    from cli import main as cli

    handed: dict[str, object] = {}

    def run_gui(**kwargs: object) -> int:
        handed.update(kwargs)
        return 0

    monkeypatch.setattr(app.shell.gui, "run_gui", run_gui)
    assert cli.main(argv) == 0
    return handed["cameras"]


def test_on_a_real_feed_the_wall_shows_the_atlas_cameras_where_the_atlas_puts_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = small_city.files()
    texts["atlas.yaml"] = texts["atlas.yaml"].replace(
        "cameras:\n    datum: wgs84", "cameras:\n    datum: gcj02"
    )
    atlas = small_city.write(tmp_path, texts)

    registry = _wall_cameras(monkeypatch, ["--feed", "ws://127.0.0.1:9/feed", "--atlas", str(atlas)])

    assert isinstance(registry, CameraRegistry)
    east = registry.get("C1")
    # Declared GCJ-02, shown in the working WGS-84: some hundreds of metres from the figures in the file.
    assert (east.lon, east.lat) == pytest.approx(gcj02_to_wgs84(120.10, 30.02))
    assert 100 < distance_m(east.lon, east.lat, 120.10, 30.02) < 1000
    assert east.visible_to("viewer")  # access: public
    assert not registry.get("C2").visible_to("viewer")  # no access level: restricted
    assert registry.group_names["330102"] == "东区"


def test_the_demo_city_and_a_camera_file_keep_their_own_walls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    atlas = small_city.write(tmp_path / "city", small_city.files())
    other = tmp_path / "cameras.yaml"
    other.write_text("cameras:\n- {id: X, name: 别处, lon: 120.0, lat: 30.0, sub: rtsp://cam.example/x}\n")

    assert _wall_cameras(monkeypatch, ["--atlas", str(atlas)]) is None
    chosen = _wall_cameras(
        monkeypatch, ["--feed", "ws://127.0.0.1:9/f", "--atlas", str(atlas), "--cameras", str(other)]
    )
    assert isinstance(chosen, CameraRegistry)
    assert [c.id for c in chosen] == ["X"]
