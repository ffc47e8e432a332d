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

from core.argtypes import picture_size
from video.capture import CaptureOptions, open_ffmpeg
from video.registry import ACCESS_LEVELS, CameraInfo, CameraRegistry
from video.streams import StreamManager

_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class DecodeFigures:
    """CPU in percent of one core over the measured window, and frames per second per stream.

    `other_cpu` is what the rest of the machine used meanwhile (neither this process nor the stream
    servers): on a shared two-core machine a busy neighbour inflates every figure, so runs with a large
    value are not comparable with quiet ones.
    """

    mode: str
    streams: int
    client_cpu: float
    server_cpu: float
    fps_per_stream: float
    other_cpu: float

    def line(self) -> str:
        return (
            f"{self.mode}: {self.streams} streams, client cpu {self.client_cpu:.1f}% "
            f"({self.client_cpu / self.streams:.2f}%/stream), {self.fps_per_stream:.1f} fps/stream, "
            f"server cpu {self.server_cpu:.1f}%, others {self.other_cpu:.1f}%"
        )


def process_cpu(pids: Sequence[int]) -> float:
    """CPU seconds (user + system) the processes have used so far."""
    total = 0.0
    for pid in pids:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / _TICKS
    return total


def machine_cpu() -> float:
    """CPU seconds all cores have spent busy (not idle, not waiting for I/O) since boot."""
    with open("/proc/stat", encoding="ascii") as stat:
        fields = [int(f) for f in stat.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / _TICKS


def own_cpu() -> float:
    times = os.times()
    return times.user + times.system


@dataclass(frozen=True, slots=True)
class CpuWindow:
    """CPU use over one measured window, in percent of one core: this process, the servers, the rest."""

    elapsed: float
    own: float
    servers: float
    others: float


class CpuMeter:
    """Started at the beginning of a window, `stop()` at its end gives a CpuWindow."""

    def __init__(self, server_pids: Sequence[int]) -> None:
        self._pids = list(server_pids)
        self._start = self._sample()

    def _sample(self) -> tuple[float, float, float, float]:
        return time.monotonic(), own_cpu(), process_cpu(self._pids), machine_cpu()

    def stop(self) -> CpuWindow:
        t0, own0, servers0, machine0 = self._start
        t1, own1, servers1, machine1 = self._sample()
        elapsed = t1 - t0
        own, servers = own1 - own0, servers1 - servers0
        others = max(0.0, (machine1 - machine0) - own - servers)
        return CpuWindow(elapsed, 100.0 * own / elapsed, 100.0 * servers / elapsed, 100.0 * others / elapsed)


def _measure(
    mode: str,
    streams: int,
    server_pids: Sequence[int],
    warmup: float,
    seconds: float,
    frames: Callable[[], int],
) -> DecodeFigures:
    pause = threading.Event()
    pause.wait(warmup)
    meter, frames0 = CpuMeter(server_pids), frames()
    pause.wait(seconds)
    window = meter.stop()
    return DecodeFigures(
        mode=mode,
        streams=streams,
        client_cpu=window.own,
        server_cpu=window.servers,
        fps_per_stream=(frames() - frames0) / window.elapsed / streams,
        other_cpu=window.others,
    )


def bare_decode(
    urls: Sequence[str], server_pids: Sequence[int], warmup: float, seconds: float
) -> DecodeFigures:
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
        return _measure("decode-only", len(urls), server_pids, warmup, seconds, lambda: sum(counts))
    finally:
        stop.set()
        for thread in threads:
            thread.join(options.join_bound)


def pipeline_decode(
    urls: Sequence[str], server_pids: Sequence[int], warmup: float, seconds: float, tile: tuple[int, int]
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
            f"pipeline ({tile[0]}x{tile[1]} BGRA)", len(urls), server_pids, warmup, seconds, frames
        )


def _start_mjpeg(streams: int, size: tuple[int, int], fps: int) -> tuple[subprocess.Popen[str], list[str]]:
    command = [
        sys.executable, "-m", "sim.demo_streams", "--port", "0", "--cameras", str(streams),
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
    parser = argparse.ArgumentParser(prog="python -m bench.decode", description=__doc__)
    parser.add_argument("--streams", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=4.0)
    parser.add_argument("--source", choices=("mjpeg", "rtsp-h264", "rtsp-jpeg"), default="mjpeg")
    parser.add_argument("--size", type=picture_size, default=(640, 360))
    parser.add_argument("--fps", type=int, default=25)
    parser.add_argument(
        "--tile", type=picture_size, default=(320, 180), help="tile size the pipeline scales to"
    )
    args = parser.parse_args(argv)
    size: tuple[int, int] = args.size
    if args.source == "mjpeg":
        proc, urls = _start_mjpeg(args.streams, size, args.fps)
        pid, stop = proc.pid, proc.kill
    else:
        from sim.rtsp_server import RtspTestServer

        rtsp = RtspTestServer(args.streams, size=size, fps=args.fps, codec=args.source[5:]).start()
        urls = [rtsp.url(i) for i in range(args.streams)]
        pid, stop = rtsp.pid or 0, rtsp.close
    print(f"{args.source} {size[0]}x{size[1]}@{args.fps}, {os.cpu_count()} cores", flush=True)
    try:
        print(bare_decode(urls, [pid], args.warmup, args.seconds).line(), flush=True)
        print(pipeline_decode(urls, [pid], args.warmup, args.seconds, args.tile).line(), flush=True)
    finally:
        stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
