"""A real RTSP server on 127.0.0.1 for tests and benchmarks, with fault injection: freeze, kill, restart."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

SYSTEM_PYTHON = "/usr/bin/python3"
# Debian packages that provide it; .ci/run installs them.
DEBIAN_PACKAGES = (
    "gir1.2-gst-rtsp-server-1.0",
    "gstreamer1.0-plugins-base",
    "gstreamer1.0-plugins-good",
    "gstreamer1.0-plugins-ugly",
)
_ROOT = Path(__file__).resolve().parent.parent
_CHECK = """
import gi
gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import Gst, GstRtspServer
Gst.init(None)
missing = [e for e in ("appsrc", "x264enc", "rtph264pay", "jpegenc", "rtpjpegpay", "queue")
           if Gst.ElementFactory.find(e) is None]
print(" ".join(missing))
"""


def rtsp_unavailable(python: str = SYSTEM_PYTHON) -> str | None:
    """Why the GStreamer RTSP server cannot run here, or None if it can."""
    if not os.path.exists(python):
        return f"{python} not found"
    try:
        done = subprocess.run([python, "-c", _CHECK], capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{python} failed: {exc}"
    if done.returncode != 0:
        last = done.stderr.strip().splitlines()[-1:] or ["no output"]
        packages = " ".join(DEBIAN_PACKAGES)
        return f"python3-gi with the GStreamer RTSP server is missing ({last[0]}); apt-get install {packages}"
    if done.stdout.strip():
        return f"GStreamer elements missing: {done.stdout.strip()}"
    return None


class RtspTestServer:
    """`streams` synthetic cameras at rtsp://127.0.0.1:<port>/cam<i>, served by a GStreamer subprocess.

    `freeze`/`thaw` SIGSTOP/SIGCONT the server (a frozen camera: connections stay open, nothing comes),
    `kill` ends it, `start` again brings it back on the same port.
    """

    def __init__(
        self,
        streams: int = 1,
        *,
        port: int = 0,
        size: tuple[int, int] = (640, 360),
        fps: int = 25,
        codec: str = "h264",
        python: str = SYSTEM_PYTHON,
    ) -> None:
        self.streams, self.port, self.size, self.fps, self.codec = streams, port, size, fps, codec
        self._python = python
        self._proc: subprocess.Popen[bytes] | None = None
        # Kept open across restarts so a failed start can say what GStreamer complained about.
        self._log = tempfile.TemporaryFile()  # noqa: SIM115

    @property
    def pid(self) -> int | None:
        return None if self._proc is None else self._proc.pid

    def url(self, index: int = 0) -> str:
        return f"rtsp://127.0.0.1:{self.port}/cam{index}"

    def start(self, timeout: float = 15.0) -> RtspTestServer:
        """Start the server and wait until it listens (on the same port as before after a `kill`)."""
        command = [
            self._python, "-m", "sim.rtsp_gst", "--port", str(self.port), "--streams", str(self.streams),
            "--width", str(self.size[0]), "--height", str(self.size[1]), "--fps", str(self.fps),
            "--codec", self.codec,
        ]  # fmt: skip
        env = {**os.environ, "PYTHONPATH": str(_ROOT)}
        proc = subprocess.Popen(command, cwd=_ROOT, env=env, stdout=subprocess.PIPE, stderr=self._log)
        self._proc = proc
        assert proc.stdout is not None
        deadline = time.monotonic() + timeout
        line = b""
        while not line.endswith(b"\n") and proc.poll() is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([proc.stdout], [], [], remaining)[0]:
                break
            line += os.read(proc.stdout.fileno(), 256)
        words = line.decode(errors="replace").split()
        if len(words) != 2 or words[0] != "READY":
            self.kill()
            self._log.seek(0)
            tail = self._log.read().decode(errors="replace")[-800:]
            raise RuntimeError(f"RTSP server did not start: {line!r} {tail}")
        self.port = int(words[1])
        return self

    def freeze(self) -> None:
        if self._proc is not None:
            os.kill(self._proc.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        if self._proc is not None:
            os.kill(self._proc.pid, signal.SIGCONT)

    def kill(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(10)
        if proc is not None and proc.stdout is not None:
            proc.stdout.close()

    def close(self) -> None:
        self.kill()
        self._log.close()

    def __enter__(self) -> RtspTestServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
