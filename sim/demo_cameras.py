"""The demo city's cameras, in a child process that dies with the cockpit (`python -m sim.demo_cameras`).

Rendering and encoding the synthetic scenes is Python-heavy: in the cockpit's own process it held the GIL
often enough to delay FrameClock ticks by up to half a second (docs/benchmarks.md, `bench wall`).
"""

from __future__ import annotations

import selectors
import signal
import subprocess
import sys
from types import TracebackType

from video.registry import CameraRegistry, demo_registry

_READY = "READY "


class DemoCameras:
    """Starts the child and waits for its address; closing its stdin (close(), or this process dying)
    makes it stop, so an orphaned camera server never outlives the cockpit."""

    def __init__(self, startup_timeout_s: float = 20.0) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "sim.demo_cameras"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            self.base_url = self._read_ready(startup_timeout_s)
        except BaseException:
            self.close()
            raise

    @property
    def running(self) -> bool:
        return self._proc.poll() is None

    def registry(self) -> CameraRegistry:
        """The demo city's cameras, grouped by district, streaming from this server."""
        from sim.city import demo_city

        city = demo_city()
        names = {d.code: d.name for d in city.districts}
        return demo_registry(city.cameras, self.base_url, group_names=names)

    def close(self) -> None:
        proc = self._proc
        if proc.stdin is not None and not proc.stdin.closed:
            proc.stdin.close()
        try:
            proc.wait(5.0)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()

    def __enter__(self) -> DemoCameras:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _read_ready(self, timeout: float) -> str:
        stdout = self._proc.stdout
        assert stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(stdout, selectors.EVENT_READ)
            if not selector.select(timeout):
                raise RuntimeError(f"the demo camera server did not start within {timeout:g} s")
        line = stdout.readline()
        if not line.startswith(_READY):
            raise RuntimeError(f"the demo camera server did not start: {line.strip() or 'no output'}")
        return line[len(_READY) :].strip()


def main() -> int:
    # Ctrl+C in the terminal reaches the whole process group; the cockpit decides when cameras stop
    # (it joins its capture threads first), so the server waits for its stdin to close instead.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from sim.city import demo_city
    from sim.demo_streams import DemoStreamServer

    with DemoStreamServer([c.id for c in demo_city().cameras]) as server:
        print(f"{_READY}{server.base_url}", flush=True)
        # Serve until the parent closes our stdin, or dies.
        sys.stdin.read()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
