"""Run as a process by test_kill: joins a centre as a seat and prints its cursor after every batch it
applies, until it is killed."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from dispatch.changes import CasesChanged
from tests.dispatch.seats.seating import open_seat


def main(hub: str, directory: Path, name: str) -> None:
    seat = open_seat(hub, directory, name)

    def heard(changes: CasesChanged) -> None:
        print(seat.applied if seat.applied else changes.mark, flush=True)

    seat.subscribe(heard)
    print("joined", flush=True)
    threading.Event().wait()  # applying goes on in the seat's threads until the kill


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), sys.argv[3])
