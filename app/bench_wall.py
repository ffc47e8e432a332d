"""`bench wall`: the real video wall offscreen on N live streams against a decode-only baseline."""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSettings
from PySide6.QtGui import QImage, QPaintEvent
from PySide6.QtWidgets import QMainWindow

from video.decode_bench import bare_decode, pipeline_decode
from video.registry import ACCESS_LEVELS, CameraInfo, CameraRegistry
from video.rtsp_server import RtspTestServer
from video.stamp import decode_stamp
from widgets.video_tile import VideoTile
from widgets.video_wall import LAYOUTS

SOURCES = ("mjpeg", "rtsp-h264", "rtsp-jpeg")
GRIDS = {layout.count: layout for layout in LAYOUTS if not layout.big}
# One demo server process renders and encodes about 16 streams of 640×360 at 25 fps before its GIL-bound
# render loop falls behind; more streams are spread over more processes.
STREAMS_PER_SERVER = 16
_TICKS = os.sysconf("SC_CLK_TCK")


def _size(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{2,5})[xX](\d{2,5})", text)
    if not match:
        raise argparse.ArgumentTypeError(f"size must look like 640x360, got {text!r}")
    return int(match.group(1)), int(match.group(2))


def add_bench_wall_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `bench wall` (app/cli.py adds them to its `wall` sub-command)."""
    parser.add_argument("--tiles", type=int, choices=sorted(GRIDS), default=16, help="N×N wall layout")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured window of each run")
    parser.add_argument("--warmup", type=float, default=4.0, help="seconds before each measured window")
    parser.add_argument("--source", choices=SOURCES, default="mjpeg", help="stream server and codec")
    parser.add_argument("--size", type=_size, default=(640, 360), metavar="WxH", help="stream size")
    parser.add_argument("--fps", type=int, default=25, help="stream frame rate")
    parser.add_argument("--window", type=_size, default=(1920, 1080), metavar="WxH", help="wall window")
    parser.add_argument("--latency-seconds", type=float, default=5.0, help="stamp read-back window")
    parser.add_argument("--no-pipeline", action="store_true", help="skip the decode+scale reference run")


@dataclass(frozen=True, slots=True)
class WallFigures:
    """One wall run. CPU in percent of one core (the process, its GUI thread, the stream servers);
    repaints per tile per second; FrameClock tick gaps in ms; glass-to-glass latencies in ms, from the
    stamp in the image a tile painted to the end of that paint."""

    cpu: float
    gui_cpu: float
    server_cpu: float
    repaints: tuple[float, ...]
    tick_gaps: tuple[float, ...]
    latencies: tuple[float, ...]
    tile_size: tuple[int, int]


@contextmanager
def stream_servers(
    source: str, streams: int, size: tuple[int, int], fps: int
) -> Iterator[tuple[list[int], list[str]]]:
    """The streams, served by other processes so their CPU is not the wall's: (server pids, URLs)."""
    if source != "mjpeg":
        with RtspTestServer(streams, size=size, fps=fps, codec=source.removeprefix("rtsp-")) as rtsp:
            yield [rtsp.pid or 0], [rtsp.url(i) for i in range(streams)]
        return
    procs: list[subprocess.Popen[str]] = []
    urls: list[str] = []
    try:
        for first in range(0, streams, STREAMS_PER_SERVER):
            count = min(STREAMS_PER_SERVER, streams - first)
            command = [
                sys.executable, "-m", "video.demo_streams", "--port", "0", "--cameras", str(count),
                "--fps", str(fps), "--sub", f"{size[0]}x{size[1]}",
            ]  # fmt: skip
            proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
            procs.append(proc)
            assert proc.stdout is not None
            found = re.search(r"index (http://\S+?)/,", proc.stdout.readline())
            if found is None:
                raise RuntimeError("the demo stream server did not start")
            urls += [f"{found.group(1)}/cam{i + 1:02d}/sub.mjpg" for i in range(count)]
        yield [p.pid for p in procs], urls
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


