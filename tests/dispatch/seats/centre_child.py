"""Run as a process by test_centre: a console's seat of centre `chaos` on a cluster (it may lead). Says
`joined`, then obeys its stdin: `jobs <minutes after START>` runs the periodic jobs if it leads (`ran …`
or `ran nothing`), `stop` leaves and exits 0. Killed with SIGKILL, it says nothing more."""

from __future__ import annotations

import sys
from pathlib import Path

from core.clock import ManualClock
from dispatch.seats.seat import SeatLoop
from tests.dispatch.casework.policies import POLICY
from tests.dispatch.seats.seating import START, WAIT


def main(urls: str, store: Path, name: str) -> None:
    clock = ManualClock(START)
    seat = SeatLoop(
        store, POLICY, clock, hub=urls.split(","), centre="chaos", seat=name, lead=True, timeout=WAIT
    )
    print("joined", flush=True)
    for line in sys.stdin:
        word, *rest = line.split()
        if word == "stop":
            seat.caught_up().result(WAIT * 3)
            break
        clock.advance(START + float(rest[0]) * 60 - clock.now())
        ran = seat.run_jobs()
        outcome = ran.result(WAIT * 3) if ran is not None else None
        print("ran nothing" if outcome is None or outcome.refused else "ran", flush=True)
    seat.close()


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), sys.argv[3])
