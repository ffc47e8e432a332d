"""`python main.py --wall`: one wall window per chosen screen, fed from the store, until closed."""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QApplication, QWidget

from app.shell.application import choose_ui_font
from app.shell.frame_clock import FrameClock
from app.shell.theme import apply_theme
from app.wall.build import WallParts, build_page, make_map
from app.wall.controller import WallController
from app.wall.pages import WallPages
from app.wall.sign_in import ANONYMOUS_WALL
from app.wall.source import StoreReader
from app.wall.theme import wall_stylesheet, wall_type
from app.wall.video import WallVideo
from app.wall.window import WallWindow
from core.clock import Clock, SystemClock
from dispatch.atlas import Atlas, load_atlas
from dispatch.casework.model import Actor
from dispatch.casework.policy import PolicyError
from dispatch.casework.policy_file import default_policy_path, load_policy
from dispatch.vitals.rules import AlertRule
from video.registry import CameraRegistry, RegistryError, load_registry
from video.streams import StreamManager
from widgets.common.palette import Palette
from widgets.common.vocabulary import Vocabulary
from widgets.wall.type_scale import TextRole

if TYPE_CHECKING:
    from sim.demo_cameras import DemoCameras

log = logging.getLogger(__name__)
SEAM_MARGIN_PX = 8
# The wall's pictures are painted this often: enough for street scenes seen from across the room, and
# half the decode-and-paint work of the desk's 30 Hz.
VIDEO_FPS = 15.0


class ScreenChoiceError(ValueError):
    """--screens names a screen this machine does not have; the message lists the ones it has."""


def choose_screens(screens: Sequence[QScreen], wanted: tuple[int, ...]) -> list[QScreen]:
    """The screens numbered in `wanted` (from 0), or every screen when it is empty."""
    if not wanted:
        return list(screens)
    missing = [n for n in wanted if n >= len(screens)]
    if missing:
        have = ", ".join(f"{n} ({s.name()})" for n, s in enumerate(screens))
        raise ScreenChoiceError(f"no screen {missing[0]}: this machine has {have}")
    return [screens[n] for n in wanted]


def build_windows(
    pages: WallPages,
    screens: Sequence[QScreen],
    palette: Palette,
    words: Vocabulary,
    cameras: Mapping[str, str] = MappingProxyType({}),
) -> list[tuple[WallWindow, WallParts]]:
    """A themed window per screen with every page built (shown by the controller)."""
    family = QApplication.font().family()
    sizes = wall_type(pages.viewing, family)
    sheet = wall_stylesheet(palette, sizes)
    built = []
    for screen in screens:
        window = WallWindow(screen.name())
        window.setStyleSheet(sheet)
        parts = WallParts()
        for page in pages.pages:
            window.add_page(build_page(page, parts, words, palette, sizes, cameras))
        canvas = pages.canvas
        # Kept clear over a seam: the bezel, the burn-in shift either way, and a margin each side.
        window.set_splice(*canvas.seams, canvas.bezel_px + 2 * (pages.burn_in_px + SEAM_MARGIN_PX))
        window.keep_read_only()
        built.append((window, parts))
    return built


DEMO_ATLAS = Path(str(resources.files("resources") / "atlas" / "demo"))


def demo_cameras() -> CameraRegistry | None:
    """The demo city's cameras; None if the file cannot be read."""
    return cameras_of(DEMO_ATLAS / "cameras.yaml")


def demo_camera_names() -> dict[str, str]:
    """The demo city's cameras, id → name, in the atlas's order."""
    return {camera.id: camera.name for camera in demo_cameras() or ()}


def cameras_of(path: Path | None) -> CameraRegistry | None:
    """A camera file as a registry; None (and a log line) when there is none or it cannot be read."""
    if path is None:
        return None
    try:
        return load_registry(path)
    except (OSError, RegistryError) as error:
        log.error("the wall shows no cameras: %s", error)
        return None


def add_takeover_maps(
    windows: Sequence[tuple[WallWindow, WallParts]], palette: Palette, pages: WallPages | None = None
) -> list[QWidget]:
    """A map beside each window's takeover (when the map is in the build), its words at the room's least
    legible size for `pages`' viewing distance; returns them."""
    maps = []
    text_px = (
        wall_type(pages.viewing, QApplication.font().family()).font_px(TextRole.MINOR) if pages else None
    )
    for window, _ in windows:
        widget = make_map(palette)
        set_text_px = getattr(widget, "set_text_px", None)
        if text_px is not None and callable(set_text_px):
            set_text_px(text_px)
        if widget is not None:
            window.takeover.set_map(widget)
            window.keep_read_only()
            maps.append(widget)
    return maps