def _cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def _process_cpu(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / _TICKS
    return total


def stamp_of(image: QImage) -> float | None:
    """The capture time burned into a painted frame (video.stamp), read from the QImage's own pixels."""
    pixels = np.frombuffer(image.constBits(), np.uint8, image.sizeInBytes())
    rows = pixels.reshape(image.height(), image.bytesPerLine() // 4, 4)
    return decode_stamp(rows[:, : image.width()])


class _PaintProbe:
    """Counts each tile's paints and, once armed, reads the stamp of what it painted."""

    def __init__(self) -> None:
        self.paints: dict[int, int] = {}
        self.latencies: list[float] = []
        self.reading = False
        self._original: Callable[[VideoTile, QPaintEvent], None] = VideoTile.paintEvent

    def install(self) -> None:
        original, probe = self._original, self

        def paint(tile: VideoTile, event: QPaintEvent) -> None:
            original(tile, event)
            probe.paints[tile.index] = probe.paints.get(tile.index, 0) + 1
            image = tile.grab_pixels() if probe.reading else None
            stamp = None if image is None else stamp_of(image)
            if stamp is not None:
                probe.latencies.append((time.time() - stamp) * 1000.0)

        VideoTile.paintEvent = paint  # type: ignore[method-assign, assignment]

    def remove(self) -> None:
        VideoTile.paintEvent = self._original  # type: ignore[method-assign, assignment]


def run_wall(urls: list[str], server_pids: list[int], tiles: int, window_size: tuple[int, int],
             warmup: float, seconds: float, latency_seconds: float) -> WallFigures:  # fmt: skip
    """The real wall (install_video_wall, FrameClock, qasync) offscreen at `window_size`, camera tree
    hidden so the tiles are as large as the window allows."""
    import qasync
    import shiboken6

    from app.application import create_application
    from app.frame_clock import FrameClock
    from app.theme import apply_theme
    from app.wall_dock import install_video_wall

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = create_application()
    palette = apply_theme(app)
    public = ACCESS_LEVELS["public"]
    cameras = [
        CameraInfo(f"bench{i:02d}", f"Bench {i + 1}", "bench", 0.0, 0.0, 0.0, 60.0, url, url, public)
        for i, url in enumerate(urls)
    ]
    probe = _PaintProbe()
    ticks: list[float] = []
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="tianshu-bench-wall-") as scratch:
        settings = QSettings(str(Path(scratch) / "wall.ini"), QSettings.Format.IniFormat)
        window = QMainWindow()
        window.resize(*window_size)
        clock = FrameClock(lambda: None)
        registry = CameraRegistry(cameras)
        controller = install_video_wall(
            window, clock, registry=registry, role="dispatcher", settings=settings, palette=palette
        )
        controller.tree.hide()
        controller.wall.set_layout(GRIDS[tiles])
        clock.ticked.connect(lambda _: ticks.append(time.perf_counter()))
        probe.install()
        window.show()
        clock.start()

        async def measure() -> None:
            await asyncio.sleep(warmup)
            probe.paints.clear()
            ticks.clear()
            cpu, gui, server, t0 = (
                _cpu_seconds(),
                time.thread_time(),
                _process_cpu(server_pids),
                time.monotonic(),
            )
            await asyncio.sleep(seconds)
            elapsed = figures["elapsed"] = time.monotonic() - t0
            figures["cpu"] = 100.0 * (_cpu_seconds() - cpu) / elapsed
            figures["gui"] = 100.0 * (time.thread_time() - gui) / elapsed
            figures["server"] = 100.0 * (_process_cpu(server_pids) - server) / elapsed
            figures.update({f"tile{i}": probe.paints.get(i, 0) / elapsed for i in range(tiles)})
            # Reading stamps costs CPU, so it runs after the measured window.
            probe.reading = True
            await asyncio.sleep(latency_seconds)

        try:
            qasync.run(measure())
        finally:
            probe.remove()
            clock.stop()
            tile_size = controller.wall.tiles[0].frame_size()
            controller.close()
            shiboken6.delete(window)
    return WallFigures(
        cpu=figures["cpu"],
        gui_cpu=figures["gui"],
        server_cpu=figures["server"],
        repaints=tuple(figures[f"tile{i}"] for i in range(tiles)),
        tick_gaps=tuple((b - a) * 1000.0 for a, b in itertools.pairwise(ticks)),
        latencies=tuple(probe.latencies),
        tile_size=tile_size,
    )


def _p95(values: tuple[float, ...]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else float("nan")


def run_bench_wall(args: argparse.Namespace) -> int:
    """Decode-only baseline, the wall, then the capture pipeline alone at the wall's tile size."""
    tiles: int = args.tiles
    source, (width, height), fps = args.source, args.size, args.fps
    print(f"{source} {width}x{height}@{fps}, {tiles} streams, {os.cpu_count()} cores, "
          f"window {args.window[0]}x{args.window[1]}", flush=True)  # fmt: skip
    with stream_servers(source, tiles, args.size, fps) as (pids, urls):
        # decode_bench reports the first server process only; the wall's line below counts them all.
        baseline = bare_decode(urls, pids[0], args.warmup, args.seconds)
        print(baseline.line(), flush=True)
        wall = run_wall(urls, pids, tiles, args.window, args.warmup, args.seconds, args.latency_seconds)
        if not args.no_pipeline:
            print(
                pipeline_decode(urls, pids[0], args.warmup, args.seconds, wall.tile_size).line(), flush=True
            )
    repaints = sorted(wall.repaints)
    fps_min = repaints[0]
    print(f"wall ({wall.tile_size[0]}x{wall.tile_size[1]} tiles): cpu {wall.cpu:.1f}% "
          f"({wall.cpu / tiles:.2f}%/stream; GUI thread {wall.gui_cpu:.1f}%), "
          f"servers {wall.server_cpu:.1f}%", flush=True)  # fmt: skip
    print(f"repaints/tile per s: min {fps_min:.1f}, median {statistics.median(repaints):.1f}, "
          f"max {repaints[-1]:.1f}", flush=True)  # fmt: skip
    gaps = wall.tick_gaps
    print(f"FrameClock tick gaps: median {statistics.median(gaps):.1f} ms, p95 {_p95(gaps):.1f} ms, "
          f"max {max(gaps):.1f} ms", flush=True)  # fmt: skip
    if wall.latencies:
        lat = wall.latencies
        print(f"glass-to-glass (stamp → painted): p50 {statistics.median(lat):.0f} ms, "
              f"p95 {_p95(lat):.0f} ms, max {max(lat):.0f} ms, {len(lat)} paints", flush=True)  # fmt: skip
    ratio = wall.cpu / baseline.client_cpu if baseline.client_cpu > 0 else float("inf")
    print(f"wall: {tiles} tiles, {fps_min:.1f} fps/tile, cpu {wall.cpu:.1f}% , ratio {ratio:.2f}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.bench_wall", description=__doc__)
    add_bench_wall_arguments(parser)
    return run_bench_wall(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
