"""The real cockpit on a virtual X server through Qt's xcb platform, as on a desktop (not offscreen): it
opens, an officer signs in from the keyboard, F1 works with no click, and the screen shows the desk.

A system library Qt's xcb platform needs and scripts/system-packages.txt misses fails this test."""

from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import PySide6
import pytest

from dispatch.casework.records.accounts import DEMO_PASSWORD

pytestmark = [pytest.mark.slow, pytest.mark.timeout(360)]

ROOT = Path(__file__).resolve().parents[3]
TOOLS = ("Xvfb", "xdotool")
# Generous: the demo city, its cameras and the store start on a shared two-core machine.
START_S = 120.0
SIGN_IN_S = 60.0
STOP_S = 60.0
# The sign-in cover is one colour over most of the window, with text on it; the desk is busy.
COVER_COLOURS = 300
DESK_COLOURS = 1500
DESK_MOST_COMMON = 0.5
GRAB = (
    "import sys\n"
    "from PySide6.QtGui import QGuiApplication\n"
    "app = QGuiApplication(sys.argv[:1])\n"
    "sys.exit(0 if app.primaryScreen().grabWindow(0).save(sys.argv[1], 'PNG') else 1)\n"
)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


@pytest.fixture
def display(tmp_path: Path) -> Iterator[str]:
    """A fresh Xvfb at 1920×1080 on a free display number; skipped without Xvfb, except in CI."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        reason = (
            f"{' and '.join(missing)} not installed (Debian: apt-get install xvfb xdotool; "
            "`make test` as root installs them from scripts/system-packages.txt)"
        )
        if in_ci():
            pytest.fail(f"CI must start the cockpit on xcb, but {reason}")
        pytest.skip(reason)
    read_end, write_end = os.pipe()
    with open(tmp_path / "xvfb.log", "wb") as log:
        server = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
            pass_fds=(write_end,),
            stdout=log,
            stderr=log,
        )
    os.close(write_end)
    try:
        # Xvfb writes the display number it took once it accepts connections.
        ready, _, _ = select.select([read_end], [], [], START_S)
        number = os.read(read_end, 64).decode().strip() if ready else ""
        if not number.isdigit():
            pytest.fail(f"Xvfb did not start: {(tmp_path / 'xvfb.log').read_text(errors='replace')[-2000:]}")
        yield f":{number}"
    finally:
        os.close(read_end)
        server.terminate()
        server.wait(STOP_S)


@dataclass
class Desktop:
    """The X display, and the commands an officer's hands and eyes stand for."""

    display: str
    shots: Path

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in {"WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}}
        return {**env, "DISPLAY": self.display, "QT_QPA_PLATFORM": "xcb"}

    def xdotool(self, *args: str, timeout: float = 30.0) -> str:
        done = subprocess.run(
            ["xdotool", *args], env=self.env(), capture_output=True, text=True, timeout=timeout, check=False
        )
        # What xdotool said, in the failure: a bare CalledProcessError does not show it.
        assert done.returncode == 0, f"xdotool {' '.join(args)}: exit {done.returncode}: {done.stderr}"
        return done.stdout

    def grab(self, name: str) -> np.ndarray:
        """The whole screen, as the X server has it (BGR)."""
        path = self.shots / f"{name}.png"
        subprocess.run([sys.executable, "-c", GRAB, str(path)], env=self.env(), check=True, timeout=60)
        picture = cv2.imread(str(path))
        assert picture is not None, f"unreadable screenshot {path}"
        return picture


@dataclass(frozen=True)
class Look:
    """What a picture of the window shows, in numbers."""

    colours: int
    most_common: float


def look(picture: np.ndarray, geometry: dict[str, int]) -> Look:
    x, y, w, h = (geometry[k] for k in ("X", "Y", "WIDTH", "HEIGHT"))
    pixels = picture[y : y + h, x : x + w].reshape(-1, 3)
    _, counts = np.unique(pixels, axis=0, return_counts=True)
    return Look(len(counts), float(counts.max()) / len(pixels))


def unresolved_libraries() -> str:
    """What ldd cannot find for Qt's xcb platform plugin (Qt's own message names the wrong package)."""
    plugin = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    try:
        listing = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"\n(ldd {plugin}: {error})"
    missing = sorted({line.split()[0] for line in listing.splitlines() if "not found" in line})
    if not missing:
        return ""
    return (
        f"\nnot found for {plugin.name}: {' '.join(missing)} (add its package to scripts/system-packages.txt)"
    )


def key_list_title() -> str:
    """The F1 dialog's title in the UI's default language (Simplified Chinese), from its catalogue."""
    for catalogue in sorted((ROOT / "resources" / "i18n").glob("*_zh_CN.ts")):
        for context in ET.parse(catalogue).getroot().iter("context"):
            if context.findtext("name") != "KeyList":
                continue
            for message in context.iter("message"):
                if message.findtext("source") == "Duty desk keys":
                    return message.findtext("translation") or ""
    raise AssertionError("the key list's title has no Chinese translation")


class Cockpit:
    """`python main.py` on the demo city with its own store and settings, output to a file."""

    def __init__(self, desktop: Desktop, home: Path) -> None:
        self.output = home / "cockpit.log"
        env = desktop.env()
        # Settings, data and caches of this run only.
        for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
            env[var] = str(home / var.lower())
        env["PYTHONFAULTHANDLER"] = "1"
        with open(self.output, "wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, str(ROOT / "main.py"), "--db", str(home / "store.sqlite3"), "--seed", "1"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                # Its own process group: the demo city and camera server go with it if it must be killed.
                start_new_session=True,
            )

    def said(self) -> str:
        """The end of what the cockpit printed, and the libraries Qt's xcb platform would miss."""
        return self.output.read_text(errors="replace")[-4000:] + unresolved_libraries()

    def wait_for_window(self, desktop: Desktop, *search: str, within: float) -> str:
        """The id of the cockpit's visible window matching `search`, failing at once if the cockpit died."""
        args = [
            "xdotool",
            "search",
            "--sync",
            "--all",
            "--onlyvisible",
            "--pid",
            str(self.process.pid),
            *search,
        ]
        finder = subprocess.Popen(args, env=desktop.env(), stdout=subprocess.PIPE, text=True)
        deadline = time.monotonic() + within
        try:
            while True:
                try:
                    found, _ = finder.communicate(timeout=0.5)
                    return found.split()[0]
                except subprocess.TimeoutExpired:
                    if self.process.poll() is not None:
                        pytest.fail(f"the cockpit exited with {self.process.returncode}:\n{self.said()}")
                    if time.monotonic() > deadline:
                        pytest.fail(f"no window {search} after {within:.0f} s:\n{self.said()}")
        finally:
            if finder.poll() is None:
                finder.kill()
                finder.communicate()

    def stop(self) -> int:
        """SIGTERM, as a desktop session ending would send; the cockpit shuts down in order."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_S)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        return self.process.returncode


@pytest.fixture
def cockpit(display: str, tmp_path: Path) -> Iterator[tuple[Desktop, Cockpit]]:
    desktop = Desktop(display, tmp_path)
    started = Cockpit(desktop, tmp_path)
    try:
        yield desktop, started
    finally:
        if started.process.poll() is None:
            os.killpg(started.process.pid, signal.SIGKILL)
            started.process.wait()


def test_the_cockpit_starts_on_xcb_signs_in_and_shows_the_desk(cockpit: tuple[Desktop, Cockpit]) -> None:
    desktop, app = cockpit
    window = app.wait_for_window(desktop, within=START_S)
    geometry = {
        key: int(value)
        for key, value in (
            line.split("=") for line in desktop.xdotool("getwindowgeometry", "--shell", window).split()
        )
        if key in {"X", "Y", "WIDTH", "HEIGHT"}
    }
    # What a desktop's window manager does for a new window: give it the keyboard.
    desktop.xdotool("windowfocus", "--sync", window)

    # The sign-in form is drawn (text and all) before anyone types.
    deadline = time.monotonic() + START_S
    while (cover := look(desktop.grab("sign-in"), geometry)).colours < COVER_COLOURS:
        assert time.monotonic() < deadline, f"the sign-in form was never drawn: {cover}\n{app.said()}"

    # The login field has the keyboard; Enter moves to the password, Enter signs in.
    desktop.xdotool("type", "--delay", "20", "lead")
    desktop.xdotool("key", "Return")
    desktop.xdotool("type", "--delay", "20", DEMO_PASSWORD)
    desktop.xdotool("key", "Return")

    # F1 right after sign-in, no click: the key list opens. Pressed while the sign-in is still being
    # checked, the lock swallows it, so it is pressed again until the desk answers.
    title = f"^{key_list_title()}$"
    deadline = time.monotonic() + SIGN_IN_S
    while True:
        desktop.xdotool("key", "F1")
        try:
            app.wait_for_window(desktop, "--name", title, within=3.0)
            break
        except pytest.fail.Exception:
            if app.process.poll() is not None or time.monotonic() > deadline:
                raise

    keys = look(desktop.grab("keys"), geometry)
    assert keys.colours >= COVER_COLOURS, f"the key list looks blank: {keys} (see {desktop.shots})"

    # Esc closes the list and the desk is all there is on the screen: busy, not one colour.
    desktop.xdotool("key", "Escape")
    deadline = time.monotonic() + SIGN_IN_S
    while (desk := look(desktop.grab("desk"), geometry)).most_common >= DESK_MOST_COMMON:
        assert time.monotonic() < deadline, f"still the sign-in cover or the key list? {desk} vs {cover}"
    assert desk.colours >= DESK_COLOURS, f"the desk looks blank: {desk} (see {desktop.shots})"
    assert desk.colours > cover.colours

    assert app.stop() == 0, app.said()