def show_demo_atlas(maps: Sequence[QWidget]) -> None:
    """The demo city on every map panel."""
    if maps:
        show_atlas(maps, load_atlas(DEMO_ATLAS))


def show_atlas(maps: Sequence[QWidget], atlas: Atlas) -> None:
    """The city's districts, roads and places on every map panel; without them a map stays empty."""
    try:
        for widget in maps:
            widget.set_atlas(atlas)  # type: ignore[attr-defined]
    except Exception:
        # The map is another room's widget: trouble in it costs the map, not the wall.
        log.exception("the wall's map shows no atlas")


def wall_rules() -> tuple[AlertRule, ...]:
    """The shipped policy's alert rules (the ones the duty console judges); none if it cannot be read."""
    try:
        return load_policy(default_policy_path()).alert_rules
    except PolicyError as error:
        log.error("the wall shows no rule states: %s", error)
        return ()


def start_video(
    windows: Sequence[tuple[WallWindow, WallParts]],
    registry: CameraRegistry,
    clock: Clock,
    upcoming: Callable[[], int | None] = lambda: None,
) -> tuple[WallVideo, FrameClock]:
    """Live pictures in every video tile and takeover, painted on a frame clock of their own (started);
    `upcoming` names the page about to show, whose cameras are opened ahead of it."""
    video = WallVideo(windows, StreamManager(registry), clock.now, time.monotonic, upcoming)
    frames = FrameClock(lambda: None, fps=VIDEO_FPS, summary_hz=1.0)
    frames.ticked.connect(video.tick)
    frames.start()
    return video, frames


def _demo_camera_server() -> DemoCameras | None:
    """The demo city's cameras, served by a child process that dies with the wall; None if it won't start."""
    # Imported here: a wall on a city's own atlas and cameras never loads the simulator.
    from sim.demo_cameras import DemoCameras

    try:
        return DemoCameras()
    except (OSError, RuntimeError) as error:
        log.error("the wall shows no pictures of the demo city's cameras: %s", error)
        return None


def run_wall(
    app: QApplication,
    pages: WallPages,
    db_path: Path,
    wanted: tuple[int, ...] = (),
    clock: Clock | None = None,
    atlas: Atlas | None = None,
    actor: Actor = ANONYMOUS_WALL,
) -> int:
    """Show the wall until every window is closed or the process is told to stop; the exit code.
    `atlas`: the city's own files (its districts, cameras and map); default: the demo city's, whose
    cameras are served by a child process for as long as the wall runs. `actor`: who signed the wall
    in (app.wall.sign_in), always of the wall role."""
    log.info("wall signed in as %s (%s)", actor.login, actor.role.value)
    choose_ui_font(app)
    palette = apply_theme(app)
    words = Vocabulary(app)
    clock = clock or SystemClock()
    screens = choose_screens(QGuiApplication.screens(), wanted)
    on_demo = atlas is None
    atlas = atlas or load_atlas(DEMO_ATLAS)
    cameras = cameras_of(atlas.files.get("cameras"))
    with ExitStack() as stack:
        demo = _demo_camera_server() if on_demo and cameras is not None else None
        if demo is not None:
            # Closed last: the capture threads are joined before their stream server goes away.
            stack.callback(demo.close)
            cameras = demo.registry()
        windows = build_windows(pages, screens, palette, words, {c.id: c.name for c in cameras or ()})
        maps = [widget for _, parts in windows for widget in parts.maps]
        show_atlas(maps + add_takeover_maps(windows, palette, pages), atlas)
        history_s = max((p.window_s for page in pages.pages for p in page.panels), default=1800.0)
        controller = WallController(
            pages,
            windows,
            clock,
            words,
            wall_rules(),
            StoreReader(db_path, history_s),
            history_s=history_s,
            district_names={d.code: d.name for d in atlas.districts},
            cameras=cameras,
            actor=actor,
        )
        # Without a camera list the video tiles say so instead of waiting for a picture.
        video, frames = start_video(windows, cameras or CameraRegistry([]), clock, controller.upcoming)
        stack.callback(video.close)
        stack.callback(frames.stop)
        for (window, _), screen in zip(windows, screens, strict=True):
            window.place_on(screen, pages.canvas.size)
        controller.start()
        stack.callback(controller.stop)
        # Ctrl+C in the terminal (or SIGTERM from a service manager) closes the wall like its last window.
        signal.signal(signal.SIGINT, lambda *_: app.quit())
        signal.signal(signal.SIGTERM, lambda *_: app.quit())
        return app.exec()
