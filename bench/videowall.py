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

from bench.decode import CpuMeter, DecodeFigures, bare_decode, pipeline_decode
from video.registry import ACCESS_LEVELS, CameraInfo, CameraRegistry
from widgets.videowall.tile import VideoTile
from widgets.videowall.video_wall import LAYOUTS

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
    """The options of `bench wall` (cli/main.py adds them to its `wall` sub-command)."""
    parser.add_argument("--tiles", type=int, choices=sorted(GRIDS), default=16, help="N×N wall layout")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured window of each run")
    parser.add_argument("--warmup", type=float, default=4.0, help="seconds before each measured window")
    parser.add_argument("--source", choices=SOURCES, default="mjpeg", help="stream server and codec")
    parser.add_argument("--size", type=_size, default=(640, 360), metavar="WxH", help="stream size")
    parser.add_argument(
        "--scene",
        choices=("camera", "flat"),
        default="camera",
        help="MJPEG pictures with a camera's grain (~40 KB a JPEG) or flat colours (~15 KB; sessions 1-7)",
    )
    parser.add_argument("--fps", type=int, default=25, help="stream frame rate")
    parser.add_argument("--window", type=_size, default=(1920, 1080), metavar="WxH", help="wall window")
    parser.add_argument("--latency-seconds", type=float, default=5.0, help="stamp read-back window")
    parser.add_argument("--no-pipeline", action="store_true", help="skip the decode+scale reference run")
    parser.add_argument(
        "--runs", type=int, default=1, help="repeat baseline, wall and pipeline; medians are reported"
    )


@dataclass(frozen=True, slots=True)
class WallFigures:
    """One wall run. CPU in percent of one core (the process, its GUI thread, the stream servers, the rest
    of the machine); repaints per tile per second; FrameClock tick gaps in ms; glass-to-glass latencies in
    ms, from the stamp in the image a tile painted to the end of that paint."""

    cpu: float
    gui_cpu: float
    server_cpu: float
    other_cpu: float
    repaints: tuple[float, ...]
    tick_gaps: tuple[float, ...]
    latencies: tuple[float, ...]
    tile_size: tuple[int, int]


