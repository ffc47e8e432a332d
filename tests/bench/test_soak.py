"""Memory stays flat while streams run (short here; `python -m bench.video_soak` runs the long version)."""

from __future__ import annotations

import pytest

from bench.video_soak import rss_bytes, run_soak
from sim.demo_streams import DemoStreamServer

MIB = 1024 * 1024


def test_rss_is_read_from_proc() -> None:
    assert 10 * MIB < rss_bytes() < 4096 * MIB


@pytest.mark.slow
def test_memory_is_flat_after_warm_up_with_four_live_streams() -> None:
    with DemoStreamServer([f"cam{i}" for i in range(4)]) as server:
        report = run_soak([server.url(k) for k in server.keys], seconds=6.0, sample_every=0.25)
    # Every stream delivered for most of the run (about 25 fps each when the machine keeps up).
    assert report.frames_seen > 4 * 10 * 4
    assert report.growth(warmup=2.0) < 4 * MIB
