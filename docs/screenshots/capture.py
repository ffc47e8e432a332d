"""Real captures of the duty desk: the cockpit on Xvfb through Qt's xcb platform, signed in from the keyboard.

    python docs/screenshots/capture.py --size 1920x1080 --out docs/screenshots/desk-1920x1080.png

Needs Xvfb and xdotool (scripts/system-packages.txt). A first start, as on a new console: fresh settings,
a fresh demo store; the picture is the whole X screen after `--after` seconds of the demo city.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "tianshu-demo"
GRAB = (
    "import sys\n"
    "from PySide6.QtGui import QGuiApplication\n"
    "app = QGuiApplication(sys.argv[:1])\n"
    "sys.exit(0 if app.primaryScreen().grabWindow(0).save(sys.argv[1], 'PNG') else 1)\n"
)


def start_xvfb(size: str) -> tuple[subprocess.Popen[bytes], str]:
    """Xvfb on the first free display from :50, once its socket is there."""
    for number in range(50, 100):
        if Path(f"/tmp/.X{number}-lock").exists() or Path(f"/tmp/.X11-unix/X{number}").exists():
            continue
        server = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", f"{size}x24", "-nolisten", "tcp"])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and server.poll() is None:
            if Path(f"/tmp/.X11-unix/X{number}").exists():
                return server, f":{number}"
            time.sleep(0.2)
        server.kill()
        server.wait()
    raise SystemExit("Xvfb did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--after", type=float, default=40.0, help="seconds of the demo city after sign-in")
    parser.add_argument("--lang", default="", help="TIANSHU_LANG (en for English; Chinese by default)")
    # Faster than the demo's realistic pace, so a fresh store has a page of cases to show within a minute.
    parser.add_argument("--rate", default="0.5", help="the demo city's new incidents a second")
    args = parser.parse_args()
    server, display = start_xvfb(args.size)
    with tempfile.TemporaryDirectory(prefix="tianshu-capture-") as scratch:
        home = Path(scratch)
        env = {k: v for k, v in os.environ.items() if k not in {"WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}}
        env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb")
        if args.lang:
            env["TIANSHU_LANG"] = args.lang
        cockpit_env = dict(env)
        for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
            cockpit_env[var] = str(home / var.lower())
        with open(home / "cockpit.log", "wb") as log:
            cockpit = subprocess.Popen(
                [
                    sys.executable,
                    str(ROOT / "main.py"),
                    "--db",
                    str(home / "store.sqlite3"),
                    "--seed",
                    "1",
                    "--rate",
                    args.rate,
                ],
                cwd=ROOT,
                env=cockpit_env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:

            def xdotool(*command: str) -> str:
                done = subprocess.run(
                    ["xdotool", *command], env=env, capture_output=True, text=True, timeout=180
                )
                return done.stdout

            window = xdotool("search", "--sync", "--onlyvisible", "--pid", str(cockpit.pid)).split()[0]
            xdotool("windowfocus", "--sync", window)
            # The sign-in form takes the keyboard once the store is open.
            time.sleep(8)
            xdotool("type", "--delay", "30", "lead")
            xdotool("key", "Return")
            xdotool("type", "--delay", "30", PASSWORD)
            xdotool("key", "Return")
            time.sleep(args.after)
            # Let the cases that arrived since sign-in into the queue (N), as an officer would.
            xdotool("key", "n")
            time.sleep(4)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run([sys.executable, "-c", GRAB, str(args.out)], env=env, check=True, timeout=120)
        finally:
            if cockpit.poll() is None:
                cockpit.send_signal(signal.SIGTERM)
                try:
                    cockpit.wait(60)
                except subprocess.TimeoutExpired:
                    os.killpg(cockpit.pid, signal.SIGKILL)
                    cockpit.wait()
            server.terminate()
            server.wait(30)
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
