"""The replay window: the cockpit on a replay's feed and drill store, marked DRILL, the real actions shown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

from PySide6.QtWidgets import QApplication

from app.drill.cockpit import ExercisePipeline, StopFlag, exercise_console, whole_dock_tabs
from app.drill.window_marks import DrillWindowMarks
from app.shell.cockpit import Cockpit, Pipeline
from app.shell.gui import Console
from app.shell.main_window import MainWindow
from dispatch.atlas import load_atlas
from dispatch.casework.policy_file import default_policy_path, load_policy
from dispatch.drill.replay_period import Period
from dispatch.feed.pipeline import IntakePipeline
from dispatch.service import LocalLoop
from sim.drill.replay import ReplayOptions, ReplayResult, ReplayRun
from widgets.drill.watermark import DrillWatermark

log = logging.getLogger(__name__)


@dataclass(slots=True)
class ReplayCockpit:
    """Everything a replay window is made of, in the order it is shut down."""

    run: ReplayRun
    loop: LocalLoop
    cockpit: Cockpit
    console: Console
    watermark: DrillWatermark
    marks: DrillWindowMarks
    stop: StopFlag
    pipeline: list[IntakePipeline]
    replay: asyncio.Task[ReplayResult] | None = None

    async def start(self) -> None:
        """Let the feed flow into the drill store, then play the period on the exercise clock."""
        await self.cockpit.start()
        assert self.pipeline, "the cockpit builds its intake when it starts"
        self.replay = asyncio.get_running_loop().create_task(self.run.run(self.pipeline[0]), name="replay")
        whole_dock_tabs(self.cockpit.window)

    async def finish(self) -> ReplayResult | None:
        """End the replay (what was played so far recorded), then close the cockpit, its loop and feed."""
        result: ReplayResult | None = None
        try:
            if self.replay is not None:
                self.stop.requested = True
                with contextlib.suppress(Exception):
                    result = await self.replay
        finally:
            self.marks.close()
            self.console.stop()
            await self.cockpit.shutdown()
            await asyncio.get_running_loop().run_in_executor(None, self.loop.close)
            with contextlib.suppress(Exception):
                await self.run.server.stop()
            self.run.close()
        return result


async def open_replay_cockpit(
    app: QApplication, window: MainWindow, period: Period, db_path: Path, options: ReplayOptions
) -> ReplayCockpit:
    """Build the replay window on `window`: the replay's feed server started, the cockpit reading it into
    the drill store through a closed loop on the exercise clock (whose origin is the period's start), the
    real case actions applied through that loop as they fall due, the demo operators to sign in with (to
    watch, or to work the replayed cases), the watermark on every window. Call `start()`, then `finish()`."""
    stop, outer_stop = StopFlag(), options.stop_requested
    options = replace(options, stop_requested=lambda: stop.requested or outer_stop())
    run = ReplayRun(period, db_path, options)
    loop: LocalLoop | None = None
    try:
        await run.server.start()
        loop = LocalLoop(db_path, load_policy(default_policy_path()), run.clock, exercise_store=True)
        run.loop = loop
        return _build(app, window, run, loop, stop)
    except BaseException:
        # Nothing is left listening on 127.0.0.1 or holding the drill store when the window cannot be built.
        if loop is not None:
            loop.close()
        with contextlib.suppress(Exception):
            await run.server.stop()
        run.close()
        raise


def _build(
    app: QApplication, window: MainWindow, run: ReplayRun, loop: LocalLoop, stop: StopFlag
) -> ReplayCockpit:
    pipelines: list[IntakePipeline] = []

    def pipeline_factory(db: Path, feed_url: str) -> Pipeline:
        intake = IntakePipeline(db_path=db, feed_url=feed_url, clock=run.clock)
        pipelines.append(intake)
        return ExercisePipeline(intake)

    # The demo city's names for units and places (a replay carries no atlas of its own).
    atlas = load_atlas(Path(str(resources.files("resources") / "atlas" / "demo")))
    cockpit, console = exercise_console(
        app, window, run.db_path, run.server.url, pipeline_factory, loop, atlas, run.clock, run.title
    )
    watermark = DrillWatermark(window.theme_palette, window)
    marks = DrillWindowMarks(app, window.theme_palette, watermark.word, skip=window)
    return ReplayCockpit(run, loop, cockpit, console, watermark, marks, stop, pipelines)
