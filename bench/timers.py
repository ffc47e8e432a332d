"""How late 40 ms timers fire under qasync, idle and beside threads that hold the GIL."""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import statistics
import sys
import threading
import time

PERIOD_MS = 40


def _busy_python(stop: threading.Event) -> None:
    # Pure-Python work never releases the GIL voluntarily, like a JSON decoder or an intake loop.
    while not stop.is_set():
        sum(range(2000))


def _lateness(stamps: list[float], period_ms: float) -> tuple[float, float, float]:
    """Median gap, 95th percentile and worst lateness of the gaps between firings, in ms."""
    gaps = [(b - a) * 1000.0 for a, b in itertools.pairwise(stamps)]
    late = sorted(g - period_ms for g in gaps)
    return statistics.median(gaps), late[int(len(late) * 0.95)], late[-1]


def measure(kind: str, seconds: float) -> list[float]:
    """Firing times of one kind of 40 ms timer: a PreciseTimer or CoarseTimer QTimer, or an
    asyncio.sleep loop, all on a qasync loop (the cockpit's), or a QTimer on a bare Qt loop."""
    import qasync
    from PySide6.QtCore import QCoreApplication, Qt, QTimer

    stamps: list[float] = []
    if kind == "sleep":

        async def loop() -> None:
            end = time.perf_counter() + seconds
            while time.perf_counter() < end:
                await asyncio.sleep(PERIOD_MS / 1000)
                stamps.append(time.perf_counter())

        qasync.run(loop())
        return stamps
    timer = QTimer()
    precise = kind.startswith("precise")
    timer.setTimerType(Qt.TimerType.PreciseTimer if precise else Qt.TimerType.CoarseTimer)
    timer.setInterval(PERIOD_MS)
    timer.timeout.connect(lambda: stamps.append(time.perf_counter()))
    if kind.endswith("-qt"):
        app = QCoreApplication.instance()
        assert app is not None
        QTimer.singleShot(round(seconds * 1000), app.quit)
        timer.start()
        app.exec()
    else:

        async def hold() -> None:
            timer.start()
            await asyncio.sleep(seconds)

        qasync.run(hold())
    timer.stop()
    return stamps


def run(seconds: float, busy_threads: tuple[int, ...], switch_intervals: tuple[float, ...]) -> None:
    from PySide6.QtWidgets import QApplication

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _app = QApplication.instance() or QApplication(sys.argv[:1])
    kinds = ("precise-qt", "precise", "coarse", "sleep")
    default = sys.getswitchinterval()
    print(
        f"{PERIOD_MS} ms timers, {seconds:g} s each, {os.cpu_count()} cores; lateness = gap - {PERIOD_MS} ms"
    )
    for switch in switch_intervals:
        sys.setswitchinterval(switch)
        for busy in busy_threads:
            stop = threading.Event()
            workers = [threading.Thread(target=_busy_python, args=(stop,), daemon=True) for _ in range(busy)]
            for worker in workers:
                worker.start()
            try:
                for kind in kinds:
                    median, p95, worst = _lateness(measure(kind, seconds), PERIOD_MS)
                    print(f"switch {switch * 1000:g} ms, {busy} busy: {kind:10s} gap median {median:5.1f}, "
                          f"late p95 {p95:5.1f}, max {worst:6.1f} ms", flush=True)  # fmt: skip
            finally:
                stop.set()
                for worker in workers:
                    worker.join()
    sys.setswitchinterval(default)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.timers", description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--busy", type=int, nargs="+", default=[0, 1, 2], help="GIL-holding threads")
    parser.add_argument(
        "--switch-ms", type=float, nargs="+", default=[5.0, 1.0], help="sys.setswitchinterval"
    )
    args = parser.parse_args(argv)
    run(args.seconds, tuple(args.busy), tuple(s / 1000 for s in args.switch_ms))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
