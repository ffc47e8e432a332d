"""`python main.py --wall`: a bad pages file or screen is refused with the reason, and a good one shows a
full-screen window per screen on the store, read through a connection that cannot write."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from cli.main import main
from tests.dispatch.atlas import small_city
from tests.dispatch.casework.policies import new_case, open_loop

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def keep_signals() -> Iterator[None]:
    """run_wall sets Ctrl+C and SIGTERM to close the wall; the test run gets its own handlers back."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def test_a_broken_pages_file_is_named_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pages = tmp_path / "pages.yaml"
    pages.write_text("pages:\n  - name: a\n    grid: 2x1\n    panels:\n      - {kind: mapp, at: [0, 0]}\n")
    with pytest.raises(SystemExit) as exit_info:
        main(["--wall", "--pages", str(pages)])
    assert exit_info.value.code == 2
    assert f"{pages}:5: unknown panel kind 'mapp'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--wall", "--screens", "first"], "'all' or screen numbers"),
        (["--wall", "--screens", "0,0"], "distinct screen numbers"),
        (["--screens", "all"], "--screens and --pages go with --wall"),
        (["--wall", "--feed", "ws://127.0.0.1:9"], "give --feed to that console"),
    ],
)
def test_wall_options_that_make_no_sense_are_refused(
    argv: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert says in capsys.readouterr().err


def test_a_screen_this_machine_lacks_is_refused(
    qapp: QApplication,
    tmp_path: Path,
    keep_signals: None,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # In English the command installs no catalogue, so none outlives this test in the shared QApplication.
    monkeypatch.setenv("TIANSHU_LANG", "en")
    assert main(["--wall", "--screens", "7", "--db", str(tmp_path / "store.sqlite3")]) == 2
    assert "no screen 7: this machine has 0 (" in capsys.readouterr().err


# The wall runs its own event loop (app.exec) until its windows close, as `python main.py --wall` does: in a
# process of its own, so that loop's end leaves nothing behind in the test run's shared QApplication.
WALL_CHILD = """
import json, sys, time
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from app.wall.launch import run_wall
from app.wall.pages_file import demo_pages_path, load_pages
from app.wall.window import WallWindow
from cli.main import main
from core.clock import ManualClock
from widgets.wall.case_board import WallCaseBoard
from widgets.wall.video_block import WallVideoBlock

mode, store, opened_at = sys.argv[1], sys.argv[2], float(sys.argv[3])
app = QApplication([])
deadline = time.monotonic() + 30
seen = {}

def walls():
    return [w for w in app.topLevelWidgets() if isinstance(w, WallWindow) and w.isVisible()]

def look_then_quit():
    windows = walls()
    if mode in ("takeover", "joined"):
        ready = windows and all(w.takeover.isVisible() for w in windows)
    else:
        ready = windows and windows[0].findChildren(WallCaseBoard)[0].districts[0].text()
    if not ready and time.monotonic() < deadline:
        QTimer.singleShot(50, look_then_quit)
        return
    if mode in ("takeover", "joined"):
        seen["screens"] = len(app.screens())
        seen["walls"] = [[w.current_page().name, w.isFullScreen(), w.pages.count(),
                          w.takeover.shown.what if w.takeover.shown else None] for w in windows]
    else:
        board = windows[0].findChildren(WallCaseBoard)[0]
        seen["districts"] = [label.text() for label in board.districts if label.text()]
        video = windows[0].findChildren(WallVideoBlock)[0]
        seen["cameras"] = [tile.name.text() for tile in video.tiles.values()]
    for window in windows:
        window.close()
    app.quit()

QTimer.singleShot(0, look_then_quit)
if mode == "takeover":
    code = run_wall(app, load_pages(demo_pages_path()), Path(store), clock=ManualClock(opened_at + 60))
elif mode == "joined":  # the wall keeps its own replica of the centre's log (argv[4]: the hub)
    code = main(["--wall", "--hub", sys.argv[4], "--seat", "wall-1", "--centre", "test", "--db", store])
else:
    code = main(["--wall", "--atlas", sys.argv[4], "--db", store, "--screens", "0"])
print(json.dumps({"code": code, **seen}, ensure_ascii=False))
"""


def run_wall_child(tmp_path: Path, *args: str, lang: str = "zh_CN") -> dict[str, object]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TIANSHU_LANG": lang, "HOME": str(tmp_path / "home"),
           "XDG_CONFIG_HOME": str(tmp_path / "home" / "config")}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", WALL_CHILD, *args], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_the_wall_shows_a_window_per_screen_and_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    loop = open_loop(tmp_path / "store.sqlite3")
    opened_at = new_case(loop, "e1", severity=1, title="地铁站大客流").discovered_at
    loop.close()
    store = tmp_path / "store.sqlite3"
    before = store.read_bytes()

    # The wall's clock a minute after the case was opened (the store's cases live on the test's clock).
    seen = run_wall_child(tmp_path, "takeover", str(store), str(opened_at))
    assert seen["code"] == 0
    walls = seen["walls"]
    assert isinstance(walls, list)
    assert len(walls) == seen["screens"]
    for page, full_screen, pages, takeover in walls:
        assert (page, full_screen, pages) == ("overview", True, 4)
        assert takeover == "地铁站大客流"
    # Reading a WAL store opens its -wal and -shm beside it; nothing is written into either file.
    assert store.read_bytes() == before
    wal = tmp_path / "store.sqlite3-wal"
    assert not wal.exists() or wal.stat().st_size == 0


def test_the_wall_on_a_citys_own_atlas_names_its_districts_and_cameras(tmp_path: Path) -> None:
    city = small_city.write(tmp_path / "city", small_city.files())
    loop = open_loop(tmp_path / "store.sqlite3")
    new_case(loop, "e1", severity=3, grid="330101001001")
    loop.close()
    seen = run_wall_child(tmp_path, "atlas", str(tmp_path / "store.sqlite3"), "0", str(city), lang="en")
    assert seen == {"code": 0, "districts": ["西区 1"], "cameras": ["长街东口", "北路口"]}
