"""`python main.py`: the cockpit window on a qasync loop, on a real feed or the embedded demo city."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import qasync
import shiboken6
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QDockWidget

from app.desk.alarm import install_alarm
from app.desk.jobs import atlas_directory, atlas_names, demo_atlas_path, demo_directory
from app.seats.join import JoinFailed, SeatJoin, feed_store, forwarding, open_seat_loop
from app.seats.status import SeatStatusWatch
from app.shell.application import (
    choose_ui_font,
    create_application,
    font_warning,
    install_translations,
    no_display_reason,
    ui_language,
)
from app.shell.city_time import use_city_time
from app.shell.cockpit import Cockpit, DemoFeed, make_pipeline_factory
from app.shell.main_window import MainWindow
from app.shell.theme import apply_theme
from app.shift.docks import ShiftPanels, city_names, install_shift_panels
from app.shift.session import Session, install_session
from app.situation.controller import SituationController, install_situation_map
from app.videowall.controller import WallController
from app.videowall.dock import install_video_wall
from app.videowall.incidents import IncidentVideo, WallSwitch
from app.videowall.motion_intake import MotionIntake, local_intake
from app.wall.desk_panels import install_desk_wall
from dispatch.atlas import Atlas, load_atlas
from dispatch.casework.model import Actor, Role
from dispatch.casework.policy import PolicyError
from dispatch.casework.policy_file import default_policy_path, load_policy
from dispatch.casework.records.checkpoints import DEFAULT_CHECKPOINT_MINUTES, checkpointer_for
from dispatch.casework.records.orders import unanswered_orders
from dispatch.feed.order_sender import OrderSender
from dispatch.feed.positions_wire import PositionRules
from dispatch.store.database import default_db_path
from video.registry import CameraRegistry

if TYPE_CHECKING:
    from sim.demo_cameras import DemoCameras

log = logging.getLogger(__name__)


def _demo_cameras() -> DemoCameras:
    # Imported here: a cockpit on a real feed and a city's own cameras never loads the simulator.
    from sim.demo_cameras import DemoCameras

    return DemoCameras()


def prepare_application() -> QApplication:
    """City time, QApplication, translations and fonts; call before any widget exists."""
    if QApplication.instance() is None:
        # Only before Qt starts: it takes the local zone once, and a zone changed under live widgets
        # would show some times one way and some the other.
        # A bad policy file is reported when the cockpit loads it for the duty desk.
        with contextlib.suppress(PolicyError):
            use_city_time(load_policy(default_policy_path()).calendar.timezone)
    app = create_application()
    install_translations(app, ui_language())
    return app


def build_window(app: QApplication, settings: QSettings) -> MainWindow:
    """The themed main window, with the missing-font banner when Chinese cannot be drawn."""
    fonts_ok = choose_ui_font(app)
    palette = apply_theme(app)
    window = MainWindow(palette=palette, settings=settings)
    if not fonts_ok:
        window.header.show_warning(font_warning())
    return window


def demo_factory(rate: float, seed: int | None) -> Callable[[], DemoFeed]:
    def start() -> DemoFeed:
        # Imported here: a cockpit on a real feed never loads the simulator.
        from sim.process import DemoFeedProcess

        return DemoFeedProcess(rate=rate, seed=seed)

    return start


@dataclass(slots=True)
class Console:
    """The operator's side of a cockpit: who is signed in, and the panels that act for them."""

    app: QApplication
    session: Session
    panels: ShiftPanels

    def stop(self) -> None:
        """Stop the panels' and the session's timers; call before the cockpit closes the desk thread."""
        self.panels.stop()
        self.session.stop(self.app)


