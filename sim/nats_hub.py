"""A real `nats-server -js` on 127.0.0.1 for the seat tests and `bench seats`: its own port and store
directory, killed after."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

READY = "Server is ready"
LISTENING = "Listening for client connections on "


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def missing_reason() -> str | None:
    if shutil.which("nats-server") is None:
        return (
            "nats-server not installed (Debian: apt-get install nats-server; `make test` as root installs it "
            "from scripts/system-packages.txt)"
        )
    return None


@contextmanager
def nats_server(store: Path, timeout: float = 10.0, *, port: int = -1) -> Iterator[str]:
    """Start a JetStream server on a port it picks itself (-p -1: no race for a free port), or on `port`
    to restart one, and yield its URL once it says it is ready; kill it after."""
    store.mkdir(parents=True, exist_ok=True)
    server = subprocess.Popen(
        ["nats-server", "-js", "-a", "127.0.0.1", "-p", str(port), "-sd", str(store)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    url: list[str] = []
    ready = threading.Event()
    lines: list[str] = []

    def drain() -> None:
        # Read its log to the end: a full pipe would stall the server.
        assert server.stderr is not None
        for line in server.stderr:
            lines.append(line)
            if LISTENING in line:
                url.append("nats://" + line.split(LISTENING, 1)[1].strip())
            if READY in line:
                ready.set()
        ready.set()

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        if not ready.wait(timeout) or not url or server.poll() is not None:
            raise RuntimeError("nats-server did not start:\n" + "".join(lines[-20:]))
        yield url[0]
    finally:
        server.kill()
        server.wait(timeout)
        reader.join(timeout)
        if server.stderr is not None:
            server.stderr.close()
