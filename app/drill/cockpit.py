"""The drill window: the real cockpit on the drill's own feed and store, marked DRILL, with the director."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import msgspec
from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow, QTabBar

from app.desk.jobs import atlas_directory
from app.drill.director import DirectorControl, install_director
from app.drill.evaluation import EvaluatorControl, install_evaluator
from app.drill.window_marks import DrillWindowMarks
from app.shell.cockpit import Cockpit, Pipeline
from app.shell.gui import Console, ConsoleWall, install_console, install_wall
from app.shell.main_window import MainWindow
from app.situation.controller import SituationController, install_situation_map
from core.clock import Clock
from dispatch.atlas import Atlas
from dispatch.casework.policy_file import default_policy_path, load_policy
from dispatch.drill.scenario import Scenario
from dispatch.feed.pipeline import IntakePipeline, PipelineThread
from dispatch.feed.protocol import Event
from dispatch.service import LocalLoop
from sim.drill.delivery import DrillResult
from sim.drill.runner import DrillOptions, DrillRun
from widgets.drill.watermark import DrillWatermark

log = logging.getLogger(__name__)


class DrillWords(QObject):
    """The drill window's own words (a QObject, so lupdate files them under one context)."""

    def title(self, scenario: str, cockpit: str) -> str:
        return self.tr("[DRILL] %1 · %2").replace("%1", scenario).replace("%2", cockpit)


@dataclass(slots=True)
class DrillCockpit:
    """Everything a drill window is made of, in the order it is shut down."""

    run: DrillRun
    loop: LocalLoop
    cockpit: Cockpit
    console: Console
    director: DirectorControl
    watermark: DrillWatermark
    situation: SituationController
    evaluator: EvaluatorControl
    marks: DrillWindowMarks
    wall: ConsoleWall | None = None
    stop: StopFlag = field(default_factory=lambda: StopFlag())
    drill: asyncio.Task[DrillResult] | None = None

    async def start(self) -> None:
        """Let the feed flow into the drill store, then start the scenario's beat and the director."""
        await self.cockpit.start()
        self.drill = asyncio.get_running_loop().create_task(self.run.run(), name="drill-run")
        self.drill.add_done_callback(self._on_drill_done)
        self.director.start()
        # In front of its tab group once the window is laid out (a saved layout may have hidden it).
        self.director.show_dock()
        whole_dock_tabs(self.cockpit.window)

    def _on_drill_done(self, task: asyncio.Task[DrillResult]) -> None:
        if task.cancelled():
            return
        if task.exception() is not None:
            log.error("the drill stopped on an error", exc_info=task.exception())
        self.director.ended()

    async def finish(self) -> DrillResult | None:
        """End the drill (its verdicts so far recorded), then close the cockpit, its loop and the feed."""
        result: DrillResult | None = None
        try:
            if self.drill is not None:
                self.stop.requested = True
                with contextlib.suppress(Exception):
                    result = await self.drill
        finally:
            self.marks.close()
            self.director.stop()
            self.situation.stop()
            if self.wall is not None:
                self.wall.close()  # capture threads joined, the demo stream server stopped
            self.console.stop()
            await self.cockpit.shutdown()
            await asyncio.get_running_loop().run_in_executor(None, self.loop.close)
            await self.run.close()
        return result


class ExercisePipeline(PipelineThread):
    """The drill window's intake: what the console itself raises (a vital-sign rule's alarm on the drill's
    readings, motion on a camera) goes into the drill store flagged exercise like everything else, so the
    drill's loop opens it as an exercise case and the store never holds a real event."""

    def submit_local(self, event: Event) -> None:
        super().submit_local(msgspec.structs.replace(event, exercise=True))


def whole_dock_tabs(window: QMainWindow) -> None:
    """The drill adds two docks to the right column's tabs: its tab bars scroll rather than cut titles
    short ("Drill evalua…" in English at 1920 wide)."""
    for bar in window.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly):
        bar.setElideMode(Qt.TextElideMode.ElideNone)
        bar.setUsesScrollButtons(True)


@dataclass(slots=True)
class StopFlag:
    """Set when the window closes: the drill ends at its next beat and records its verdicts so far."""

    requested: bool = False