def install_console(
    app: QApplication, window: MainWindow, cockpit: Cockpit, *, demo: bool, atlas: Atlas | None = None,
    exercise: bool = False,
) -> Console:  # fmt: skip
    """Sign-in and idle lock over the window, the supervision, handover and evaluation docks, and the duty
    desk acting as whoever signs in; names come from `atlas` when given; `exercise`: the docks count
    exercise cases (a drill). Call before restoring the saved layout (it adds docks)."""
    loop, bus = cockpit.loop, cockpit.bus
    assert loop is not None, "the console needs the cockpit's closed loop"
    assert bus is not None
    session = install_session(app, window, loop, demo=demo)
    names = None
    if atlas is not None:
        names = atlas_names(atlas)
    elif demo:
        # Imported here: a cockpit on a real feed never loads the simulator.
        from sim.city import demo_city

        names = city_names(demo_city())
    panels = install_shift_panels(
        window, loop, bus, session, vocabulary=window.vocabulary, palette=window.theme_palette, names=names,
        exercise=exercise,
    )  # fmt: skip
    # The sign-in form had the keyboard; once it is gone, the panel in front (the queue) takes it.
    session.lock_changed.connect(lambda locked: None if locked else window.give_keys_to_front())
    if cockpit.duty is not None:
        cockpit.duty.follow(session)
        # F7/F8 act on the case open on the desk when the board has none selected; F1 lists them.
        cockpit.duty.case_shown.connect(lambda f: panels.board.set_open_case(f.case if f else None))
        for act in panels.board.key_actions:
            cockpit.duty.desk.add_key(act.shortcut().toString(), act.text())
    return Console(app, session, panels)


def dispose(window: MainWindow) -> None:
    """Destroy the window (and the cockpit, its child) while the QApplication still exists: left to
    interpreter shutdown, the chart's graphics scene can outlive Qt and crash the exit."""
    shiboken6.delete(window)


async def serve(cockpit: Cockpit, console: Console | None = None) -> None:
    """Run until the window closes or SIGINT/SIGTERM arrives, then shut everything down in order."""
    loop = asyncio.get_running_loop()
    stop_signals = (signal.SIGINT, signal.SIGTERM)
    for number in stop_signals:
        loop.add_signal_handler(number, cockpit.request_stop)
    try:
        await cockpit.start()
        await cockpit.wait_closed()
    finally:
        if console is not None:
            console.stop()
        await cockpit.shutdown()
        for number in stop_signals:
            loop.remove_signal_handler(number)


def run_gui(
    *,
    feed_url: str | None,
    token: str | None,
    ca_file: Path | None,
    db_path: Path | None,
    rate: float,
    seed: int | None,
    cameras: CameraRegistry | None = None,
    audit_key: Path | None = None,
    checkpoint_log: Path | None = None,
    checkpoint_minutes: float = DEFAULT_CHECKPOINT_MINUTES,
    atlas: Atlas | None = None,
    join: SeatJoin | None = None,
) -> int:
    """The cockpit window until it closes; the video wall shows `cameras`, or the demo city's when the
    cockpit runs on the demo city. The audit's head is signed every `checkpoint_minutes` and at each
    handover with `audit_key` (default: the one `audit keygen` made; without one, checkpoints are off).
    The dispatch dialog offers the units and roads of `atlas`, else the demo city's. With `join` the
    console is a seat of a centre: its cases are a replica of the centre's log (docs/seats.md)."""
    reason = no_display_reason()
    if reason is not None:
        print(f"tianshu: {reason}", file=sys.stderr)
        return 1
    store = db_path or default_db_path()
    checkpoints = checkpointer_for(store, audit_key, checkpoint_log, checkpoint_minutes * 60)
    seat = None
    if join is not None:
        try:
            # A seat signs its replica's audit head too: the centre's chain, witnessed by this console.
            seat = open_seat_loop(join, store, checkpoints=checkpoints)
        except JoinFailed as error:
            print(f"tianshu: cannot join the centre: {error}", file=sys.stderr)
            return 1
    app = prepare_application()
    # The loop, not Qt, decides when we are done: shutdown must run after the last window closes.
    app.setQuitOnLastWindowClosed(False)
    settings = QSettings()
    window = build_window(app, settings)
    if checkpoints is None:
        log.warning("audit checkpoints are off: no signing key (python main.py audit keygen makes one)")
    city = atlas or load_atlas(demo_atlas_path())
    # Live positions must name the atlas's units and lie on its map: the demo city's, or the --atlas one
    # (a foreign feed without --atlas is not judged against the demo city).
    positions = PositionRules.from_atlas(city) if atlas is not None or feed_url is None else None
    # A seat sends the orders of its replica (every seat does: the server passes an order on once) until
    # their unit answers through the log.
    orders = None if seat is None else functools.partial(OrderSender, store, pending=unanswered_orders)
    pipelines = make_pipeline_factory(token, ca_file, positions, orders)
    cockpit = Cockpit(
        window,
        # A seat's feed goes to a store of its own and to the log; its replica is the log's alone.
        db_path=store if seat is None else feed_store(store),
        loop=seat,
        audit_checkpoints=checkpoints,
        feed_url=feed_url,
        pipeline_factory=pipelines if seat is None else forwarding(pipelines, seat),
        demo_factory=demo_factory(rate, seed) if feed_url is None else None,
        directory=demo_directory if atlas is None else functools.partial(atlas_directory, atlas),
    )
    console = install_console(app, window, cockpit, demo=feed_url is None, atlas=atlas)
    alarm = install_alarm(window, cockpit.duty, settings) if cockpit.duty is not None else None
    situation: SituationController | None = None
    if cockpit.duty is not None and cockpit.loop is not None and cockpit.bus is not None:
        # The map beside the desk shows the city the desk dispatches in: --atlas, else the demo city.
        situation = install_situation_map(
            window, cockpit.loop, cockpit.bus, cockpit.duty, city,
            cockpit.frame_clock.ticked,
        )  # fmt: skip
    # The wall screen's panels (vital signs, case board, warnings) a tab away from the map.
    desk_wall = install_desk_wall(window, cockpit, city) if situation is not None else None
    wall = None
    if feed_url is None or cameras is not None:
        wall = install_wall(window, cockpit, console, settings, store.parent, cameras)
    if situation is not None and wall is not None:
        # A camera's mark on the map opens its picture in the wall's pop-up.
        situation.open_cameras_with(wall.controller.link_case)
    seat_status = SeatStatusWatch(seat, window.status, window) if seat is not None else None
    if seat is not None and cockpit.duty is not None:
        cockpit.duty.desk.panel.set_escalate_to(seat.parent)  # a district's seat escalates to its city
    window.restore_layout()
    window.show()
    try:
        qasync.run(serve(cockpit, console))
    except Exception as error:
        log.error("the cockpit stopped on an error: %s", error, exc_info=error)
        return 1
    finally:
        if situation is not None:
            situation.stop()
        if desk_wall is not None:
            desk_wall.close()
        if wall is not None:
            wall.close()
        if alarm is not None:
            alarm.close()
        if seat_status is not None:
            seat_status.close()
        if seat is not None:
            seat.close()
        dispose(window)
    return 0


