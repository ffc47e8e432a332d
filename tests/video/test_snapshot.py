"""Snapshots write the stream-resolution frame atomically, with metadata for evidence."""

from __future__ import annotations

import hashlib
from pathlib import Path

import cv2
import numpy as np

from tests.video.fakes import DEAD_BASE, FAST, FakeFactory, picture, registry, wait_until
from video.capture import to_display
from video.frames import Frame
from video.registry import Quality
from video.snapshot import ImageFormat, save_snapshot, snapshot_camera
from video.streams import StreamManager


def make_frame() -> Frame:
    source = np.zeros((72, 128, 3), np.uint8)
    source[:, 64:] = (0, 0, 255)
    return Frame(
        "33990100001320000001",
        Quality.MAIN,
        to_display(source, (64, 36)),
        source,
        42,
        5.0,
        1_795_000_000.25,
        None,
    )


def test_a_png_snapshot_keeps_the_full_resolution_and_says_what_it_is(tmp_path: Path) -> None:
    snap = save_snapshot(make_frame(), tmp_path / "evidence", fmt=ImageFormat.PNG)
    assert snap.path.name == "33990100001320000001_20261118T110640250Z_42.png"
    assert snap.path.parent == tmp_path / "evidence"
    assert (snap.width, snap.height, snap.seq, snap.quality) == (128, 72, 42, Quality.MAIN)
    assert snap.frame_time == 1_795_000_000.25
    assert snap.sha256 == hashlib.sha256(snap.path.read_bytes()).hexdigest()
    written = cv2.imread(str(snap.path))
    assert written is not None
    assert written.shape == (72, 128, 3)
    assert tuple(written[0, 100]) == (0, 0, 255)
    assert [p.name for p in snap.path.parent.iterdir()] == [snap.path.name]


def test_a_jpeg_snapshot(tmp_path: Path) -> None:
    snap = save_snapshot(make_frame(), tmp_path)
    assert snap.path.suffix == ".jpg"
    written = cv2.imread(str(snap.path))
    assert written is not None
    assert written.shape == (72, 128, 3)


def test_snapshot_of_a_camera_uses_its_newest_frame(tmp_path: Path) -> None:
    factory = FakeFactory()
    manager = StreamManager(registry("a"), options=FAST, factory=factory, monitor_interval=None)
    try:
        assert snapshot_camera(manager, "a", tmp_path) is None
        factory.next_camera(f"{DEAD_BASE}/a/sub").push(picture(77))
        lease = manager.acquire("a")
        assert wait_until(lambda: lease.latest() is not None)
        snap = snapshot_camera(manager, "a", tmp_path, fmt=ImageFormat.PNG)
        assert snap is not None
        assert snap.quality is Quality.SUB
        written = cv2.imread(str(snap.path))
        assert written is not None
        assert int(written[0, 0, 0]) == 77
    finally:
        factory.abandon()
        manager.close(timeout=5.0)
