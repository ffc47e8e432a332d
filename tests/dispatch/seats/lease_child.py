"""Run as a process by test_lease: joins a centre as a seat that may lead, says when it leads, and runs
the periodic jobs at the minute it is told (`jobs <minutes after START>`), until it is killed."""

from __future__ import annotations

import sys
from pathlib import Path

from core.clock import ManualClock
from tests.dispatch.seats.seating import START, WAIT, open_seat


def main(hub: str, directory: Path, name: str) -> None:
    clock = ManualClock(START)
    seat = open_seat(hub, directory, name, clock=clock, lead=True)
    print("leading", seat.wait_status(lambda status: status.leading, WAIT * 3).term, flush=True)
    for line in sys.stdin:
        minutes = float(line.split()[1])
        clock.advance(START + minutes * 60 - clock.now())
        ran = seat.run_jobs()
        outcome = ran.result(WAIT) if ran is not None else None
        if outcome is None or outcome.refused is not None:
            print("ran nothing", flush=True)
        else:
            print("ran", *outcome.raised, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), sys.argv[3])
