"""Measure the CPU of decoding N live streams: bare FFmpeg reads, then the full capture pipeline."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from video.capture import CaptureOptions, open_ffmpeg
from video.demo_streams import parse_size
from video.registry import ACCESS_LEVELS, CameraInfo, CameraRegistry
from video.rtsp_server import RtspTestServer
from video.streams import StreamManager

_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class DecodeFigures:
    """CPU in percent of one core over the measured window, and frames per second per stream."""

    mode: str
    streams: int
    client_cpu: float
    server_cpu: float
    fps_per_stream: float

    def line(self) -> str:
        return (
            f"{self.mode}: {self.streams} streams, client cpu {self.client_cpu:.1f}% "
            f"({self.client_cpu / self.streams:.2f}%/stream), {self.fps_per_stream:.1f} fps/stream, "
            f"server cpu {self.server_cpu:.1f}%"
        )


def _process_cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def _own_cpu() -> float:
    times = os.times()
    return times.user + times.system


def _measure(
    mode: str, streams: int, server_pid: int, warmup: float, seconds: float, frames: Callable[[], int]
) -> DecodeFigures:
    pause = threading.Event()
    pause.wait(warmup)
    cpu0, server0, frames0, t0 = _own_cpu(), _process_cpu(server_pid), frames(), time.monotonic()
    pause.wait(seconds)
    elapsed = time.monotonic() - t0
    return DecodeFigures(
        mode=mode,
        streams=streams,
        client_cpu=100.0 * (_own_cpu() - cpu0) / elapsed,
        server_cpu=100.0 * (_process_cpu(server_pid) - server0) / elapsed,
        fps_per_stream=(frames() - frames0) / elapsed / streams,
    )


def bare_decode(urls: Sequence[str], server_pid: int, warmup: float, seconds: float) -> DecodeFigures:
    """One thread per stream reading as fast as frames come: decode and colour conversion only."""
    stop = threading.Event()
    counts = [0] * len(urls)
    options = CaptureOptions()

    def read(index: int, url: str) -> None:
        capture = open_ffmpeg(url, options)
        while not stop.is_set() and capture.read()[0]:
            counts[index] += 1
        capture.release()

    threads = [threading.Thread(target=read, args=(i, u), daemon=True) for i, u in enumerate(urls)]
    for thread in threads:
        thread.start()
    try:
        return _measure("decode-only", len(urls), server_pid, warmup, seconds, lambda: sum(counts))
    finally:
        stop.set()
        for thread in threads:
            thread.join(options.join_bound)


def pipeline_decode(
    urls: Sequence[str], server_pid: int, warmup: float, seconds: float, tile: tuple[int, int]
) -> DecodeFigures:
    """The wall's capture pipeline without a wall: decode, resize to `tile`, BGRA, mailbox, health."""
    cameras = [
        CameraInfo(f"b{i}", f"b{i}", "bench", 0.0, 0.0, 0.0, 60.0, url, url, ACCESS_LEVELS["public"])
        for i, url in enumerate(urls)
    ]
    with StreamManager(CameraRegistry(cameras)) as manager:
        leases = [manager.acquire(c.id) for c in cameras]
        for lease in leases:
            lease.set_target_size(*tile)

        def frames() -> int:
            return sum(s.frames for lease in leases if (s := lease.status()) is not None)

        return _measure(
            f"pipeline ({tile[0]}x{tile[1]} BGRA)", len(urls), server_pid, warmup, seconds, frames
        )


def _start_mjpeg(streams: int, size: tuple[int, int], fps: int) -> tuple[subprocess.Popen[str], list[str]]:
    command = [
        sys.executable, "-m", "video.demo_streams", "--port", "0", "--cameras", str(streams),
        "--fps", str(fps), "--sub", f"{size[0]}x{size[1]}",
    ]  # fmt: skip
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    found = re.search(r"index (http://\S+?)/,", proc.stdout.readline())
    if found is None:
        proc.kill()
        raise RuntimeError("the demo stream server did not start")
    return proc, [f"{found.group(1)}/cam{i + 1:02d}/sub.mjpg" for i in range(streams)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m video.decode_bench", description=__doc__)
    parser.add_argument("--streams", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=4.0)
    parser.add_argument("--source", choices=("mjpeg", "rtsp-h264", "rtsp-jpeg"), default="mjpeg")
    parser.add_argument("--size", type=parse_size, default=(640, 360))
    parser.add_argument("--fps", type=int, default=25)
    parser.add_argument(
        "--tile", type=parse_size, default=(320, 180), help="tile size the pipeline scales to"
    )
    args = parser.parse_args(argv)
    size: tuple[int, int] = args.size
    if args.source == "mjpeg":
        proc, urls = _start_mjpeg(args.streams, size, args.fps)
        pid, stop = proc.pid, proc.kill
    else:
        rtsp = RtspTestServer(args.streams, size=size, fps=args.fps, codec=args.source[5:]).start()
        urls = [rtsp.url(i) for i in range(args.streams)]
        pid, stop = rtsp.pid or 0, rtsp.close
    print(f"{args.source} {size[0]}x{size[1]}@{args.fps}, {os.cpu_count()} cores", flush=True)
    try:
        print(bare_decode(urls, pid, args.warmup, args.seconds).line(), flush=True)
        print(pipeline_decode(urls, pid, args.warmup, args.seconds, args.tile).line(), flush=True)
    finally:
        stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
