"""Real `nats-server -js` processes on 127.0.0.1 for the seat tests and `bench seats`: one server, or a
three-node cluster; each with its own port and store directory, killed after."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

READY = "Server is ready"
LISTENING = "Listening for client connections on "
TLS_REQUIRED = "TLS required for client connections"  # said after LISTENING: the URL becomes tls://
# A JetStream cluster takes requests once its nodes have elected a metadata leader.
CLUSTER_READY = ("JetStream cluster new metadata leader", "Self is new JetStream cluster metadata leader")


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def missing_reason() -> str | None:
    if shutil.which("nats-server") is None:
        return (
            "nats-server not installed (Debian: apt-get install nats-server; `make test` as root installs it "
            "from scripts/system-packages.txt)"
        )
    return None


class Node:
    """One nats-server process; its log is read to the end on a thread (a full pipe would stall it)."""

    def __init__(self, args: list[str], store: Path, config: Path | None = None) -> None:
        store.mkdir(parents=True, exist_ok=True)
        # The command line's settings win over the file's (nats-server merges them): the file brings
        # what a centre deploys (users, TLS), the line what the test picks (ports, store).
        with_config = [] if config is None else ["-c", str(config)]
        self.process = subprocess.Popen(
            ["nats-server", *with_config, "-js", "-a", "127.0.0.1", "-sd", str(store), *args],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        self.url = ""
        self.lines: list[str] = []
        self._seen = threading.Condition()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            with self._seen:
                self.lines.append(line)
                if LISTENING in line:
                    self.url = "nats://" + line.split(LISTENING, 1)[1].strip()
                if TLS_REQUIRED in line and self.url.startswith("nats://"):
                    self.url = "tls://" + self.url.removeprefix("nats://")
                self._seen.notify_all()
        with self._seen:
            self.lines.append("")  # the end of its log
            self._seen.notify_all()

    def wait_for(self, words: tuple[str, ...], deadline: float) -> bool:
        """Whether a line holding one of `words` appeared before `deadline` (time.monotonic())."""
        with self._seen:
            return self._seen.wait_for(
                lambda: any(w in line for line in self.lines for w in words) or self.lines[-1:] == [""],
                max(0.0, deadline - time.monotonic()),
            ) and any(w in line for line in self.lines for w in words)

    def kill(self, timeout: float = 10.0) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout)
        self._reader.join(timeout)
        if self.process.stderr is not None:
            self.process.stderr.close()

    def log_tail(self) -> str:
        return "".join(self.lines[-20:])


@contextmanager
def nats_server(
    store: Path, timeout: float = 10.0, *, port: int = -1, config: Path | None = None
) -> Iterator[str]:
    """Start a JetStream server on a port it picks itself (-p -1: no race for a free port), or on `port`
    to restart one, and yield its URL once it says it is ready (tls:// when its `config` file requires
    TLS); kill it after."""
    node = Node(["-p", str(port)], store, config)
    try:
        if not node.wait_for((READY,), time.monotonic() + timeout) or not node.url:
            raise RuntimeError("nats-server did not start:\n" + node.log_tail())
        yield node.url
    finally:
        node.kill(timeout)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def nats_cluster(
    store: Path,
    nodes: int = 3,
    timeout: float = 20.0,
    *,
    config: Path | None = None,
    advertise: bool = True,
) -> Iterator[list[Node]]:
    """A JetStream cluster of `nodes` servers (what a centre runs), each with its store under `store`
    and the same `config` file (users, TLS for clients and routes); yields the nodes (`.url`, `.kill()`)
    once the cluster has elected its metadata leader. `advertise=False`: clients learn no other node
    than those they were given (a test that cuts a seat's line must not see it go round by another)."""
    routes = [_free_port() for _ in range(nodes)]
    joined = ",".join(f"nats://127.0.0.1:{port}" for port in routes)
    started: list[Node] = []
    try:
        for i, route in enumerate(routes):
            started.append(Node([
                "-p", "-1", "--server_name", f"n{i + 1}", "--cluster_name", "tianshu",
                "--cluster", f"nats://127.0.0.1:{route}", "--routes", joined,
                *([] if advertise else ["--no_advertise"]),
            ], store / f"n{i + 1}", config))  # fmt: skip
        deadline = time.monotonic() + timeout
        for node in started:
            if not node.wait_for((READY,), deadline) or not node.url:
                raise RuntimeError("nats-server did not start:\n" + node.log_tail())
        if not any(node.wait_for(CLUSTER_READY, deadline) for node in started):
            raise RuntimeError("the cluster elected no leader:\n" + started[0].log_tail())
        yield started
    finally:
        for node in started:
            node.kill()
