"""Soak check: run N streams for T seconds as the wall would and sample this process's memory."""

from __future__ import annotations

import argparse
import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from sim.demo_streams import DemoStreamServer
from video.capture import CaptureFactory, CaptureOptions, open_ffmpeg
from video.registry import ACCESS_LEVELS, CameraInfo, CameraRegistry
from video.streams import StreamManager

_PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes() -> int:
    """Resident set size of this process, from /proc/self/statm."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * _PAGE


@dataclass(frozen=True, slots=True)
class SoakReport:
    """RSS samples as (seconds since start, bytes), frames shown and CPU seconds used over the run."""

    streams: int
    seconds: float
    samples: tuple[tuple[float, int], ...]
    frames_seen: int
    cpu_seconds: float

    def growth(self, warmup: float) -> int:
        """RSS at the end minus the lowest RSS after `warmup` seconds: what the run kept growing by."""
        settled = [rss for t, rss in self.samples if t >= warmup]
        if len(settled) < 2:
            raise ValueError("no samples after the warm-up: run longer or sample more often")
        return settled[-1] - min(settled)


def run_soak(
    urls: Sequence[str],
    seconds: float,
    *,
    sample_every: float = 0.5,
    size: tuple[int, int] = (320, 180),
    factory: CaptureFactory = open_ffmpeg,
    options: CaptureOptions | None = None,
) -> SoakReport:
    """Open every URL as a wall tile of `size`, take the newest frame of each like a 25 Hz paint tick
    would, and sample RSS every `sample_every` seconds for `seconds`."""
    cameras = [
        CameraInfo(f"soak{i}", f"soak {i}", "soak", 0.0, 0.0, 0.0, 60.0, url, url, ACCESS_LEVELS["public"])
        for i, url in enumerate(urls)
    ]
    samples: list[tuple[float, int]] = []
    last_seq = dict.fromkeys((c.id for c in cameras), 0)
    shown = 0
    tick = threading.Event()
    cpu_start = time.process_time()
    with StreamManager(CameraRegistry(cameras), options=options, factory=factory) as manager:
        leases = [manager.acquire(c.id) for c in cameras]
        for lease in leases:
            lease.set_target_size(*size)
        start = time.monotonic()
        next_sample = start
        while (now := time.monotonic()) - start < seconds:
            for lease in leases:
                frame = lease.latest()
                if frame is not None and frame.seq != last_seq[frame.camera_id]:
                    last_seq[frame.camera_id] = frame.seq
                    shown += 1
            if now >= next_sample:
                samples.append((now - start, rss_bytes()))
                next_sample += sample_every
            tick.wait(0.04)
        for lease in leases:
            lease.release()
    return SoakReport(len(urls), seconds, tuple(samples), shown, time.process_time() - cpu_start)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.video_soak", description=__doc__)
    parser.add_argument("--streams", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=600.0)
    parser.add_argument("--warmup", type=float, default=30.0)
    parser.add_argument("--url", action="append", help="stream URL (repeat); default: in-process demo server")
    args = parser.parse_args(argv)
    with DemoStreamServer([f"cam{i:02d}" for i in range(args.streams)]) as server:
        urls = args.url or [server.url(k) for k in server.keys]
        report = run_soak(urls, args.seconds, sample_every=max(0.5, args.seconds / 600))
    mib = 1024 * 1024
    first, last = report.samples[0][1], report.samples[-1][1]
    print(
        f"soak: {report.streams} streams, {report.seconds:.0f} s, {report.frames_seen} frames shown, "
        f"cpu {100 * report.cpu_seconds / report.seconds:.0f}% (server included), "
        f"rss {first / mib:.1f} -> {last / mib:.1f} MiB, "
        f"growth after {args.warmup:.0f} s warm-up {report.growth(args.warmup) / mib:.2f} MiB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
