"""`bench wall-return`: from switching back to the wall (F9) to live pictures on its tiles, cold and warm."""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow

from app.videowall.controller import WallController
from bench.videowall import GRIDS, stream_servers
from video.frames import Frame
from video.registry import ACCESS_LEVELS, CameraInfo, CameraRegistry
from widgets.videowall.tile import VideoTile

# A live picture must come within this long of the switch, or the return counts as failed.
GIVE_UP_S = 20.0


def add_bench_wall_return_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `bench wall-return` (cli/main.py adds them to its sub-command)."""
    parser.add_argument("--tiles", type=int, choices=sorted(GRIDS), default=16, help="N×N wall layout")
    parser.add_argument("--returns", type=int, default=5, help="returns measured for each of cold and warm")
    parser.add_argument("--away", type=float, default=3.0, help="seconds on the desk before a warm return")
    parser.add_argument(
        "--grace", type=float, default=6.0, help="the wall's warm grace here (the cockpit's default is 60 s)"
    )
    parser.add_argument("--fps", type=int, default=25, help="stream frame rate")
    parser.add_argument(
        "--cockpit", action="store_true",
        help="the whole cockpit on the demo city (its 40 demo cameras, 16 tiles) instead of a bare wall",
    )  # fmt: skip


@dataclass
class _Probe:
    """Per tile, when it first painted a picture captured after the switch (seconds after the switch)."""

    switched_wall: float = 0.0
    switched: float = 0.0
    live: dict[int, float] = field(default_factory=dict)
    any_picture: dict[int, float] = field(default_factory=dict)
    frames: dict[int, float] = field(default_factory=dict)

    def reset(self) -> None:
        self.switched_wall, self.switched = time.time(), time.perf_counter()
        self.live.clear()
        self.any_picture.clear()


def _install(probe: _Probe) -> Callable[[], None]:
    paint, show = VideoTile.paintEvent, VideoTile.show_frame

    def show_frame(tile: VideoTile, frame: Frame) -> bool:
        probe.frames[tile.index] = frame.wall_time
        return show(tile, frame)

    def paint_event(tile: VideoTile, event: QPaintEvent) -> None:
        paint(tile, event)
        captured = probe.frames.get(tile.index)
        if captured is None or tile.shown_seq is None or not tile.isVisible():
            return
        after = time.perf_counter() - probe.switched
        probe.any_picture.setdefault(tile.index, after)
        if captured >= probe.switched_wall:
            probe.live.setdefault(tile.index, after)

    VideoTile.show_frame = show_frame  # type: ignore[method-assign, assignment]
    VideoTile.paintEvent = paint_event  # type: ignore[method-assign, assignment]

    def remove() -> None:
        VideoTile.show_frame = show  # type: ignore[method-assign]
        VideoTile.paintEvent = paint  # type: ignore[method-assign]

    return remove


@dataclass(frozen=True, slots=True)
class Return:
    """One switch back to the wall: seconds to the first tile's and to every tile's live picture, and to
    any picture at all on every tile (a warm wall first repaints what it showed when it was hidden)."""

    first_live: float
    all_live: float
    all_any: float


def run_returns(urls: list[str], args: argparse.Namespace) -> dict[str, list[Return]]:
    """The real wall (install_video_wall, FrameClock, qasync) as a tab behind a stand-in desk, offscreen."""
    import qasync
    import shiboken6

    from app.shell.application import create_application
    from app.shell.frame_clock import FrameClock
    from app.shell.theme import apply_theme
    from app.videowall.dock import install_video_wall

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = create_application()
    palette = apply_theme(app)
    public = ACCESS_LEVELS["public"]
    cameras = [
        CameraInfo(f"bench{i:02d}", f"Bench {i + 1}", "bench", 0.0, 0.0, 0.0, 60.0, url, url, public)
        for i, url in enumerate(urls)
    ]
    probe = _Probe()
    results: dict[str, list[Return]] = {"cold": [], "warm": []}
    with tempfile.TemporaryDirectory(prefix="tianshu-bench-return-") as scratch:
        settings = QSettings(str(Path(scratch) / "wall.ini"), QSettings.Format.IniFormat)
        window = QMainWindow()
        window.resize(1920, 1080)
        desk = QDockWidget("desk", window)
        desk.setObjectName("benchDesk")
        desk.setWidget(QLabel("duty desk"))
        window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, desk)
        clock = FrameClock(lambda: None)
        controller = install_video_wall(
            window, clock, registry=CameraRegistry(cameras), role="dispatcher", settings=settings,
            palette=palette, beside=desk, warm_s=args.grace,
        )  # fmt: skip
        controller.wall.set_layout(GRIDS[args.tiles])
        wall_dock = window.findChild(QDockWidget, "videoWallDock")
        assert wall_dock is not None
        remove = _install(probe)
        window.show()
        clock.start()
        try:
            qasync.run(_returns(args, probe, controller, desk, wall_dock, args.tiles, results))
        finally:
            remove()
            clock.stop()
            controller.close()
            shiboken6.delete(window)
    return results


async def _returns(
    args: argparse.Namespace,
    probe: _Probe,
    controller: WallController,
    desk: QDockWidget,
    wall: QDockWidget,
    tiles: int,
    results: dict[str, list[Return]],
) -> None:
    """Bring the wall forward once (every stream opens), then `args.returns` times: back to the desk past
    the grace and return (cold), back to the desk for `args.away` seconds and return (warm)."""

    async def back_to_wall() -> Return | None:
        probe.reset()
        wall.raise_()
        deadline = time.perf_counter() + GIVE_UP_S
        while len(probe.live) < tiles and time.perf_counter() < deadline:
            await asyncio.sleep(0.005)
        if len(probe.live) < tiles:
            return None
        return Return(min(probe.live.values()), max(probe.live.values()), max(probe.any_picture.values()))

    await asyncio.sleep(0.5)
    if await back_to_wall() is None:
        raise RuntimeError("the wall never showed every camera")
    await asyncio.sleep(2.0)
    for _ in range(args.returns):
        for mode, away in (("cold", args.grace + 1.5), ("warm", args.away)):
            desk.raise_()
            await asyncio.sleep(away)
            if controller.warm != (mode == "warm"):
                raise RuntimeError(f"{mode} return: the wall's grace did not behave as set")
            result = await back_to_wall()
            print(f"{mode}: " + ("no live picture on every tile within "
                                 f"{GIVE_UP_S:.0f} s" if result is None else _line(result)),
                  flush=True)  # fmt: skip
            if result is not None:
                results[mode].append(result)
            await asyncio.sleep(1.0)


def run_cockpit_returns(args: argparse.Namespace) -> dict[str, list[Return]]:
    """The whole cockpit on the demo city, as `screenshot` runs it (demo feed and demo cameras in their
    own processes, signed in as the shift lead), switching between its duty desk and its wall tab."""
    import qasync

    from app.shell.cockpit import Cockpit, make_pipeline_factory
    from app.shell.gui import build_window, dispose, install_console, install_wall, prepare_application
    from dispatch.casework.records.accounts import DEMO_PASSWORD
    from sim.process import lived_in_demo

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = prepare_application()
    probe = _Probe()
    results: dict[str, list[Return]] = {"cold": [], "warm": []}
    with tempfile.TemporaryDirectory(prefix="tianshu-bench-return-") as scratch:
        settings = QSettings(str(Path(scratch) / "layout.ini"), QSettings.Format.IniFormat)
        settings.setValue("video_wall/warm_seconds", args.grace)
        window = build_window(app, settings)
        window.resize(1920, 1080)
        cockpit = Cockpit(
            window, db_path=Path(scratch) / "tianshu.sqlite3", feed_url=None,
            pipeline_factory=make_pipeline_factory(None, None), demo_factory=lived_in_demo,
        )  # fmt: skip
        console = install_console(app, window, cockpit, demo=True)
        wall = install_wall(window, cockpit, console, settings, Path(scratch))
        desk = window.duty_dock
        wall_dock = window.findChild(QDockWidget, "videoWallDock")
        assert desk is not None
        assert wall_dock is not None
        remove = _install(probe)
        window.show()
        tiles = wall.controller.wall.wall_layout.count

        async def run() -> None:
            try:
                await cockpit.start()
                console.session.sign_in("lead", DEMO_PASSWORD)
                desk.raise_()
                await _returns(args, probe, wall.controller, desk, wall_dock, tiles, results)
            finally:
                console.stop()
                await cockpit.shutdown()

        try:
            qasync.run(run())
        finally:
            remove()
            wall.close()
            dispose(window)
    return results


def _line(r: Return) -> str:
    return (f"first tile live {r.first_live * 1000:.0f} ms, every tile live {r.all_live * 1000:.0f} ms, "
            f"every tile a picture {r.all_any * 1000:.0f} ms")  # fmt: skip


def run_bench_wall_return(args: argparse.Namespace) -> int:
    what = "the cockpit on the demo city" if args.cockpit else f"mjpeg 640x360@{args.fps}, {args.tiles} tiles"
    print(f"{what}, {os.cpu_count()} cores, grace {args.grace:g} s, "
          f"warm returns after {args.away:g} s away, cold after {args.grace + 1.5:g} s",
          flush=True)  # fmt: skip
    if args.cockpit:
        results = run_cockpit_returns(args)
    else:
        with stream_servers("mjpeg", args.tiles, (640, 360), args.fps) as (_pids, urls):
            results = run_returns(urls, args)
    for mode in ("cold", "warm"):
        runs = results[mode]
        if not runs:
            print(f"{mode}: no return measured")
            continue
        every = [r.all_live for r in runs]
        first = [r.first_live for r in runs]
        ms = {name: statistics.median(values) * 1000 for name, values in (("every", every), ("first", first))}
        print(f"{mode} ({len(runs)} returns): every tile live median {ms['every']:.0f} ms, "
              f"max {max(every) * 1000:.0f} ms; first tile median {ms['first']:.0f} ms",
              flush=True)  # fmt: skip
    return 0
