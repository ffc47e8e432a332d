"""Motion analytics → intake: one burst of motion on a camera becomes one video_ai discovery event at the
camera's place, handed to the same intake as the feed."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from app.videowall.motion_intake import CATEGORY, MotionIntake, local_intake
from dispatch.feed.pipeline import IntakePipeline, PipelineThread
from dispatch.feed.protocol import Event
from sim.city import demo_city
from tests.video.fakes import DEAD_BASE
from video.motion import Box
from video.registry import demo_registry

CITY = demo_city()
REGISTRY = demo_registry(CITY.cameras[:4], DEAD_BASE)
CAMERA = CITY.cameras[2]
AT = 1_767_603_600.4
BOX = Box(0.62, 0.56, 0.2, 0.3)


class RecordingIntake:
    """Stands in for IntakePipeline.submit_local: records what it is given, from whichever thread."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.threads: list[str] = []

    def submit_local(self, event: Event) -> None:
        self.events.append(event)
        self.threads.append(threading.current_thread().name)


def test_a_burst_becomes_one_video_ai_event_at_the_camera(qapp: QApplication) -> None:
    intake = RecordingIntake()
    motion = MotionIntake(REGISTRY, lambda: intake)
    worker = threading.Thread(target=motion, args=(CAMERA.id, AT, BOX), name="capture-2")
    worker.start()
    worker.join()
    [event] = intake.events
    assert intake.threads == ["capture-2"]
    assert event.id == f"{CAMERA.id}:{int(AT)}"
    assert (event.source, event.category, event.severity) == ("video_ai", CATEGORY, 3)
    assert event.camera_id == CAMERA.id
    assert event.location is not None
    assert (event.location.lon, event.location.lat) == (CAMERA.lon, CAMERA.lat)
    assert event.occurred_at == datetime.fromtimestamp(AT, UTC)
    assert CAMERA.name in event.title
    assert event.description is not None
    assert "x 0.62" in event.description


def test_motion_before_the_pipeline_exists_or_on_an_unknown_camera_is_dropped(qapp: QApplication) -> None:
    intake = RecordingIntake()
    MotionIntake(REGISTRY, lambda: None)(CAMERA.id, AT, BOX)
    MotionIntake(REGISTRY, lambda: intake)("no-such-camera", AT, BOX)
    assert intake.events == []


def test_an_intake_that_refuses_the_event_does_not_stop_the_capture_thread(
    qapp: QApplication, caplog: pytest.LogCaptureFixture
) -> None:
    class Refusing:
        def submit_local(self, event: Event) -> None:
            raise ValueError("title too long")

    with caplog.at_level(logging.ERROR):
        MotionIntake(REGISTRY, lambda: Refusing())(CAMERA.id, AT, BOX)
    assert "title too long" in caplog.text


def test_the_event_is_stored_like_a_feed_event_by_the_real_pipeline(
    qapp: QApplication, tmp_path: Path
) -> None:
    store = tmp_path / "store.sqlite3"
    pipeline = IntakePipeline(db_path=store, feed_url="ws://127.0.0.1:9/feed")
    # The cockpit holds the pipeline inside a PipelineThread, which passes local events on.
    found = local_intake(PipelineThread(pipeline))
    try:
        assert found is not None
        motion = MotionIntake(REGISTRY, lambda: found)
        motion(CAMERA.id, AT, BOX)
        motion(CAMERA.id, AT, BOX)  # the same burst twice is one event
        assert pipeline.flush(10.0)
    finally:
        asyncio.run(pipeline.close())
    with sqlite3.connect(store) as conn:
        rows = conn.execute(
            "SELECT source, event_id, feed, category, camera_id, lon, lat FROM events"
        ).fetchall()
    assert rows == [
        ("video_ai", f"{CAMERA.id}:{int(AT)}", "local:video", CATEGORY, CAMERA.id, CAMERA.lon, CAMERA.lat)
    ]