@dataclass(slots=True)
class ConsoleWall:
    """The video wall of a console, linked to its duty desk; on the demo city its cameras are served by a
    child process."""

    controller: WallController
    incidents: IncidentVideo | None
    cameras: DemoCameras | None = None

    def close(self) -> None:
        # The tiles stop and the capture threads are joined before the stream server goes away.
        self.controller.close()
        if self.cameras is not None:
            self.cameras.close()


def install_wall(
    window: MainWindow,
    cockpit: Cockpit,
    console: Console,
    settings: QSettings,
    data_dir: Path,
    registry: CameraRegistry | None = None,
    *,
    motion: bool = True,
) -> ConsoleWall:
    """A tab beside the duty desk showing the cameras of `registry` (the demo city's when None) that the
    signed-in role may see; motion becomes video_ai events in the cockpit's intake (unless `motion` is
    False: a drill's events come from its scenario only); the desk's cases bring their cameras up;
    snapshots are saved beside the store."""
    cameras = _demo_cameras() if registry is None else None
    shown = cameras.registry() if cameras is not None else registry
    assert shown is not None
    intake = MotionIntake(shown, lambda: local_intake(cockpit.pipeline))
    wall = install_video_wall(
        window, cockpit.frame_clock, registry=shown, role=Role.VIEWER.value, settings=settings,
        palette=window.theme_palette, beside=window.duty_dock or window.event_dock,
        snapshot_dir=data_dir / "snapshots", on_motion=intake if motion else None,
    )  # fmt: skip
    dock = window.findChild(QDockWidget, "videoWallDock")
    assert dock is not None
    window.add_desk_tab(dock)

    def follow(actor: Actor | None) -> None:
        wall.set_role(actor.role.value if actor is not None else Role.VIEWER.value)

    console.session.actor_changed.connect(follow)
    incidents = None
    if cockpit.duty is not None and window.duty_dock is not None:
        switch = WallSwitch(window, dock, wall.wall, window.duty_dock, cockpit.duty.desk)
        incidents = IncidentVideo(cockpit.duty, wall, switch)
    return ConsoleWall(wall, incidents, cameras)