@contextmanager
def stream_servers(
    source: str, streams: int, size: tuple[int, int], fps: int, *, flat: bool = False
) -> Iterator[tuple[list[int], list[str]]]:
    """The streams, served by other processes so their CPU is not the wall's: (server pids, URLs)."""
    if source != "mjpeg":
        from sim.rtsp_server import RtspTestServer

        with RtspTestServer(streams, size=size, fps=fps, codec=source.removeprefix("rtsp-")) as rtsp:
            yield [rtsp.pid or 0], [rtsp.url(i) for i in range(streams)]
        return
    procs: list[subprocess.Popen[str]] = []
    urls: list[str] = []
    try:
        for first in range(0, streams, STREAMS_PER_SERVER):
            count = min(STREAMS_PER_SERVER, streams - first)
            command = [
                sys.executable, "-m", "sim.demo_streams", "--port", "0", "--cameras", str(count),
                "--fps", str(fps), "--sub", f"{size[0]}x{size[1]}", *(["--flat"] if flat else []),
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


def stamp_of(image: QImage) -> float | None:
    """The capture time burned into a painted frame (sim.stamp), read from the QImage's own pixels."""
    pixels = np.frombuffer(image.constBits(), np.uint8, image.sizeInBytes())
    rows = pixels.reshape(image.height(), image.bytesPerLine() // 4, 4)
    from sim.stamp import decode_stamp

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
            meter, gui = CpuMeter(server_pids), time.thread_time()
            await asyncio.sleep(seconds)
            window = meter.stop()
            elapsed = window.elapsed
            figures.update(cpu=window.own, server=window.servers, others=window.others)
            figures["gui"] = 100.0 * (time.thread_time() - gui) / elapsed
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
        other_cpu=figures["others"],
        repaints=tuple(figures[f"tile{i}"] for i in range(tiles)),
        tick_gaps=tuple((b - a) * 1000.0 for a, b in itertools.pairwise(ticks)),
        latencies=tuple(probe.latencies),
        tile_size=tile_size,
    )


def _p95(values: tuple[float, ...]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else float("nan")


@dataclass(frozen=True, slots=True)
class WallRun:
    """One repetition: the decode-only baseline, the wall, and (unless skipped) the pipeline alone."""

    baseline: DecodeFigures
    wall: WallFigures
    pipeline: DecodeFigures | None

    @property
    def ratio(self) -> float:
        base = self.baseline.client_cpu
        return self.wall.cpu / base if base > 0 else float("inf")

    @property
    def worst_fps(self) -> float:
        return min(self.wall.repaints)


def _print_run(run: WallRun, tiles: int) -> None:
    wall = run.wall
    print(f"wall ({wall.tile_size[0]}x{wall.tile_size[1]} tiles): cpu {wall.cpu:.1f}% "
          f"({wall.cpu / tiles:.2f}%/stream; GUI thread {wall.gui_cpu:.1f}%), "
          f"servers {wall.server_cpu:.1f}%, others {wall.other_cpu:.1f}%", flush=True)  # fmt: skip
    repaints = sorted(wall.repaints)
    print(f"repaints/tile per s: min {repaints[0]:.1f}, median {statistics.median(repaints):.1f}, "
          f"max {repaints[-1]:.1f}", flush=True)  # fmt: skip
    gaps = wall.tick_gaps
    print(f"FrameClock tick gaps: median {statistics.median(gaps):.1f} ms, p95 {_p95(gaps):.1f} ms, "
          f"max {max(gaps):.1f} ms", flush=True)  # fmt: skip
    if wall.latencies:
        lat = wall.latencies
        print(f"glass-to-glass (stamp → painted): p50 {statistics.median(lat):.0f} ms, "
              f"p95 {_p95(lat):.0f} ms, max {max(lat):.0f} ms, {len(lat)} paints", flush=True)  # fmt: skip
    print(f"run ratio wall/decode-only {run.ratio:.2f}", flush=True)


def _print_medians(runs: list[WallRun]) -> None:
    def line(name: str, values: list[float], unit: str = "%", digits: int = 1) -> None:
        listed = ", ".join(f"{v:.{digits}f}" for v in values)
        print(f"  {name}: median {statistics.median(values):.{digits}f}{unit} ({listed})", flush=True)

    print(f"medians of {len(runs)} runs (each run's value in brackets):", flush=True)
    line("decode-only cpu", [r.baseline.client_cpu for r in runs])
    line("wall cpu", [r.wall.cpu for r in runs])
    line("GUI thread cpu", [r.wall.gui_cpu for r in runs])
    pipelines = [r.pipeline.client_cpu for r in runs if r.pipeline is not None]
    if pipelines:
        line("pipeline cpu", pipelines)
    line("worst tile fps", [r.worst_fps for r in runs], "")
    line("ratio wall/decode-only", [r.ratio for r in runs], "", 2)
    line("others during the baseline", [r.baseline.other_cpu for r in runs])
    line("others during the wall", [r.wall.other_cpu for r in runs])
    p95s = [_p95(r.wall.latencies) for r in runs if len(r.wall.latencies) >= 2]
    if p95s:
        line("glass-to-glass p95", p95s, " ms", 0)


def run_bench_wall(args: argparse.Namespace) -> int:
    """Decode-only baseline, the wall, then the capture pipeline alone at the wall's tile size; `--runs`
    times on the same servers. Ratios are taken within a run, then the median over runs is reported."""
    tiles: int = args.tiles
    source, (width, height), fps = args.source, args.size, args.fps
    scene = f" {args.scene} scenes" if source == "mjpeg" else ""
    print(f"{source}{scene} {width}x{height}@{fps}, {tiles} streams, {os.cpu_count()} cores, "
          f"window {args.window[0]}x{args.window[1]}", flush=True)  # fmt: skip
    runs: list[WallRun] = []
    flat = args.scene == "flat"
    with stream_servers(source, tiles, args.size, fps, flat=flat) as (pids, urls):
        for number in range(1, max(1, args.runs) + 1):
            if args.runs > 1:
                print(f"-- run {number}/{args.runs}", flush=True)
            baseline = bare_decode(urls, pids, args.warmup, args.seconds)
            print(baseline.line(), flush=True)
            wall = run_wall(urls, pids, tiles, args.window, args.warmup, args.seconds, args.latency_seconds)
            pipeline = None
            if not args.no_pipeline:
                pipeline = pipeline_decode(urls, pids, args.warmup, args.seconds, wall.tile_size)
                print(pipeline.line(), flush=True)
            runs.append(WallRun(baseline, wall, pipeline))
            _print_run(runs[-1], tiles)
    if len(runs) > 1:
        _print_medians(runs)
    fps_min = statistics.median(r.worst_fps for r in runs)
    cpu = statistics.median(r.wall.cpu for r in runs)
    ratio = statistics.median(r.ratio for r in runs)
    print(f"wall: {tiles} tiles, {fps_min:.1f} fps/tile, cpu {cpu:.1f}% , ratio {ratio:.2f}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.videowall", description=__doc__)
    add_bench_wall_arguments(parser)
    return run_bench_wall(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