async def open_drill_cockpit(
    app: QApplication, window: MainWindow, scenario: Scenario, atlas: Atlas, db_path: Path,
    options: DrillOptions,
) -> DrillCockpit:  # fmt: skip
    """Build the drill window on `window`: the drill's feed server started, the cockpit reading it into
    the drill store at `db_path` through a closed loop on the exercise clock (SLA timers and injects on
    one time), the demo operators to sign in with, the queue showing exercise cases, the watermark and
    the director's dock. `options.headless` must be False; `options.director` carries the dock's commands.
    Call `start()` on the result under a running loop, and `finish()` at the end."""
    if options.headless or options.director is None:
        raise ValueError("a drill window needs players (headless=False) and a director's command queue")
    stop, outer_stop = StopFlag(), options.stop_requested
    replies: list[DirectorControl] = []  # the dock, once built: it shows the drill's replies at once
    outer_announce = options.announce

    def announce(line: str) -> None:
        outer_announce(line)
        for director in replies:
            director.replied(line)

    options = replace(options, stop_requested=lambda: stop.requested or outer_stop(), announce=announce)
    run = DrillRun(scenario, atlas, db_path, options)
    loop: LocalLoop | None = None
    try:
        url = await run.open()
        loop = LocalLoop(db_path, load_policy(default_policy_path()), run.clock, exercise_store=True)
        drill = _build(app, window, run, loop, url, atlas, stop)
    except BaseException:
        # Nothing is left listening on 127.0.0.1 or holding the drill store when the window cannot be built.
        if loop is not None:
            loop.close()
        await run.close()
        raise
    replies.append(drill.director)
    return drill


def exercise_console(
    app: QApplication, window: MainWindow, db_path: Path, feed_url: str,
    pipeline_factory: Callable[[Path, str], Pipeline], loop: LocalLoop, atlas: Atlas, clock: Clock,
    title: str,
) -> tuple[Cockpit, Console]:  # fmt: skip
    """The duty console of a drill or replay window: the cockpit on the exercise's feed, store and clock,
    its desk counting and showing exercise cases only, its title marked as a drill."""
    cockpit = Cockpit(
        window, db_path=db_path, feed_url=feed_url, pipeline_factory=pipeline_factory, loop=loop,
        directory=functools.partial(atlas_directory, atlas), clock=clock,
    )  # fmt: skip
    assert cockpit.duty is not None
    # The desk's counts (severe cases, open cases) are of exercise cases: a drill store holds no other.
    cockpit.duty.exercise = True
    # Deadlines and "overdue" on the desk are read on the drill's time, as the loop's timers set them.
    cockpit.duty.clock = clock
    console = install_console(app, window, cockpit, demo=True, atlas=atlas, exercise=True)
    filters = cockpit.duty.desk.queue.filters
    filters.exercise.setChecked(True)
    # Each officer who signs in starts with a clean queue (filters off): in a drill, exercise stays on.
    console.session.actor_changed.connect(lambda _: filters.exercise.setChecked(True))
    window.setWindowTitle(DrillWords(window).title(title, window.windowTitle()))
    return cockpit, console


def _build(
    app: QApplication, window: MainWindow, run: DrillRun, loop: LocalLoop, url: str, atlas: Atlas,
    stop: StopFlag,
) -> DrillCockpit:  # fmt: skip
    scenario = run.scenario

    def pipeline_factory(db: Path, feed_url: str) -> Pipeline:
        intake = IntakePipeline(db_path=db, feed_url=feed_url, clock=run.clock)
        run.attach(intake)
        return ExercisePipeline(intake)

    cockpit, console = exercise_console(
        app, window, run.db_path, url, pipeline_factory, loop, atlas, run.clock, scenario.title
    )
    assert cockpit.duty is not None
    # The city map beside the desk, of the drill's cases on the drill's time (ages, pulses).
    assert cockpit.bus is not None
    ticked = cockpit.frame_clock.ticked
    situation = install_situation_map(window, loop, cockpit.bus, cockpit.duty, atlas, ticked)
    situation.exercise = True
    situation.clock = run.clock
    who = lambda: console.session.actor  # noqa: E731 - the same "who" for the director and the evaluator
    director = install_director(window, run, who)
    # The evaluator's notes, ratings and plan, behind the director's dock; written through the loop.
    evaluator = install_evaluator(
        window, run, loop, who, director.summary, window.findChild(QDockWidget, "drillDirectorDock")
    )
    evaluator.follow(cockpit.bus)
    evaluator.refresh()
    # The video wall as on a console, on the demo city's cameras (a local stream server: no network); the
    # drill's camera scenes bring their cameras up with their cases. No motion events: a drill's events
    # come from its scenario alone.
    wall = install_wall(window, cockpit, console, window.layout_settings, run.db_path.parent, motion=False)
    situation.open_cameras_with(wall.controller.link_case)
    watermark = DrillWatermark(window.theme_palette, window)
    # Every dialog and pop-up window the team opens during the drill is marked as well.
    marks = DrillWindowMarks(app, window.theme_palette, watermark.word, skip=window)
    return DrillCockpit(
        run, loop, cockpit, console, director, watermark, situation, evaluator, marks, wall, stop
    )
