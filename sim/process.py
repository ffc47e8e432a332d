"""Runs a feed server (demo city or benchmark blast) as a child process that dies with its parent."""

from __future__ import annotations

import os
import re
import selectors
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

import dispatch
from sim.rhythm import DEMO_RATE
from sim.runner import TOKEN_ENV

_ANNOUNCE = re.compile(rb"listening on (wss?://\S+)")
_STDERR_TAIL = 2000


class FeedProcess:
    """`python -m sim ARGS` with --exit-on-stdin-eof; the constructor waits for its URL.

    The child watches its stdin: closing it (stop(), or this process dying) makes it shut down, so
    an orphaned server never outlives the cockpit.
    """

    def __init__(
        self,
        args: Sequence[str],
        *,
        startup_timeout_s: float = 15.0,
        env: dict[str, str | None] | None = None,
    ) -> None:
        root = str(Path(dispatch.__file__).resolve().parents[1])
        child_env = dict(os.environ)
        for key, value in (env or {}).items():
            if value is None:
                child_env.pop(key, None)
            else:
                child_env[key] = value
        child_env["PYTHONPATH"] = os.pathsep.join(p for p in (root, child_env.get("PYTHONPATH")) if p)
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the child; closed in stop)
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "sim", *args, "--exit-on-stdin-eof"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=child_env,
        )
        try:
            self.url = self._read_url(startup_timeout_s)
        except BaseException:
            self.stop()
            raise

    @property
    def pid(self) -> int:
        return self._proc.pid

    @property
    def returncode(self) -> int | None:
        return self._proc.poll()

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the child to exit on its own; subprocess.TimeoutExpired if it does not in time."""
        return self._proc.wait(timeout)

    def _read_url(self, timeout_s: float) -> str:
        assert self._proc.stdout is not None
        deadline = time.monotonic() + timeout_s
        seen = b""
        with selectors.DefaultSelector() as selector:
            selector.register(self._proc.stdout, selectors.EVENT_READ)
            while (match := _ANNOUNCE.search(seen)) is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise RuntimeError(f"feed server did not announce within {timeout_s:g} s{self._tail()}")
                if selector.select(remaining):
                    chunk = os.read(self._proc.stdout.fileno(), 4096)
                    if not chunk:
                        self._proc.wait(timeout=5)
                        raise RuntimeError(f"feed server exited with {self._proc.returncode}{self._tail()}")
                    seen += chunk
        return match.group(1).decode()

    def _tail(self) -> str:
        self._stderr.seek(0, os.SEEK_END)
        self._stderr.seek(max(0, self._stderr.tell() - _STDERR_TAIL))
        tail = self._stderr.read().decode(errors="replace").strip()
        return f"; stderr:\n{tail}" if tail else ""

    def stop(self) -> None:
        """Close stdin and give the child 3 s to stop cleanly, then terminate, then kill."""
        if self._proc.stdin is not None and not self._proc.stdin.closed:
            self._proc.stdin.close()
        try:
            self._proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        self._stderr.close()

    def __enter__(self) -> FeedProcess:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


class DemoFeedProcess(FeedProcess):
    """The demo city on 127.0.0.1, a free port; this is how the GUI embeds its simulator."""

    def __init__(
        self,
        rate: float = DEMO_RATE,
        seed: int | None = None,
        token: str | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        startup_timeout_s: float = 15.0,
        warm_up_s: float = 0.0,
    ) -> None:
        args = ["--host", host, "--port", str(port), "--rate", str(rate), "--warm-up", str(warm_up_s)]
        if seed is not None:
            args += ["--seed", str(seed)]
        # The token travels in the environment, not argv, so `ps` does not show it.
        super().__init__(args, startup_timeout_s=startup_timeout_s, env={TOKEN_ENV: token})


class BlastFeedProcess(FeedProcess):
    """The benchmark blast server: `count` messages per subscriber, unpaced or at `rate` msgs/s."""

    def __init__(
        self,
        count: int,
        rate: float | None = None,
        *,
        host: str = "127.0.0.1",
        startup_timeout_s: float = 30.0,
    ) -> None:
        args = ["blast", "--host", host, "--port", "0", "--count", str(count)]
        if rate is not None:
            args += ["--rate", str(rate)]
        super().__init__(args, startup_timeout_s=startup_timeout_s, env={TOKEN_ENV: None})


# The demo city at its ordinary pace, already twenty minutes into its life: every panel has something to
# show at once, and the queue is what an officer would face (sim/generator.py).
LIVED_IN_WARM_UP_S = 1200.0
LIVED_IN_SEED = 2


def lived_in_demo() -> DemoFeedProcess:
    """The demo feed as screenshots and the wall-return benchmark show it: warmed up and reproducible."""
    return DemoFeedProcess(rate=DEMO_RATE, seed=LIVED_IN_SEED, warm_up_s=LIVED_IN_WARM_UP_S)
