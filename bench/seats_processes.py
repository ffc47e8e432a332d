"""`bench seats --processes`: the feed to seats that each run in a process of their own, as on machines."""

from __future__ import annotations

import concurrent.futures
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.clock import SystemClock
from dispatch.casework.policy import Policy
from dispatch.casework.policy_file import default_policy_path, load_policy
from dispatch.seats.entries import PACK_EVENTS, pack_events

if TYPE_CHECKING:  # the NATS client is imported only when a seat opens
    from dispatch.seats.catch_up import Caught

WAIT_S = 300.0
# Events published and not yet applied on the publishing seat, at most (as bench seats' feed).
WINDOW = 1000
_ROOT = Path(__file__).resolve().parents[1]


def run_feed_in_processes(
    url: str, scratch: Path, policy: Policy, count: int, feed: list[dict[str, Any]], mix: str
) -> int:
    """The first seat (in this process) publishes the feed; the others follow the log in processes of
    their own. Timed from the first publish until every seat has applied every report."""
    from dispatch.seats.seat import SeatLoop

    centre = f"procs{int(time.time())}"
    lead = SeatLoop(scratch / "seat1.sqlite3", policy, SystemClock(), hub=[url], centre=centre, seat="seat1")
    children: list[subprocess.Popen[str]] = []
    try:
        # Packed as the app's intake packs what it stored (dispatch.seats.entries.pack_events); every seat
        # waits for the same last entry.
        packed, _ = pack_events(feed, lead.seat, time.time())
        target = lead.applied + len(packed)
        for i in range(2, count + 1):
            arguments = [url, str(scratch), f"seat{i}", centre, str(target)]
            command = [
                sys.executable,
                "-c",
                f"from bench.seats_processes import child; child(*{arguments!r})",
            ]
            children.append(subprocess.Popen(command, cwd=_ROOT, stdout=subprocess.PIPE, text=True))
        for process in children:
            _expect(process, "ready")
        started = time.time()
        window = threading.BoundedSemaphore(max(1, WINDOW // PACK_EVENTS))
        published = []
        for entry in packed:
            window.acquire()
            future = lead.publish_events(entry)
            future.add_done_callback(lambda _: window.release())
            published.append(future)
        concurrent.futures.wait(published, WAIT_S)
        lead.caught_up().result(WAIT_S)
        ends = [time.time()] + [_done(process, target) for process in children]
    finally:
        lead.close()
        for process in children:
            if process.poll() is None:
                process.kill()
            process.wait()
            if process.stdout is not None:
                process.stdout.close()
    took = max(ends) - started
    each = ", ".join(f"seat{i + 1} {end - started:.2f} s" for i, end in enumerate(ends))
    print(f"feed ({mix} mix): {len(feed):,} events to {count} seats, each in a process of its own: {each}")
    print(f"seats feed in processes: {len(feed) / took:,.0f} events/s to {count} seats")
    return 0


def _expect(process: subprocess.Popen[str], word: str) -> str:
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith(word):
        raise SystemExit(f"tianshu: error: a seat's process said {line!r} instead of {word!r}")
    return line


def _done(process: subprocess.Popen[str], target: int) -> float:
    _, at, applied = _expect(process, "done").split()
    if int(applied) < target:
        raise SystemExit(f"tianshu: error: a seat applied {applied} of {target} entries in {WAIT_S:.0f} s")
    return float(at)


def child(url: str, scratch: str, name: str, centre: str, target: str) -> None:
    """One following seat: join, say so, and say when the store holds entry `target`."""
    from dispatch.seats.seat import SeatLoop

    policy = load_policy(default_policy_path())
    seat = SeatLoop(
        Path(scratch) / f"{name}.sqlite3", policy, SystemClock(), hub=[url], centre=centre, seat=name
    )
    try:
        print("ready", flush=True)
        deadline = time.monotonic() + WAIT_S
        while seat.applied < int(target) and time.monotonic() < deadline:
            time.sleep(0.002)  # polled: a seat has no wait for a sequence of its own (caught_up asks the hub)
        print(f"done {time.time():.6f} {seat.applied}", flush=True)
    finally:
        seat.close()


def restart_apart(url: str, scratch: Path, name: str, centre: str, *, deltas: bool) -> tuple[float, Caught]:
    """A stopped seat restarted in a process of its own (as a console restarts on its machine): how long
    it took from opening to caught up with the log, joining included, and what its row deltas covered
    (dispatch.seats.catch_up.Caught). Its imports are not timed (nor are those of the bench's)."""
    from dispatch.seats.catch_up import Caught

    arguments = [url, scratch.as_posix(), name, centre, deltas]
    command = [
        sys.executable,
        "-c",
        f"from bench.seats_processes import restart_child; restart_child(*{arguments!r})",
    ]
    process = subprocess.Popen(command, cwd=_ROOT, stdout=subprocess.PIPE, text=True)
    try:
        _, took, caught = _expect(process, "caught").split(maxsplit=2)
        process.wait(WAIT_S)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
    entries, deltas_taken, seconds = caught.split()
    return float(took), Caught(int(entries), int(deltas_taken), float(seconds))


def restart_child(url: str, scratch: str, name: str, centre: str, deltas: bool) -> None:
    """The other side of restart_apart: reopen the seat's store, catch up, say how long it took, close."""
    from dispatch.seats.seat import SeatLoop

    policy = load_policy(default_policy_path())
    started = time.perf_counter()
    seat = SeatLoop(
        Path(scratch) / f"{name}.sqlite3", policy, SystemClock(), hub=[url], centre=centre, seat=name,
        deltas=deltas,
    )  # fmt: skip
    try:
        seat.caught_up().result(WAIT_S)
        took, caught = time.perf_counter() - started, seat.caught
        print(f"caught {took:.6f} {caught.entries} {caught.deltas} {caught.seconds:.6f}", flush=True)
    finally:
        seat.close()
